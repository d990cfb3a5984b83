/** The real `c5mesh` command, as an operator and an authority use it (no daemon running). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { stat, chmod, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
let data: string
beforeAll(async () => {  // (each command is a new Node process: ~1 s)
  dir = await tempDir('c5mesh-cli-')
  data = join(dir.path, 'a')
  const init = await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-YUC'])
  expect(init.org).toBe('MX-YUC')
})
afterAll(async () => { await dir.cleanup() })

describe('c5mesh CLI', { timeout: 180_000 }, () => {
  it('init makes keys readable only by their owner and refuses to run twice', async () => {
    for (const f of ['node.json', 'operator.json', 'root.json']) {
      expect((await stat(join(data, 'keys', f))).mode & 0o777).toBe(0o600)
    }
    const again = await c5mesh(['--data', data, 'init', '--dev'])
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toMatch(/^error NODE_ALREADY_INITIALISED: /)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
  })

  it('send → inbox → show: the most urgent first, with its parameters', async () => {
    const routine = await c5meshJson(['--data', data, 'send', '--kind', 'bulletin', '--headline', 'Boletín semanal', '--precedence', 'routine'])
    const flash = await c5meshJson(['--data', data, 'send', '--headline', 'Robo de vehículo', '--param', 'placa=YUC-123-A', '--param', 'color=gris', '--precedence', 'flash', '--expires', '6h'])
    expect(flash.id).toMatch(/^bafkrei/)
    const inbox = await c5meshJson<any[]>(['--data', data, 'inbox'])
    expect(inbox.map(m => m.id)).toEqual([flash.id, routine.id])
    const shown = await c5meshJson(['--data', data, 'show', flash.id])
    expect(shown.content.parameters).toEqual([{ name: 'placa', value: 'YUC-123-A' }, { name: 'color', value: 'gris' }])
    expect(shown.expires - shown.created).toBe(6 * 3600_000)
    const text = await c5mesh(['--data', data, 'inbox'])
    expect(text.stdout.split('\n')[0]).toContain('Robo de vehículo')
    const st = await c5meshJson(['--data', data, 'status'])
    expect(st.messages).toBeGreaterThanOrEqual(3) // roster + 2
    expect(st.rosterVersion).toBe(1)
  })

  it('ack: an operator acknowledges an alert; show lists the ack with its org and note', async () => {
    const sent = await c5meshJson(['--data', data, 'send', '--headline', 'Vehículo robado', '--precedence', 'immediate'])
    const ack = await c5meshJson(['--data', data, 'ack', sent.id, '--note', 'patrulla enviada'])
    expect(ack.acknowledges).toBe(sent.id)
    const shown = await c5meshJson(['--data', data, 'show', sent.id])
    expect(shown.acks).toEqual([expect.objectContaining({ id: ack.id, org: 'MX-YUC', note: 'patrulla enviada' })])
    const ackShown = await c5meshJson(['--data', data, 'show', ack.id])
    expect(ackShown).toMatchObject({ kind: 'ack', references: [sent.id] })
    const again = await c5mesh(['--data', data, 'ack', ack.id])
    expect(again.stderr).toMatch(/^error CLI_BAD_ARGUMENT: only alerts and bulletins/)
    const missing = await c5mesh(['--data', data, 'ack', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'])
    expect(missing.stderr).toMatch(/^error NODE_NOT_FOUND: /)
  })

  it('bad input: one line with a code, non-zero exit, nothing written', async () => {
    const before = (await c5meshJson<any[]>(['--data', data, 'inbox', '--limit', '1000'])).length
    const cases: Array<[string[], string]> = [
      [['send', '--headline', 'x', '--precedence', 'urgent'], 'CLI_BAD_ARGUMENT'],
      [['send', '--headline', 'x', '--expires', 'tomorrow'], 'CLI_BAD_ARGUMENT'],
      [['send', '--headline', 'x', '--scope', 'mexico'], 'CLI_BAD_ARGUMENT'],
      [['send', '--headline', 'x', '--param', 'novalue'], 'CLI_BAD_ARGUMENT'],
      [['send'], 'CLI_BAD_ARGUMENT'],
      [['inbox', '--limit', '0'], 'CLI_BAD_ARGUMENT'],
      [['show', 'not-an-id'], 'CLI_BAD_ARGUMENT'],
      [['show', 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'], 'NODE_NOT_FOUND'],
      [['roster', 'add', '--key', 'abcd', '--role', 'node', '--org', 'MX-YUC'], 'CLI_BAD_ARGUMENT'],
      [['peers'], 'NODE_NOT_RUNNING'],
      [['nonsense'], 'CLI_BAD_ARGUMENT']
    ]
    for (const [args, code] of cases) {
      const r = await c5mesh(['--data', data, ...args])
      expect(r.code, args.join(' ')).not.toBe(0)
      expect(r.stderr.trim(), args.join(' ')).toMatch(new RegExp(`^error ${code}: `))
    }
    expect((await c5meshJson<any[]>(['--data', data, 'inbox', '--limit', '1000'])).length).toBe(before)
    const badEnv = await c5mesh(['--data', data, 'status'], { C5MESH_API_PORT: 'abc' })
    expect(badEnv.stderr).toMatch(/^error CONFIG_INVALID: .*api\.port/)
    const none = await c5mesh(['--data', join(dir.path, 'nowhere'), 'inbox'])
    expect(none.stderr).toMatch(/^error CLI_NOT_INITIALISED: /)
  })

  it('a stale daemon.json (its pid alive, its API silent) does not lock the operator out', async () => {
    const { writeFile, rm } = await import('node:fs/promises')
    await writeFile(join(data, 'daemon.json'), JSON.stringify({ pid: process.pid, api: 'http://127.0.0.1:9', peerId: 'gone', startedAt: 0 }))
    try {
      const st = await c5meshJson(['--data', data, 'status'])
      expect(st.running).toBe(false) // answered from the store, not the dead API
    } finally {
      await rm(join(data, 'daemon.json'), { force: true })
    }
  })

  it('a key file readable by others is refused', async () => {
    const other = join(dir.path, 'perm')
    await c5meshJson(['--data', other, 'init', '--dev'])
    await chmod(join(other, 'keys', 'operator.json'), 0o644)
    const r = await c5mesh(['--data', other, 'send', '--headline', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error IDENTITY_KEY_PERMISSIONS: /)
  })

  it('roster: add a member, sign with the root, export, import — the new version is in force and names the member', async () => {
    const b = join(dir.path, 'b')
    const idB = (await c5meshJson(['--data', b, 'init', '--org', 'MX-CAM'])).nodeKey as string
    await c5meshJson(['--data', data, 'roster', 'add', '--key', idB, '--role', 'node', '--org', 'MX-CAM', '--name', 'C5 Campeche'])
    const unsigned = await c5mesh(['--data', data, 'roster', 'import', join(data, 'roster-draft.cbor')])
    expect(unsigned.stderr).toMatch(/^error ROSTER_UNDER_THRESHOLD: /)
    const signed = await c5meshJson(['--data', data, 'roster', 'sign'])
    expect(signed).toMatchObject({ version: 2, signatures: 1 })
    const file = join(dir.path, 'roster-v2.cbor')
    await c5meshJson(['--data', data, 'roster', 'export', '--out', file])
    await c5meshJson(['--data', data, 'roster', 'import', file])
    const shown = await c5meshJson(['--data', data, 'roster', 'show'])
    expect(shown.version).toBe(2)
    expect(shown.members.find((m: any) => m.key === idB)).toMatchObject({ role: 'node', org: 'MX-CAM', name: 'C5 Campeche' })
    // importing the same version again is a duplicate, not a new version
    const dup = await c5mesh(['--data', data, 'roster', 'import', file])
    expect(dup.stderr).toMatch(/^error INGEST_DUPLICATE: /)
    // a revocation in version 3: the operator's later messages are refused
    const op = (await c5meshJson(['--data', data, 'id'])).operatorKey as string
    await c5meshJson(['--data', data, 'roster', 'revoke', '--key', op, '--effective', 'now', '--reason', 'prueba'])
    await c5meshJson(['--data', data, 'roster', 'sign'])
    await c5meshJson(['--data', data, 'roster', 'export', '--out', file])
    await c5meshJson(['--data', data, 'roster', 'import', file])
    const refused = await c5mesh(['--data', data, 'send', '--headline', 'después de revocar'])
    expect(refused.stderr).toMatch(/^error ROSTER_KEY_REVOKED: /)
    expect(JSON.parse(await readFile(join(data, 'config.json'), 'utf8')).org).toBe('MX-YUC')
  })
})

describe('c5mesh roster quotas', { timeout: 180_000 }, () => {
  it('the authority sets quotas in the roster; then a bulletin living too long and an author past its rate are refused with their codes', async () => {
    const q = join(dir.path, 'q')
    await c5meshJson(['--data', q, 'init', '--dev', '--org', 'MX-OAX'])
    const bad = await c5mesh(['--data', q, 'roster', 'quotas', '--author', '3'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toMatch(/^error CLI_BAD_ARGUMENT: --author: expected messages\/bytes/)
    const draft = await c5meshJson(['--data', q, 'roster', 'quotas', '--author', '3/1MiB', '--lifetime', 'bulletin:*=1d'])
    expect(draft.quotas).toMatchObject({ perAuthor: { messages: 3, bytes: 1024 * 1024 }, maxLifetimeMs: { bulletin: { flash: 86_400_000, routine: 86_400_000 } } })
    await c5meshJson(['--data', q, 'roster', 'sign'])
    const file = join(dir.path, 'roster-quotas.cbor')
    await c5meshJson(['--data', q, 'roster', 'export', '--out', file])
    await c5meshJson(['--data', q, 'roster', 'import', file])
    const long = await c5mesh(['--data', q, 'send', '--kind', 'bulletin', '--headline', 'Boletín', '--expires', '2d'])
    expect(long.stderr.trim()).toMatch(/^error QUOTA_LIFETIME_EXCEEDED: /)
    for (let i = 0; i < 3; i++) await c5meshJson(['--data', q, 'send', '--headline', `Alerta ${i}`])
    const over = await c5mesh(['--data', q, 'send', '--headline', 'Alerta 3'])
    expect(over.stderr.trim()).toMatch(/^error QUOTA_EXCEEDED: this author has reached its quota of 3 messages/)
  })
})
