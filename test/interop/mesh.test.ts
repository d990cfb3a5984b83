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

async function network (world: TestWorld, options: Parameters<typeof startTestNode>[2] = {}): Promise<TestNode[]> {
  const started = await Promise.all(world.members.map(async m => startTestNode(world, m, options)))
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
    // The peers view counts frames per type: B pushed the alert to C, C received it from B.
    const bSeesC = (await b.mesh.peers()).find(p => p.peerId === c.mesh.host.peerId.toString())
    const cSeesB = (await c.mesh.peers()).find(p => p.peerId === b.mesh.host.peerId.toString())
    expect(bSeesC?.sync?.framesSent.msg).toBeGreaterThanOrEqual(1)
    expect(cSeesB?.sync?.framesReceived.msg).toBe(bSeesC?.sync?.framesSent.msg)
    expect(cSeesB?.sync?.framesReceived.hello).toBe(1)
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
    // Dialling in: a's gater refuses the encrypted connection. The dialer may see a
    // connection for a moment (an inbound refusal looks like success to it), but it never
    // lasts and never carries a session.
    const dialIn = outsider.mesh.dial(a.mesh.addrs()[0]).then(async () => {
      if (outsider.mesh.host.getConnections(a.mesh.host.peerId).length === 0) return
      await new Promise<void>(resolve => outsider.mesh.host.addEventListener('connection:close', () => resolve(), { once: true }))
    }, () => {})
    await dialIn
    expect(outsider.mesh.host.getConnections(a.mesh.host.peerId)).toHaveLength(0)
    await expect(a.mesh.dial(outsider.mesh.addrs()[0])).rejects.toThrow()
    expect(a.mesh.host.getConnections()).toHaveLength(0)
    expect(a.mesh.sessionCount()).toBe(0)
  })
})

describe('reconnection', () => {
  it('a restarted node dials its roster peers at the addresses it remembered, with no bootstrap or dial', async () => {
    const world = createTestWorld(['MX-SON', 'MX-SIN'], Date.now())
    // A first dial that fails on a loaded machine is tried again soon (the helper's default
    // waits a minute).
    const [son, sin] = await network(world, { reconnect: { intervalMs: 2_000, minBackoffMs: 500 } })
    await connect(sin, son)
    const first = alert(world, 0, 'antes')
    await publish(son, first)
    await waitForIds(sin, [first.digest])
    // The address book is written when identify completes, which a message may overtake on
    // a loaded machine: wait (bounded) for the record rather than race it.
    const sonKey = Buffer.from(world.members[0].node.publicKey).toString('hex')
    let remembered = await sin.core.store.peers.get(sonKey)
    for (let i = 0; i < 200 && (remembered?.addrs.length ?? 0) === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 25))
      remembered = await sin.core.store.peers.get(sonKey)
    }
    expect(remembered?.addrs.length).toBeGreaterThan(0)
    await sin.stop()
    const whileDown = alert(world, 0, 'mientras tanto')
    await publish(son, whileDown)
    await sin.restart() // same folder; its reconnect loop runs at start
    await waitForIds(sin, [whileDown.digest])
    expect(sin.mesh.host.getConnections(son.mesh.host.peerId).length).toBeGreaterThan(0)
  })
})
