/**
 * `c5mesh start` with a radio link in config.json (docs/protocol/links.md §6 "Radio links"):
 * two daemons, no libp2p path between them, each on its own Direwolf modem (9,600 bit/s,
 * joined by FIFOs). An alert sent at A reaches B over the radio; `c5mesh peers` shows the
 * radio link's counters and its neighbour, and GET /v1/radio the same as JSON.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { join } from 'node:path'
import { createTestWorld } from '../../src/sim/world.js'
import { direwolfInstalled, startDirewolfPair, type DirewolfPair } from '../../src/sim/direwolf.js'
import { c5mesh, c5meshJson, startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'
import { daemonInfo, prepareFolder } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'

const children: DaemonProcess[] = []
let pair: DirewolfPair | undefined
let tmp: Awaited<ReturnType<typeof tempDir>> | undefined

afterEach(async () => {
  for (const c of children.splice(0)) { c.child.kill('SIGKILL'); await c.exited }
  await pair?.stop()
  pair = undefined
  await tmp?.cleanup()
  tmp = undefined
})

async function eventually<T> (fn: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

describe.skipIf(!direwolfInstalled())('c5mesh start on a radio link', { timeout: 240_000 }, () => {
  it('an alert sent at A reaches B over Direwolf; peers shows the radio link and its counters', async () => {
    pair = await startDirewolfPair({ baud: 9600 })
    tmp = await tempDir('c5mesh-radio-daemons-')
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const dirA = join(tmp.path, 'a'); const dirB = join(tmp.path, 'b')
    const radio = (port: number, stationId: string): Record<string, unknown> => ({ radio: [{ kind: 'kiss-tcp', host: '127.0.0.1', port, stationId, bitRate: 9600, fullDuplex: true }] })
    await prepareFolder(world, world.members[0], dirA, { extra: radio(pair.kissA, 'C5-YUC') })
    await prepareFolder(world, world.members[1], dirB, { extra: radio(pair.kissB, 'C5-CAM') })
    children.push(await startDaemonProcess(['--data', dirA]))
    children.push(await startDaemonProcess(['--data', dirB]))
    const infoB = await daemonInfo(dirB)
    // The radio link comes up by itself (beacons, open, reply).
    await eventually(async () => {
      const rows = await c5meshJson(['--data', dirA, 'peers', '--json']) as Array<Record<string, any>>
      return rows.find(r => r.transport === 'radio' && r.state === 'connected' && r.syncing === true)
    }, 60_000, 'radio neighbour at A')
    const sent = await c5meshJson(['--data', dirA, 'send', '--headline', 'Robo de vehículo por radio', '--precedence', 'flash'])
    const shown = await eventually(async () => {
      const r = await fetch(`${infoB.api}/v1/messages/${encodeURIComponent(sent.id)}`, { headers: infoB.auth })
      return r.status === 200 ? await r.json() as Record<string, any> : undefined
    }, 60_000, 'the alert at B')
    expect(shown.source).toBe('peer:radio:C5-YUC')
    const text = await c5mesh(['--data', dirA, 'peers'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^radio kiss-tcp:127\.0\.0\.1:\d+ {2}station C5-YUC \(tag [0-9a-f]{4}\), 9,600 bit\/s, 256-byte frames, TNC connected$/m)
    expect(text.stdout).toMatch(/^ {2}sent \d+ frames [\d,]+ B · heard \d+ frames [\d,]+ B · sent again \d+ · NACKs \d+ sent \d+ received · airtime [\d.]+ s$/m)
    expect(text.stdout).toMatch(/^ {2}queue: control \d+ .*· flash \d+ .*· routine \d+/m)
    expect(text.stdout).toMatch(/^ {2}linked +MX-CAM +C5-CAM {2}heard \d+ frames/m)
    const infoA = await daemonInfo(dirA)
    const views = await (await fetch(`${infoA.api}/v1/radio`, { headers: infoA.auth })).json() as Array<Record<string, any>>
    expect(views).toHaveLength(1)
    expect(views[0].station.framesSent).toBeGreaterThan(0)
    expect(views[0].station.airtimeMs).toBeGreaterThan(0)
    expect(views[0].tnc.connected).toBe(true)
  })
})
