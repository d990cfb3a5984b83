/**
 * What operators see (issue 12 §3), through the real bin: remote text never reaches the
 * terminal raw, times are in the configured zone with their offset, ids have a short form
 * that every command accepts, and the inbox says what updates and acks refer to.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeEnvelope, signEnvelope } from '../../src/envelope/index.js'
import { fromHex, keyId, readKeyFile } from '../../src/identity/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
let data: string
let hostileId: string
const HOSTILE = 'Robo\u001b[2J\u001b[31m FALSO\nflash MX-CMX forged line\u009b1m'

beforeAll(async () => {
  dir = await tempDir('c5mesh-display-')
  data = join(dir.path, 'a')
  await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-YUC'])
  const cfgPath = join(data, 'config.json')
  const config = JSON.parse(await readFile(cfgPath, 'utf8'))
  await writeFile(cfgPath, JSON.stringify({ ...config, timeZone: 'America/Mexico_City' }))
  // A message as an older node (or one that skips the text rules) would have stored it.
  const operator = (await readKeyFile(join(data, 'keys', 'operator.json'))).pair
  const now = Date.now()
  const env = decodeEnvelope(signEnvelope({ version: 1, kind: 'alert', author: keyId(operator.publicKey), org: 'MX-YUC', created: now, expires: now + 3_600_000, precedence: 'flash', scope: [], references: [], content: { msgType: 'Alert', headline: HOSTILE, description: 'uno\n\u001b]0;titulo\u0007dos' } }, operator.privateKey).bytes)
  hostileId = env.id
  const core = await openNodeCore({ storePath: join(data, 'db'), anchors: { keys: config.trustAnchors.keys.map(fromHex), threshold: 1 } })
  await core.store.put(env, { received: now, source: 'peer:old' }, { sync: true })
  await core.close()
})
afterAll(async () => { await dir.cleanup() })

const TERMINAL_ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/

describe('what operators see', { timeout: 120_000 }, () => {
  it('control characters from other states are never printed raw: not in the inbox, not in show, not in --json', async () => {
    const inbox = await c5mesh(['--data', data, 'inbox'])
    expect(inbox.code).toBe(0)
    expect(inbox.stdout).not.toMatch(TERMINAL_ACTIVE)
    const lines = inbox.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1) // the newline did not forge a second inbox line
    expect(lines[0]).toContain('Robo␛[2J␛[31m FALSO␤flash MX-CMX forged line\ufffd1m')
    const shown = await c5mesh(['--data', data, 'show', hostileId])
    expect(shown.stdout).not.toMatch(TERMINAL_ACTIVE)
    expect(shown.stdout).toContain('description uno\n            ␛]0;titulo␇dos') // multi-line, indented, visible
    const json = await c5mesh(['--data', data, 'show', hostileId, '--json'])
    expect(json.stdout).not.toMatch(TERMINAL_ACTIVE)
    expect(JSON.parse(json.stdout).content.headline).toBe(HOSTILE) // the data is intact
  })

  it('new messages with control characters, a blank headline or a 16 KB headline are refused in one line', async () => {
    const esc = await c5mesh(['--data', data, 'send', '--headline', 'x\u001b[31mRED'])
    expect(esc.stderr).toBe('error CLI_BAD_ARGUMENT: --headline: a one-line field takes no control characters or line breaks (U+001B at character 2)\n')
    expect((await c5mesh(['--data', data, 'send', '--headline', ' '])).stderr).toMatch(/^error CLI_BAD_ARGUMENT: --headline: must not be blank/)
    expect((await c5mesh(['--data', data, 'send', '--headline', 'x'.repeat(16_000)])).stderr).toMatch(/^error CLI_BAD_ARGUMENT: --headline: longer than 256 bytes/)
    expect((await c5mesh(['--data', data, 'send', '--headline', 'ok', '--param', 'placa=YUC\u001b[8m'])).stderr).toMatch(/^error CLI_BAD_ARGUMENT: --param: .*U\+001B/)
  })

  it('times in the configured zone with their offset; short ids accepted by show, ack and --references; msgType and acks in the inbox', async () => {
    const sent = await c5meshJson(['--data', data, 'send', '--headline', 'Vehículo robado', '--precedence', 'immediate'])
    const short = String(sent.id).slice(7, 15)
    const inbox = await c5mesh(['--data', data, 'inbox', '--order', 'newest'])
    const line = inbox.stdout.split('\n').find(l => l.includes('Vehículo robado'))!
    // (the node is not running: the line also says the message has not left)
    expect(line).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d -06:00  Vehículo robado  [a-z2-7]{8,}  \[NOT SENT YET: stored here, no peer has it\]$/)
    expect(line).toContain(`  ${short}  [NOT SENT YET`)
    expect((await c5meshJson(['--data', data, 'show', short])).id).toBe(sent.id)
    expect((await c5meshJson(['--data', data, 'show', short.toUpperCase()])).id).toBe(sent.id)
    const update = await c5meshJson(['--data', data, 'send', '--headline', 'Localizado en Umán', '--msg-type', 'Update', '--references', short])
    expect((await c5meshJson(['--data', data, 'show', update.id])).references).toEqual([sent.id])
    const ack = await c5meshJson(['--data', data, 'ack', short, '--note', 'patrulla enviada'])
    expect(ack.acknowledges).toBe(sent.id)
    const all = await c5mesh(['--data', data, 'inbox', '--order', 'newest', '--kind', 'ack'])
    expect(all.stdout).toContain(`ack of ${short} "Vehículo robado": patrulla enviada`)
    const upd = (await c5mesh(['--data', data, 'inbox', '--order', 'newest'])).stdout
    expect(upd).toContain(`UPDATE of ${short} "Vehículo robado": Localizado en Umán`)
    const detail = (await c5mesh(['--data', data, 'show', short])).stdout
    expect(detail).toMatch(/created {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -06:00/)
    expect(detail).toMatch(/ {2}MX-YUC {3}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d -06:00  patrulla enviada/)
    const tooShort = await c5mesh(['--data', data, 'show', 'abc'])
    expect(tooShort.stderr).toMatch(/^error CLI_BAD_ARGUMENT: not a message id: abc \(an id, or at least 8 of its characters/)
  })

  it('expiry limits in words, the maximum from config; --scope only known orgs (the states, the roster\'s, config knownOrgs)', async () => {
    const line = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
      const r = await c5mesh(['--data', data, 'send', '--headline', 'x', ...args], env)
      expect(r.code, r.stderr).toBe(2)
      return r.stderr.trim()
    }
    expect(await line(['--expires', '0s'])).toBe('error CLI_BAD_ARGUMENT: --expires: must be at least 1 minute')
    expect(await line(['--expires', '45d'])).toBe('error CLI_BAD_ARGUMENT: --expires: must be between 1 minute and 30 days (this node\'s compose.maxLifetimeMs), got 45 days')
    expect(await line(['--expires', '3d'], { C5MESH_COMPOSE_MAX_LIFETIME_MS: String(2 * 86_400_000) })).toMatch(/between 1 minute and 2 days .*got 3 days$/)
    expect(await line(['--scope', 'MX-YUC,MX-XYZ'])).toMatch(/^error CLI_BAD_ARGUMENT: --scope: unknown org MX-XYZ: expected one of the 32 states/)
    expect(await line(['--scope', 'SEDENA'])).toMatch(/unknown org SEDENA/)
    const ok = await c5meshJson(['--data', data, 'send', '--headline', 'x', '--scope', 'MX-CAM,SEDENA', '--expires', '30d'], { C5MESH_KNOWN_ORGS: 'SEDENA' })
    expect((await c5meshJson(['--data', data, 'show', ok.id])).scope).toEqual(['MX-CAM', 'SEDENA'])
  })
})
