/**
 * The hotlist across real nodes: libp2p over loopback TCP, LevelDB on disk, the real sync
 * and ingest path, each node with its own plates service and read checker.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { generateKeyPair } from '../../src/identity/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { composeReport, createPlatesService, type PlatesService } from '../../src/plates/index.js'
import { createReadChecker, type ReadChecker } from '../../src/plates/hits.js'
import type { RosterMember } from '../../src/roster/types.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestNode, connect, waitForIds, type TestNode } from '../helpers/mesh.js'

interface PlateNode { node: TestNode, plates: PlatesService, reads: ReadChecker }
const running: PlateNode[] = []
afterEach(async () => {
  for (const p of running.splice(0)) { p.plates.stop(); await p.node.stop().catch(() => {}) }
})

async function plateNode (world: TestWorld, i: number, neighbours: string[] = []): Promise<PlateNode> {
  const node = await startTestNode(world, world.members[i])
  const plates = createPlatesService({ store: node.core.store, ingest: node.core.ingest, clock: node.core.clock })
  await plates.start()
  const reads = createReadChecker({ hotlist: plates.hotlist, clock: node.core.clock, ingest: node.core.ingest, org: world.members[i].org, neighbours, operator: world.members[i].operator })
  const p = { node, plates, reads }
  running.push(p)
  return p
}

async function publish (node: TestNode, env: Envelope): Promise<void> {
  const r = await node.core.ingest.ingest(env.bytes, 'local')
  if (!r.ok) throw new Error(`refused: ${r.code}`)
}

const read = (plate: string, camera: string, time = Date.now()) => ({ plate, camera, time, lat: 19.70, lon: -101.19 })

describe('hotlist over libp2p', () => {
  it('report on one state → check hits on another → recovery (Cancel) from a third → check misses everywhere', async () => {
    const world = createTestWorld(['MX-JAL', 'MX-MIC', 'MX-CMX'], Date.now())
    const [jal, mic, cmx] = [await plateNode(world, 0), await plateNode(world, 1), await plateNode(world, 2)]
    await connect(jal.node, mic.node)
    await connect(mic.node, cmx.node)
    const report = composeReport({ plate: 'JAL-123-4', plateState: 'MX-JAL', make: 'Nissan', model: 'Versa', year: 2019, colour: 'gris', caseNumber: 'FGE/JAL/2026/1' }, world.members[0].operator, { org: 'MX-JAL', now: Date.now() })
    await publish(jal.node, report)
    await waitForIds(cmx.node, [report.digest])
    const got = cmx.plates.check('jal 1234')
    expect(got.status).toBe('hit')
    expect(got.matches[0].entry).toMatchObject({ root: report.id, org: 'MX-JAL', report: { make: 'Nissan', caseNumber: 'FGE/JAL/2026/1' } })
    expect(mic.plates.check('JAL1Z34').status).toBe('possible') // 2 read as Z: never a certain hit

    // Michoacán recovers the vehicle: its Cancel takes the plate off every hotlist.
    const cancel = composeReport({ plate: 'JAL1234', plateState: 'MX-JAL', note: 'recuperado en Morelia' }, world.members[1].operator, { org: 'MX-MIC', now: Date.now() + 1, msgType: 'Cancel', references: [report.id] })
    await publish(mic.node, cancel)
    await Promise.all([jal, cmx].map(async p => waitForIds(p.node, [cancel.digest])))
    for (const p of [jal, mic, cmx]) {
      expect(p.plates.check('JAL1234').status).toBe('none')
      expect(p.plates.hotlist.isCancelled(report.id)).toBe(true)
    }
  })

  it('a report filed during a partition reaches the other side after the heal, and a read there hits and alerts the reporting state', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-TAB'], Date.now())
    const [yuc, cam, tab] = [await plateNode(world, 0, ['MX-CAM', 'MX-QUE']), await plateNode(world, 1, ['MX-YUC', 'MX-TAB']), await plateNode(world, 2, ['MX-CAM'])]
    await connect(yuc.node, cam.node)
    await connect(cam.node, tab.node)
    cam.node.block(tab.node); tab.node.block(cam.node)
    const report = composeReport({ plate: 'YUC-555-Z', plateState: 'MX-YUC', colour: 'rojo' }, world.members[0].operator, { org: 'MX-YUC', now: Date.now() })
    await publish(yuc.node, report)
    await waitForIds(cam.node, [report.digest])
    expect(tab.plates.check('YUC555Z').status).toBe('none') // cut off

    cam.node.unblock(tab.node); tab.node.unblock(cam.node)
    await connect(tab.node, cam.node)
    await waitForIds(tab.node, [report.digest])
    const [out] = await tab.reads.process([read('yuc 555 z', 'TAB-CAM-07')])
    expect(out.status).toBe('hit')
    const alert = out.matches[0].alert as { id: string, msgType: string }
    expect(alert.msgType).toBe('Alert')
    // The hit travels back to Yucatán as a stored, signed alert addressed to it.
    const hit = await waitForStored(yuc.node, alert.id)
    expect(hit.kind).toBe('alert')
    expect(hit.precedence).toBe('immediate')
    expect(hit.scope).toEqual(expect.arrayContaining(['MX-YUC', 'MX-TAB', 'MX-CAM']))
    expect(hit.content?.certainty).toBe('Observed')
    expect(hit.content?.parameters).toEqual(expect.arrayContaining([{ name: 'reporte', value: report.id }, { name: 'placa', value: 'YUC555Z' }, { name: 'camara', value: 'TAB-CAM-07' }]))
  })

  it('ten cameras within minutes: one hit alert, then Updates; a camera seen again only counts', async () => {
    const world = createTestWorld(['MX-NLE'], Date.now())
    const [nle] = [await plateNode(world, 0)]
    const report = composeReport({ plate: 'NLE9090', plateState: 'MX-NLE' }, world.members[0].operator, { org: 'MX-NLE', now: Date.now() })
    await publish(nle.node, report)
    const outs = []
    for (let i = 0; i < 10; i++) outs.push(...await nle.reads.process([read('NLE9090', `CAM-${i}`)]))
    outs.push(...await nle.reads.process([read('NLE9090', 'CAM-3')]))
    const kinds = outs.map(o => (o.matches[0].alert as { msgType?: string, counted?: boolean }).msgType ?? 'counted')
    expect(kinds).toEqual(['Alert', ...Array(9).fill('Update'), 'counted'])
    const stored = await nle.node.core.store.query({ kind: 'alert', limit: 100 })
    expect(stored).toHaveLength(10)
    const root = (outs[0].matches[0].alert as { id: string }).id
    const updates = stored.filter(m => m.envelope.content?.msgType === 'Update')
    expect(updates).toHaveLength(9)
    for (const u of updates) expect(u.envelope.references.length).toBeGreaterThanOrEqual(1)
    expect(nle.reads.stats()).toMatchObject({ reads: 11, hits: 11, alerts: 1, updates: 9 })
    // A read of nothing reported: counted, never stored.
    const before = nle.node.core.store.count()
    expect((await nle.reads.process([read('ABC1234', 'CAM-1')]))[0].status).toBe('none')
    expect(nle.node.core.store.count()).toBe(before)
    expect(root).toMatch(/^bafkrei/)
  })

  it('authority: an operator whose roster entry does not list vehicle cannot report, and its reports never reach a hotlist', async () => {
    const now = Date.now()
    const outsider = generateKeyPair()
    const extra: RosterMember[] = [{ key: outsider.publicKey, role: 'operator', org: 'MX-SON', mayIssue: { kinds: ['alert', 'bulletin', 'ack'], maxPrecedence: 'flash', scope: 'national' }, validFrom: now - 1000, validUntil: now + 86_400_000 }]
    const world = createTestWorld(['MX-SON'], now, extra)
    const [son] = [await plateNode(world, 0)]
    const refused = await son.node.core.ingest.ingest(composeReport({ plate: 'SON1111', plateState: 'MX-SON' }, outsider, { org: 'MX-SON', now: Date.now() }).bytes, 'local')
    expect(refused).toMatchObject({ ok: false, code: 'ROSTER_KIND_NOT_ALLOWED' })
    expect(son.plates.check('SON1111').status).toBe('none')
  })

  it('a restart rebuilds the hotlist from the store (Cancel included)', async () => {
    const world = createTestWorld(['MX-GRO'], Date.now())
    const p = await plateNode(world, 0)
    const op = world.members[0].operator
    const a = composeReport({ plate: 'GRO1001', plateState: 'MX-GRO' }, op, { org: 'MX-GRO', now: Date.now() })
    const b = composeReport({ plate: 'GRO1002', plateState: 'MX-GRO' }, op, { org: 'MX-GRO', now: Date.now() })
    for (const e of [a, b, composeReport({ plate: 'GRO1002', plateState: 'MX-GRO' }, op, { org: 'MX-GRO', now: Date.now() + 1, msgType: 'Cancel', references: [b.id] })]) await publish(p.node, e)
    p.plates.stop()
    await p.node.stop()
    await p.node.restart()
    const again = createPlatesService({ store: p.node.core.store, ingest: p.node.core.ingest, clock: p.node.core.clock })
    expect((await again.start()).messages).toBe(3)
    p.plates = again
    expect(again.check('GRO1001').status).toBe('hit')
    expect(again.check('GRO1002').status).toBe('none')
  })
})

async function waitForStored (node: TestNode, id: string): Promise<Envelope> {
  const { digestFromId } = await import('../../src/envelope/index.js')
  await waitForIds(node, [digestFromId(id)])
  const m = await node.core.store.get(id)
  if (m === undefined) throw new Error('not stored')
  return m.envelope
}
