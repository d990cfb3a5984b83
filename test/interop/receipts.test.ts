/**
 * The delivery matrix over real libp2p nodes (loopback TCP, LevelDB, the real sync): the
 * originator sees each state go pending → delivered (receipt) → acknowledged (ack); across a
 * partition the cut-off state stays pending (never a guess), and after the heal its late
 * receipt arrives and the row moves on. Rows only ever move forward, also across a restart
 * of the originator.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { composeAck } from '../../src/node/compose-request.js'
import { messageDetail } from '../../src/inbox/index.js'
import { onlyForward, type DeliveryMatrix, type DeliveryState } from '../../src/receipts/index.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestNode, connect, waitForIds, type TestNode } from '../helpers/mesh.js'

const nodes: TestNode[] = []
afterEach(async () => { await Promise.all(nodes.splice(0).map(async n => n.stop().catch(() => {}))) })

const RECEIPTS = { batchMs: 100 }

async function publish (node: TestNode, env: Envelope): Promise<void> {
  const r = await node.core.ingest.ingest(env.bytes, 'local')
  if (!r.ok) throw new Error(`publish refused: ${r.code}`)
}

function alert (world: TestWorld, i: number, headline: string): Envelope {
  return composeEnvelope({ kind: 'alert', org: world.members[i].org, precedence: 'flash', content: { msgType: 'Alert', headline } }, world.members[i].operator, { now: Date.now() })
}

/** Resolves once a has no connection left to b. */
async function disconnected (a: TestNode, b: TestNode): Promise<void> {
  const peer = b.mesh.host.peerId
  await new Promise<void>(resolve => {
    const check = (): void => { if (a.mesh.host.getConnections(peer).length === 0) { a.mesh.host.removeEventListener('peer:disconnect', check); resolve() } }
    a.mesh.host.addEventListener('peer:disconnect', check)
    check()
  })
}

const stateOf = (m: DeliveryMatrix, org: string): DeliveryState | undefined => m.rows.find(r => r.org === org)?.state

/** The matrix of `env` on `node` each time it changes, until `done` holds (every snapshot is kept). */
async function watchMatrix (node: TestNode, env: Envelope, done: (m: DeliveryMatrix) => boolean, snapshots: DeliveryMatrix[], timeoutMs = 20_000): Promise<DeliveryMatrix> {
  const take = async (): Promise<DeliveryMatrix> => { const m = (await messageDetail(node.core, env.id)).matrix!; snapshots.push(m); return m }
  // Listening before the first look: a receipt or ack stored while it is being taken would
  // otherwise be missed (and the wait time out with everything there).
  return await new Promise<DeliveryMatrix>((resolve, reject) => {
    let settled = false
    const finish = (m: DeliveryMatrix): void => { if (!settled && done(m)) { settled = true; clearTimeout(timer); node.core.ingest.events.off('message', on); resolve(m) } }
    const timer = setTimeout(() => { node.core.ingest.events.off('message', on); reject(new Error(`matrix not reached; last: ${JSON.stringify(snapshots.at(-1)?.rows.filter(r => r.state !== 'pending'))}`)) }, timeoutMs)
    const on = ({ envelope }: { envelope: Envelope }): void => {
      if (envelope.kind !== 'receipt' && envelope.kind !== 'ack') return
      void take().then(finish)
    }
    node.core.ingest.events.on('message', on)
    void take().then(finish)
  })
}

describe('delivery matrix over real libp2p nodes', { timeout: 90_000 }, () => {
  it('pending → delivered → acknowledged; a partitioned state stays pending until its late receipt arrives after the heal; only forward, across a restart', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-ROO'], Date.now())
    const [yuc, cam, roo] = await Promise.all(world.members.map(async m => startTestNode(world, m, { receipts: RECEIPTS })))
    nodes.push(yuc, cam, roo)
    await connect(cam, yuc)
    await connect(roo, yuc)
    const snapshots: DeliveryMatrix[] = []

    // 1. Everyone connected: both states receipt it, Campeche acknowledges.
    const first = alert(world, 0, 'Huracán categoría 4: evacuación costera')
    await publish(yuc, first)
    let m = await watchMatrix(yuc, first, x => stateOf(x, 'MX-CAM') === 'delivered' && stateOf(x, 'MX-ROO') === 'delivered', snapshots)
    expect(stateOf(m, 'MX-YUC')).toBe('delivered') // the originator's own row: the message itself
    expect(m.rows.find(r => r.org === 'MX-CAM')!.delivered!.by).toBe('receipt')
    expect(stateOf(m, 'MX-JAL')).toBe('pending') // national scope: every state has a row
    expect(m.counts.total).toBe(32)
    const ack = composeAck({ ...first }, { note: 'refugios abiertos' }, { org: 'MX-CAM', operator: world.members[1].operator, now: Date.now() })
    await publish(cam, ack)
    m = await watchMatrix(yuc, first, x => stateOf(x, 'MX-CAM') === 'acknowledged', snapshots)
    expect(m.rows.find(r => r.org === 'MX-CAM')!.acknowledged).toMatchObject({ id: ack.id, note: 'refugios abiertos' })

    // 2. Quintana Roo cut off: a second alert is delivered to Campeche only.
    const cut = disconnected(yuc, roo)
    roo.block(yuc); yuc.block(roo)
    await cut
    const second = alert(world, 0, 'Segunda alerta durante el corte')
    await publish(yuc, second)
    const secondSnaps: DeliveryMatrix[] = []
    m = await watchMatrix(yuc, second, x => stateOf(x, 'MX-CAM') === 'delivered', secondSnaps)
    expect(stateOf(m, 'MX-ROO')).toBe('pending')
    expect(await roo.core.store.status(second.digest)).toBeUndefined()

    // 3. The originator restarts while cut: the matrix is what it was (signed messages on disk).
    await yuc.stop()
    await yuc.restart()
    await connect(cam, yuc)
    m = await watchMatrix(yuc, second, x => stateOf(x, 'MX-CAM') === 'delivered', secondSnaps)
    expect(stateOf((await messageDetail(yuc.core, first.id)).matrix!, 'MX-CAM')).toBe('acknowledged')

    // 4. Heal: reconciliation brings the alert to Quintana Roo; its receipt comes back late.
    roo.unblock(yuc); yuc.unblock(roo)
    await connect(roo, yuc)
    await waitForIds(roo, [second.digest])
    m = await watchMatrix(yuc, second, x => stateOf(x, 'MX-ROO') === 'delivered', secondSnaps)
    const late = m.rows.find(r => r.org === 'MX-ROO')!.delivered!
    expect(late.by).toBe('receipt')
    expect(late.at).toBeGreaterThan(second.created)

    for (const list of [snapshots, secondSnaps]) {
      for (let i = 1; i < list.length; i++) expect(onlyForward(list[i - 1], list[i])).toBe(true)
    }
  })
})
