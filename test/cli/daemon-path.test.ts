/**
 * The CLI against a running node goes through its HTTP API: send and ack are composed and
 * signed by the node, bad input comes back as CLI_BAD_ARGUMENT naming the flag (exit 2).
 * This process stands in for the daemon and holds the store's lock, so a command that
 * opened the store itself would fail with NODE_LOCKED.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { writeFile, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fromHex } from '../../src/identity/index.js'
import { createOperatorDirectory } from '../../src/operators/index.js'
import { dataPaths } from '../../src/node/paths.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { createApi } from '../../src/api/server.js'
import { execFile } from 'node:child_process'
import { BIN, c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
let data: string
let core: NodeCore
let api: Awaited<ReturnType<typeof createApi>>

beforeAll(async () => {
  dir = await tempDir('c5mesh-daemon-path-')
  data = join(dir.path, 'a')
  await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-OAX'])
  const config = JSON.parse(await readFile(join(data, 'config.json'), 'utf8'))
  core = await openNodeCore({ storePath: join(data, 'db'), anchors: { keys: config.trustAnchors.keys.map(fromHex), threshold: 1 } })
  api = await createApi({ core, org: 'MX-OAX', operators: createOperatorDirectory(dataPaths(data)) })
  await api.listen({ host: '127.0.0.1', port: 0 })
  const port = (api.server.address() as { port: number }).port
  await writeFile(join(data, 'daemon.json'), JSON.stringify({ pid: process.pid, api: `http://127.0.0.1:${port}`, peerId: 'test', startedAt: Date.now() }))
})
afterAll(async () => {
  await api?.close()
  await core?.close()
  await dir?.cleanup()
})

describe('the CLI through a running node', { timeout: 120_000 }, () => {
  it('send, inbox, show and ack go through the API; the node signs with the operator key', async () => {
    const sent = await c5meshJson(['--data', data, 'send', '--headline', 'Inundación en la costa', '--precedence', 'flash', '--param', 'nivel=3', '--expires', '2h'])
    expect(sent.via).toBe('daemon')
    const stored = await core.store.get(sent.id)
    expect(stored?.envelope).toMatchObject({ org: 'MX-OAX', precedence: 'flash', kind: 'alert' })
    expect(stored!.envelope.expires - stored!.envelope.created).toBe(2 * 3600_000)
    const inbox = await c5meshJson<any[]>(['--data', data, 'inbox'])
    expect(inbox.map(m => m.id)).toContain(sent.id)
    const ack = await c5meshJson(['--data', data, 'ack', sent.id, '--note', 'recibido'])
    expect(ack.acknowledges).toBe(sent.id)
    const shown = await c5meshJson(['--data', data, 'show', sent.id])
    expect(shown.acks).toEqual([expect.objectContaining({ id: ack.id, org: 'MX-OAX', note: 'recibido' })])
  })

  it('bad input: CLI_BAD_ARGUMENT naming the flag, exit 2, nothing stored', async () => {
    const before = core.store.count()
    const cases: Array<[string[], RegExp]> = [
      [['inbox', '--limit', 'lots'], /^error CLI_BAD_ARGUMENT: --limit: /],
      [['inbox', '--org', 'yucatan'], /^error CLI_BAD_ARGUMENT: --org: /],
      [['send', '--headline', 'x', '--msg-type', 'Update'], /^error CLI_BAD_ARGUMENT: --references: /],
      [['send', '--headline', 'x', '--references', 'nope'], /^error CLI_BAD_ARGUMENT: --references: /],
      [['show', 'not-an-id'], /^error CLI_BAD_ARGUMENT: not a message id/]
    ]
    for (const [args, expected] of cases) {
      const r = await c5mesh(['--data', data, ...args])
      expect(r.stderr.trim(), args.join(' ')).toMatch(expected)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.code).toBe(2)
    }
    const missing = await c5mesh(['--data', data, 'ack', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'])
    expect(missing).toMatchObject({ code: 1 })
    expect(missing.stderr).toMatch(/^error NODE_NOT_FOUND: /)
    expect(core.store.count()).toBe(before)
  })

  it('a command against a running node loads no store, libp2p, zod or fastify code (its 250 ms budget)', async () => {
    const hooks = join(dir.path, 'hooks.mjs')
    await writeFile(hooks, "export async function resolve (s, c, next) { const r = await next(s, c); process.stderr.write('LOAD ' + r.url + '\\n'); return r }\n")
    const register = join(dir.path, 'register.mjs')
    await writeFile(register, `import { register } from 'node:module'; register(${JSON.stringify('file://' + hooks)})\n`)
    for (const args of [['inbox'], ['send', '--headline', 'carga mínima'], ['show', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy']]) {
      const stderr = await new Promise<string>(resolve => {
        execFile(process.execPath, ['--import', register, BIN, '--data', data, ...args], { timeout: 60_000 }, (_err, _out, err) => resolve(err))
      })
      const loaded = stderr.split('\n').filter(l => l.startsWith('LOAD ')).map(l => l.slice(5))
      expect(loaded.some(u => u.endsWith('/src/cli/program.js')), args[0]).toBe(true)
      for (const heavy of ['/node_modules/zod/', '/node_modules/libp2p/', '/node_modules/@libp2p/', '/node_modules/fastify/', '/node_modules/level/', '/node_modules/classic-level/', '/node_modules/@ipld/', '/src/store/', '/src/node/core.js']) {
        expect(loaded.filter(u => u.includes(heavy)), `${args[0]} loads ${heavy}`).toEqual([])
      }
    }
  })

  it('operator add makes a key and token (0600); --operator acts as them; console prints the address with the token', async () => {
    const made = await c5meshJson(['--data', data, 'operator', 'add', 'turno-noche'])
    expect(made).toMatchObject({ name: 'turno-noche', org: 'MX-OAX' })
    for (const f of [made.keyFile, made.tokenFile]) expect((await stat(f)).mode & 0o777).toBe(0o600)
    expect((await c5mesh(['--data', data, 'operator', 'add', 'turno-noche'])).stderr).toMatch(/^error IDENTITY_KEY_EXISTS: /)
    expect((await c5mesh(['--data', data, 'operator', 'add', 'Turno Noche'])).code).toBe(2)
    // Known to the running node at once; not on the roster, so it may read but not sign.
    expect(Array.isArray(await c5meshJson(['--data', data, '--operator', 'turno-noche', 'inbox']))).toBe(true)
    const refused = await c5mesh(['--data', data, '--operator', 'turno-noche', 'send', '--headline', 'sin roster'])
    expect(refused.stderr).toMatch(/^error ROSTER_UNKNOWN_AUTHOR: /)
    const c = await c5meshJson(['--data', data, '--operator', 'turno-noche', 'console'])
    expect(c.url).toBe(`${JSON.parse(await readFile(join(data, 'daemon.json'), 'utf8')).api}/#token=${made.token}`)
    expect((await c5mesh(['--data', data, 'operator', 'list'])).stdout.split('\n')).toEqual(expect.arrayContaining(['operator', 'turno-noche']))
  })
})
