/**
 * A node admits roster peers at their known addresses past libp2p's pre-authentication
 * limits (docs/protocol/links.md §5.1), with real nodes: the peer book that identify filled
 * in one run is the allow list of the next, so an outsider whose idle sockets fill every
 * pending slot of a restarted node cannot keep its roster peers out.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { connect as tcpConnect, type Socket } from 'node:net'
import { toHex } from '../../src/identity/index.js'
import { createTestWorld } from '../helpers/world.js'
import { startTestNode, connect, type TestNode } from '../helpers/mesh.js'

const nodes: TestNode[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(nodes.splice(0).map(async n => n.stop().catch(() => {})))
})

async function idleSockets (addr: string, n: number): Promise<void> {
  const port = Number(addr.split('/')[4])
  await Promise.all(Array.from({ length: n }, async (_, i) => {
    const s = tcpConnect({ host: '127.0.0.1', port, localAddress: `127.0.1.${2 + (i % 40)}` })
    s.on('error', () => {})
    sockets.push(s)
    await new Promise<void>(resolve => { s.once('connect', () => { resolve() }); s.once('close', () => { resolve() }) })
  }))
}

describe('admission of roster peers', () => {
  it('a restarted node lets a roster peer in at its known address while strangers hold every pending slot', async () => {
    const world = createTestWorld(['MX-VER', 'MX-PUE'], Date.now())
    const a = await startTestNode(world, world.members[0]); nodes.push(a)
    const b = await startTestNode(world, world.members[1]); nodes.push(b)
    await connect(b, a)
    const bKey = toHex(world.members[1].node.publicKey)
    await expect.poll(async () => (await a.core.store.peers.get(bKey))?.addrs.length ?? 0).toBeGreaterThan(0)
    await a.mesh.stop()
    await a.core.close()
    await a.restart()
    await idleSockets(a.mesh.addrs()[0], 160)
    await connect(b, a)
    expect(a.mesh.host.getConnections(b.mesh.host.peerId).length).toBeGreaterThan(0)
  })
})
