/**
 * Issue 12 §4: each failure a new user hit prints ONE line `error CODE: message` with the
 * right code, through the real bin. Cases that need another user run it as `nobody`
 * (setpriv; the suite runs as root, as CI does), since root reads any file.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { chmod, chown, mkdir, rename, readdir, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { c5mesh, c5meshJson, type CliResult } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
// @ts-expect-error — a plain ESM script without type declarations
import { ensureBuild } from '../../scripts/build.js'

const NOBODY = 65534
const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
const isRoot = process.getuid?.() === 0

let dir: { path: string, cleanup: () => Promise<void> }
let data: string
beforeAll(async () => {
  ensureBuild() // as root: `nobody` may run the build, not make it
  dir = await tempDir('c5mesh-fail-')
  await chmod(dir.path, 0o755) // nobody may traverse it, not write it
  data = join(dir.path, 'a')
  await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-YUC'])
})
afterAll(async () => { await dir.cleanup() })

/** Exactly one line on stderr, `error CODE: …`, and a non-zero exit. */
function oneLine (r: CliResult, code: string): string {
  expect(r.code, r.stderr).not.toBe(0)
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^error ${code}: `))
  return lines[0]
}

async function listenOn (port = 0): Promise<{ server: Server, port: number }> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return { server, port: (server.address() as { port: number }).port }
}

const quiet = { C5MESH_MDNS: 'false', C5MESH_DHT: 'false' }

describe('one clear line for every failure', { timeout: 120_000 }, () => {
  it('a listening port already in use: NODE_ADDRESS_IN_USE naming it (not 14 lines of libp2p advice)', async () => {
    const taken = await listenOn()
    try {
      const libp2p = await c5mesh(['--data', data, 'start'], { ...quiet, C5MESH_LISTEN: `/ip4/127.0.0.1/tcp/${taken.port}`, C5MESH_API_PORT: '0' })
      expect(oneLine(libp2p, 'NODE_ADDRESS_IN_USE')).toContain(`/ip4/127.0.0.1/tcp/${taken.port}`)
      const api = await c5mesh(['--data', data, 'start'], { ...quiet, C5MESH_LISTEN: '/ip4/127.0.0.1/tcp/0', C5MESH_API_PORT: String(taken.port) })
      expect(oneLine(api, 'NODE_ADDRESS_IN_USE')).toContain(`api.port: 127.0.0.1:${taken.port}`)
    } finally {
      taken.server.close()
    }
  })

  it('a missing config.json: CONFIG_NOT_FOUND saying to restore it, for commands and for init (not NODE_ALREADY_INITIALISED)', async () => {
    const b = join(dir.path, 'noconfig')
    await c5meshJson(['--data', b, 'init', '--org', 'MX-CAM'])
    await rename(join(b, 'config.json'), join(b, 'config.json.bak'))
    expect(oneLine(await c5mesh(['--data', b, 'status']), 'CONFIG_NOT_FOUND')).toMatch(/no config\.json: restore it/)
    expect(oneLine(await c5mesh(['--data', b, 'init']), 'CONFIG_NOT_FOUND')).toMatch(/keys\/ but no config\.json/)
    expect(oneLine(await c5mesh(['--data', b, 'start', '--dev']), 'CONFIG_NOT_FOUND')).toMatch(/no config\.json/)
    expect((await readdir(join(b, 'keys'))).sort()).toEqual(['node.json', 'operator.json', 'operator.token']) // the identity is untouched
  })

  it('a missing roster file: CLI_FILE_UNREADABLE naming the file (not NODE_NOT_FOUND)', async () => {
    const line = oneLine(await c5mesh(['--data', data, 'roster', 'import', join(dir.path, 'nope.cbor')]), 'CLI_FILE_UNREADABLE')
    expect(line).toContain('nope.cbor: no such file')
  })

  it('query values in words (not zod\'s "expected number, received NaN"), and "an ack"', async () => {
    const limit = oneLine(await c5mesh(['--data', data, 'inbox', '--limit', 'abc']), 'CLI_BAD_ARGUMENT')
    expect(limit).toBe('error CLI_BAD_ARGUMENT: --limit: expected a whole number from 1 to 10000, got "abc"')
    expect(oneLine(await c5mesh(['--data', data, 'inbox', '--precedence', 'urgent']), 'CLI_BAD_ARGUMENT')).toMatch(/--precedence: expected one of flash, immediate, priority, routine, got "urgent"/)
    const sent = await c5meshJson(['--data', data, 'send', '--headline', 'Vehículo robado'])
    const ack = await c5meshJson(['--data', data, 'ack', sent.id])
    expect(oneLine(await c5mesh(['--data', data, 'ack', ack.id]), 'CLI_BAD_ARGUMENT')).toMatch(/ is an ack/)
    expect(oneLine(await c5mesh(['--data', data, 'plates', 'recover', ack.id]), 'PLATES_NOT_A_REPORT')).toMatch(/ is an ack, not a stolen-vehicle report$/)
    expect(oneLine(await c5mesh(['--data', data, 'plates', 'update', sent.id, '--plate', 'YUC1234']), 'PLATES_NOT_A_REPORT')).toMatch(/ is an alert, not a stolen-vehicle report$/)
  })

  it('start on a folder that is not initialised refuses unless --dev, and makes nothing there', async () => {
    const fresh = join(dir.path, 'elsewhere')
    expect(oneLine(await c5mesh(['--data', fresh, 'start']), 'CLI_NOT_INITIALISED')).toMatch(/join-request.*start --dev/)
    await expect(stat(fresh)).rejects.toThrow(/ENOENT/)
  })

  it.runIf(isRoot)('a data folder this user may not write: NODE_DATA_PERMISSION naming the folder and owner (not INTERNAL and a staging path)', async () => {
    const rootOwned = join(dir.path, 'root-owned')
    await mkdir(rootOwned, { mode: 0o755 })
    for (const args of [['init', '--dev'], ['start', '--dev']]) {
      const line = oneLine(await c5mesh(['--data', rootOwned, ...args], quiet, AS_NOBODY), 'NODE_DATA_PERMISSION')
      expect(line).toContain(`data folder ${rootOwned} is not readable and writable by this user (it belongs to uid 0, c5mesh runs as uid ${NOBODY})`)
      expect(line).not.toMatch(/\.init-/)
    }
    expect(await readdir(rootOwned)).toEqual([])
    expect(await readdir(dir.path)).not.toContainEqual(expect.stringMatching(/^\.root-owned/))
    // another user's node folder: refused as a whole, before any file in it
    expect(oneLine(await c5mesh(['--data', data, 'status'], {}, AS_NOBODY), 'NODE_DATA_PERMISSION')).toContain(data)
  })

  it.runIf(isRoot)('an unreadable key file: IDENTITY_KEY_UNREADABLE (not "not valid JSON")', async () => {
    const own = join(dir.path, 'nobody-node')
    await mkdir(own)
    await chown(own, NOBODY, NOBODY)
    await c5meshJson(['--data', own, 'init', '--dev'], {}, AS_NOBODY)
    await chmod(join(own, 'keys', 'operator.json'), 0o000)
    const line = oneLine(await c5mesh(['--data', own, 'send', '--headline', 'x'], {}, AS_NOBODY), 'IDENTITY_KEY_UNREADABLE')
    expect(line).toContain(`cannot read key file ${join(own, 'keys', 'operator.json')}: permission denied`)
  })

  it.runIf(isRoot)('a read-only TMPDIR: commands run as usual, with one line for their own outcome (no loader stack trace)', async () => {
    const ro = join(dir.path, 'ro-tmp')
    await mkdir(ro, { mode: 0o555 })
    const own = join(dir.path, 'nobody-tmp')
    await mkdir(own)
    await chown(own, NOBODY, NOBODY)
    const env = { TMPDIR: ro }
    expect(oneLine(await c5mesh(['--data', join(own, 'none'), 'status'], env, AS_NOBODY), 'CLI_NOT_INITIALISED')).toBeTruthy()
    const init = await c5mesh(['--data', own, 'init', '--dev'], env, AS_NOBODY)
    expect(init.stderr).toBe('')
    expect(init.code).toBe(0)
    const sent = await c5mesh(['--data', own, 'send', '--headline', 'con TMPDIR de solo lectura', '--json'], env, AS_NOBODY)
    expect(sent.stderr).toBe('')
    expect(JSON.parse(sent.stdout).id).toMatch(/^bafkrei/)
  })
})
