/**
 * Several real nodes in one process: libp2p over loopback TCP, LevelDB on disk, the real
 * sync protocol and ingest path.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestNode, connect, waitForIds, type TestNode } from '../helpers/mesh.js'

const nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => n.stop().catch(() => {})))
})

async function network (world: TestWorld): Promise<TestNode[]> {
  const started = await Promise.all(world.members.map(async m => startTestNode(world, m)))
  nodes.push(...started)
  return started
}

function alert (world: TestWorld, i: number, headline: string, precedence: Envelope['precedence'] = 'priority'): Envelope {
  return composeEnvelope({ kind: 'alert', org: world.members[i].org, precedence, content: { msgType: 'Alert', headline } }, world.members[i].operator, { now: Date.now() })
}

async function publish (node: TestNode, env: Envelope): Promise<void> {
  const r = await node.core.ingest.ingest(env.bytes, 'local')
  if (!r.ok) throw new Error(`publish refused: ${r.code}`)
}

async function inboxIds (node: TestNode): Promise<string[]> {
  return (await node.core.store.query({ kind: 'alert', limit: 10_000 })).map(m => m.envelope.id)
}

describe('mesh over libp2p', () => {
  it('line A–B–C with no A–C link: an alert from A reaches C through B', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-ROO'], Date.now())
    const [a, b, c] = await network(world)
    await connect(a, b)
    await connect(c, b)
    const env = alert(world, 0, 'Robo de vehículo placa ABC1234')
    await publish(a, env)
    await waitForIds(c, [env.digest])
    expect(a.mesh.host.getConnections(c.mesh.host.peerId)).toHaveLength(0)
    expect(await inboxIds(c)).toEqual([env.id])
  })

  it('partition and heal: messages published on both sides while cut reach every node exactly once', async () => {
    const world = createTestWorld(['MX-CHP', 'MX-TAB', 'MX-CMX', 'MX-JAL'], Date.now())
    const [chp, tab, cmx, jal] = await network(world)
    await connect(chp, tab); await connect(tab, cmx); await connect(cmx, jal)
    const before = alert(world, 0, 'antes del corte')
    await publish(chp, before)
    await waitForIds(jal, [before.digest])

    // the hurricane: the south-east (CHP, TAB) loses its links to the rest
    tab.block(cmx); cmx.block(tab)
    const south = [alert(world, 0, 'sur 1'), alert(world, 1, 'sur 2'), alert(world, 1, 'sur 3', 'flash')]
    const north = [alert(world, 2, 'norte 1'), alert(world, 3, 'norte 2')]
    for (const e of south) await publish(e === south[0] ? chp : tab, e)
    for (const e of north) await publish(e === north[0] ? cmx : jal, e)
    await waitForIds(chp, south.map(e => e.digest))
    await waitForIds(cmx, north.map(e => e.digest))
    expect(await tab.core.store.status(north[0].digest)).toBeUndefined()

    // heal
    tab.unblock(cmx); cmx.unblock(tab)
    await connect(tab, cmx)
    const all = [before, ...south, ...north]
    await Promise.all([chp, tab, cmx, jal].map(async n => waitForIds(n, all.map(e => e.digest))))
    for (const n of [chp, tab, cmx, jal]) {
      const ids = await inboxIds(n)
      expect(ids.length).toBe(all.length)
      expect(new Set(ids)).toEqual(new Set(all.map(e => e.id)))
    }
  })

  it('a peer not on the roster is refused, in both directions', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const outsiderWorld = createTestWorld(['MX-XXX'], Date.now())
    const [a] = await network(world)
    // same roots? no: the outsider has its own roster; a's roster does not name it
    const outsider = await startTestNode({ ...outsiderWorld }, outsiderWorld.members[0])
    nodes.push(outsider)
    await expect(outsider.mesh.dial(a.mesh.addrs()[0]).then(async () => {
      // an inbound refusal can look like success to the dialer for a moment; the link must not last
      await new Promise<void>((resolve, reject) => {
        const conns = outsider.mesh.host.getConnections(a.mesh.host.peerId)
        if (conns.length === 0) { reject(new Error('refused')); return }
        outsider.mesh.host.addEventListener('connection:close', () => reject(new Error('refused')), { once: true })
        void resolve
      })
    })).rejects.toThrow()
    await expect(a.mesh.dial(outsider.mesh.addrs()[0])).rejects.toThrow()
    expect(a.mesh.host.getConnections()).toHaveLength(0)
    expect(a.mesh.sessionCount()).toBe(0)
  })
})
