import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdtemp, writeFile, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, validateConfig, configFromEnv, CONFIG_FIELDS, envVarName, DEFAULT_CONFIG_FILE } from '../../src/config/index.js'
import { isC5Error, type C5Error } from '../../src/errors.js'

let dir: string
const KEY = 'ab'.repeat(32)
const PEER = '/ip4/10.0.0.2/tcp/4370/p2p/12D3KooWD3p16GSaQFz1m942QFqbbfrnFdZTPg3z7sDNgDLNm2JV'

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'c5mesh-config-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function file (name: string, value: unknown): Promise<string> {
  const p = join(dir, name)
  await writeFile(p, typeof value === 'string' ? value : JSON.stringify(value))
  return p
}

/** Runs `p`, expects CONFIG_INVALID, returns the problems it names. */
async function problems (p: Promise<unknown>): Promise<Array<{ path: string, expected: string, got: string }>> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(isC5Error(err, 'CONFIG_INVALID')).toBe(true)
  return (err as C5Error).details?.problems as Array<{ path: string, expected: string, got: string }>
}

describe('loadConfig', () => {
  it('defaults plus a file with org give a complete config', async () => {
    const c = await loadConfig({ file: await file('min.json', { org: 'MX-YUC' }) })
    expect(c.org).toBe('MX-YUC')
    expect(c.listen).toEqual(['/ip4/0.0.0.0/tcp/4370', '/ip4/0.0.0.0/tcp/4371/ws'])
    expect(c.api).toMatchObject({ host: '127.0.0.1', port: 4380, allowedHosts: [], postsPerMinute: 120, maxConcurrentQueries: 4 })
    expect(c.ingest).toEqual({ maxClockSkewMs: 600_000, maxEnvelopeBytes: 65_536 })
    expect(c.trustAnchors).toBeUndefined()
    expect(c.sync.maxFrameBytes).toBe(256 * 1024)
  })

  it('merges files in order: objects key by key, arrays replaced', async () => {
    const first = await file('first.json', { org: 'MX-YUC', api: { port: 5000 }, listen: ['/ip4/127.0.0.1/tcp/1'] })
    const second = await file('second.json', { api: { host: '0.0.0.0' }, trustAnchors: { keys: [KEY], threshold: 1 } })
    const c = await loadConfig({ files: [first, second] })
    expect(c.api).toMatchObject({ host: '0.0.0.0', port: 5000 })
    expect(c.listen).toEqual(['/ip4/127.0.0.1/tcp/1'])
    expect(c.trustAnchors).toEqual({ keys: [KEY], threshold: 1 })
  })

  it('environment overrides files; overrides win over everything', async () => {
    const f = await file('env.json', { org: 'MX-YUC', api: { port: 5000 }, mdns: true })
    const env = {
      C5MESH_API_PORT: '5001',
      C5MESH_BOOTSTRAP: ` ${PEER} , ${PEER}`,
      C5MESH_MDNS: 'false',
      C5MESH_LOG_LEVEL: 'debug',
      C5MESH_SYNC_MAX_FRAME_BYTES: '65536',
      C5MESH_TRUST_ANCHORS_KEYS: KEY,
      C5MESH_TRUST_ANCHORS_THRESHOLD: '1',
      C5MESH_DATA: '/somewhere', // the CLI's variable, not a config field: ignored here
      PATH: '/usr/bin'
    }
    const c = await loadConfig({ file: f, env })
    expect(c.api.port).toBe(5001)
    expect(c.bootstrap).toEqual([PEER, PEER])
    expect(c.mdns).toBe(false)
    expect(c.log.level).toBe('debug')
    expect(c.sync.maxFrameBytes).toBe(65536)
    expect(c.trustAnchors).toEqual({ keys: [KEY], threshold: 1 })
    const o = await loadConfig({ file: f, env, overrides: { api: { port: 6000 } } })
    expect(o.api.port).toBe(6000)
  })

  it('an empty list variable clears the list', async () => {
    const c = await loadConfig({ file: await file('l.json', { org: 'CNI' }), env: { C5MESH_LISTEN: '' } })
    expect(c.listen).toEqual([])
  })

  it('a bad env value names the field and what was expected', async () => {
    const f = await file('ok.json', { org: 'MX-YUC' })
    const [p] = await problems(loadConfig({ file: f, env: { C5MESH_API_PORT: 'abc' } }))
    expect(p).toEqual({ path: 'api.port', expected: expect.stringContaining('integer between 0 and 65535'), got: '"abc"' })
    const [q] = await problems(loadConfig({ file: f, env: { C5MESH_MDNS: 'perhaps' } }))
    expect(q.path).toBe('mdns')
    expect(q.got).toBe('"perhaps"')
  })

  it('bad file values: each named with its path', async () => {
    const f = await file('bad.json', { org: 'yucatan', api: { port: 70000 }, bootstrap: ['/ip4/1.2.3.4/tcp/1'], sync: { maxFrameBytes: 10 } })
    const ps = await problems(loadConfig({ file: f }))
    const paths = ps.map(p => p.path).sort()
    expect(paths).toEqual(['api.port', 'bootstrap.0', 'org', 'sync.maxFrameBytes'])
    expect(ps.find(p => p.path === 'bootstrap.0')?.expected).toContain('/p2p/')
    expect(ps.find(p => p.path === 'api.port')?.got).toBe('70000')
  })

  it('refuses unknown keys, at the top and inside groups', async () => {
    const f = await file('unknown.json', { org: 'MX-YUC', lisen: [], api: { prot: 1 } })
    const ps = await problems(loadConfig({ file: f }))
    expect(ps.map(p => p.path).sort()).toEqual(['api.prot', 'lisen'])
    expect(ps[0].expected).toContain('unknown')
  })

  it('a missing org is named', async () => {
    const ps = await problems(loadConfig({}))
    expect(ps).toEqual([{ path: 'org', expected: expect.any(String), got: 'nothing' }])
  })

  it('cross-field checks: threshold above the number of keys, max backoff below min', async () => {
    const f = await file('cross.json', { org: 'MX-YUC', trustAnchors: { keys: [KEY], threshold: 2 }, reconnect: { minBackoffMs: 5000, maxBackoffMs: 1000 } })
    const ps = await problems(loadConfig({ file: f }))
    expect(ps.map(p => p.path).sort()).toEqual(['reconnect.maxBackoffMs', 'trustAnchors.threshold'])
  })

  it('a bad trust anchor key is named by its index', async () => {
    const f = await file('anchor.json', { org: 'MX-YUC', trustAnchors: { keys: ['xyz'], threshold: 1 } })
    const [p] = await problems(loadConfig({ file: f }))
    expect(p.path).toBe('trustAnchors.keys.0')
    expect(p.expected).toContain('hex')
  })

  it('a missing file → CONFIG_NOT_FOUND; bad JSON or a non-object → CONFIG_INVALID', async () => {
    await expect(loadConfig({ file: join(dir, 'nope.json') })).rejects.toSatisfy((e: unknown) => isC5Error(e, 'CONFIG_NOT_FOUND'))
    await expect(loadConfig({ file: await file('broken.json', '{ "org": ') })).rejects.toSatisfy((e: unknown) => isC5Error(e, 'CONFIG_INVALID'))
    await expect(loadConfig({ file: await file('array.json', '[1]') })).rejects.toSatisfy((e: unknown) => isC5Error(e, 'CONFIG_INVALID'))
  })

  it('the message itself names the field (what an operator reads)', async () => {
    const err = await loadConfig({ file: await file('msg.json', { org: 'MX-YUC' }), env: { C5MESH_API_PORT: 'abc' } }).then(() => undefined, (e: unknown) => e as C5Error)
    expect(err).toBeDefined()
    expect(err?.message).toMatch(/^api\.port: expected integer between 0 and 65535.*, got "abc"$/)
  })
})

describe('config field table', () => {
  it('config/default.json sets every field except org and the optional ones, and nothing else', async () => {
    const defaults = JSON.parse(await readFile(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>
    expect(() => validateConfig({ ...defaults, org: 'MX-YUC' })).not.toThrow()
    const leaves = (o: Record<string, unknown>, prefix = ''): string[] => Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`])
    const required = CONFIG_FIELDS.filter(f => f.path !== 'org' && f.optional !== true && !f.path.startsWith('trustAnchors.')).map(f => f.path)
    expect(leaves(defaults).sort()).toEqual(required.sort())
  })

  it('every field has a C5MESH_ variable that round-trips through configFromEnv', () => {
    const names = CONFIG_FIELDS.map(f => envVarName(f.path))
    expect(new Set(names).size).toBe(names.length)
    expect(envVarName('sync.maxMessagesPerSecondPerPeer')).toBe('C5MESH_SYNC_MAX_MESSAGES_PER_SECOND_PER_PEER')
    expect(configFromEnv({ C5MESH_INGEST_MAX_CLOCK_SKEW_MS: '5' })).toEqual({ ingest: { maxClockSkewMs: 5 } })
  })

  it('docs/protocol/links.md lists every field with its variable', async () => {
    const doc = await readFile(new URL('../../docs/protocol/links.md', import.meta.url), 'utf8')
    for (const f of CONFIG_FIELDS) {
      expect(doc, f.path).toContain(`\`${f.path}\``)
      expect(doc, f.path).toContain(envVarName(f.path))
    }
  })
})
