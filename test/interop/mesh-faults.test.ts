/**
 * Faults with real nodes: a crash mid-sync, a forging roster peer, a revocation across a
 * partition, and a flash alert overtaking a backlog.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { composeEnvelope, sampleAlert } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { createHost, handleLinks, openLink } from '../../src/links/libp2p/index.js'
import { libp2pPrivateKey, toHex } from '../../src/identity/index.js'
import { createSyncSession } from '../../src/sync/session.js'
import type { SyncComponents } from '../../src/sync/session-types.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestNode, connect, waitForIds, type TestNode } from '../helpers/mesh.js'
import { createHash } from 'node:crypto'

const nodes: TestNode[] = []
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => n.stop().catch(() => {})))
  for (const c of cleanups.splice(0)) await c().catch(() => {})
})

async function start (world: TestWorld, i: number, sync?: Parameters<typeof startTestNode>[2]): Promise<TestNode> {
  const n = await startTestNode(world, world.members[i], sync)
  nodes.push(n)
  return n
}

function alert (world: TestWorld, i: number, headline: string, precedence: Envelope['precedence'] = 'routine', now = Date.now()): Envelope {
  return composeEnvelope({ kind: 'alert', org: world.members[i].org, precedence, content: { msgType: 'Alert', headline, description: 'x'.repeat(200) } }, world.members[i].operator, { now })
}

async function publishAll (node: TestNode, envs: Envelope[]): Promise<void> {
  for (const e of envs) {
    const r = await node.core.ingest.ingest(e.bytes, 'local', { sync: false })
    if (!r.ok) throw new Error(`publish refused: ${r.code}`)
  }
}

describe('mesh faults', () => {
  it('a node stopped abruptly mid-sync and restarted converges without loss or duplicates', async () => {
    const world = createTestWorld(['MX-NLE', 'MX-TAM'], Date.now())
    const a = await start(world, 0)
    const b = await start(world, 1, { sync: { bytesPerSecond: 150_000 } })
    const backlog = Array.from({ length: 400 }, (_, i) => alert(world, 0, `backlog ${i}`))
    await publishAll(a, backlog)
    let got = 0
    const halfway = new Promise<void>(resolve => b.core.ingest.events.on('message', () => { if (++got === 100) resolve() }))
    await connect(b, a)
    await halfway
    // crash: connections torn down with no goodbye, the store closed under the session
    for (const c of b.mesh.host.getConnections()) c.abort(new Error('power loss'))
    await b.stop()
    await b.restart() // the same data folder
    const kept = (await b.core.store.query({ limit: 10_000, kind: 'alert' })).length
    expect(kept).toBeGreaterThanOrEqual(100)
    expect(kept).toBeLessThan(400)
    await connect(b, a)
    await waitForIds(b, backlog.map(e => e.digest))
    const ids = (await b.core.store.query({ limit: 10_000, kind: 'alert' })).map(m => m.envelope.id)
    expect(ids.length).toBe(400)
    expect(new Set(ids).size).toBe(400)
  })

  it('forged messages from a roster peer are rejected, not forwarded, and the peer is banned', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-ROO'], Date.now())
    const a = await start(world, 0)
    const c = await start(world, 2)
    await connect(c, a)
    // The rogue is on the roster (MX-CAM's node key) but runs a doctored sync session.
    const rogueKey = world.members[1].node
    const host = await createHost({ privateKey: await libp2pPrivateKey(rogueKey), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, dht: false, allowPeer: () => true })
    cleanups.push(async () => host.stop())
    const forged = Array.from({ length: 12 }, (_, i) => {
      const e = alert(world, 1, `falso ${i}`)
      const bytes = Uint8Array.from(e.bytes)
      bytes[bytes.length - 64 - 20] ^= 0x01 // tamper with the description: the signature no longer verifies
      return { bytes, digest: new Uint8Array(createHash('sha256').update(bytes).digest()), created: e.created }
    }).sort((x, y) => x.created - y.created || Buffer.compare(x.digest, y.digest))
    const components: SyncComponents = {
      items: async () => forged.map(f => ({ timestamp: f.created, id: f.digest })),
      status: async () => undefined,
      get: async id => {
        const f = forged.find(x => Buffer.from(x.digest).equals(id))
        return f === undefined ? undefined : { bytes: f.bytes, precedence: 'routine', expires: Date.now() + 3600_000, created: f.created }
      },
      ingest: async () => ({ ok: false, code: 'INGEST_DUPLICATE', message: 'rogue keeps nothing' }),
      roster: () => ({ version: 1, bytes: world.rosterEnvelope.bytes }),
      clock: { now: () => Date.now() }
    }
    const runRogue = (link: Parameters<typeof createSyncSession>[0]): void => { createSyncSession(link, components, { nodeKey: rogueKey.publicKey, reconcileIntervalMs: 0 }).start() }
    await handleLinks(host, runRogue)
    const banned = new Promise<void>(resolve => a.mesh.events.once('banned', () => resolve()))
    const rejected: string[] = []
    a.core.ingest.events.on('rejected', r => rejected.push(r.code))
    await host.dial(a.mesh.host.getMultiaddrs()[0])
    if (toHex(rogueKey.publicKey) < toHex(world.members[0].node.publicKey)) runRogue(await openLink(host, a.mesh.host.peerId))
    await banned
    expect(rejected.length).toBeGreaterThanOrEqual(10)
    expect(new Set(rejected)).toEqual(new Set(['ENVELOPE_BAD_SIGNATURE']))
    for (const f of forged) {
      expect(await a.core.store.status(f.digest)).toBeUndefined()
      expect(await c.core.store.status(f.digest)).toBeUndefined()
    }
    expect(c.core.ingest.stats().rejected).toBe(0) // a never passed them on
    // banned: a new connection from the rogue is refused
    const peers = await a.mesh.peers()
    expect(peers.find(p => p.key === toHex(rogueKey.publicKey))?.state).toBe('banned')
  })

  it('protocol violations count across sessions: a roster peer that keeps sending garbage is banned, and stays banned after a restart', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const a = await start(world, 0)
    const rogueKey = world.members[1].node
    const host = await createHost({ privateKey: await libp2pPrivateKey(rogueKey), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, dht: false, allowPeer: () => true })
    cleanups.push(async () => host.stop())
    const ends: string[] = []
    a.mesh.events.on('session', e => { if (e.event === 'end') ends.push(e.reason ?? '') })
    const banned = new Promise<void>(resolve => a.mesh.events.once('banned', () => resolve()))
    // Each session ends on its first frame (SYNC_BAD_VERSION): one session's own score never
    // reaches a ban, but the key's score does.
    for (let i = 0; i < 2; i++) {
      const link = await openLink(host, a.mesh.host.getMultiaddrs()[0])
      await link.send(Uint8Array.of(0xde, 0xad))
      await (async () => { try { for await (const _ of link.frames()); } catch {} })()
    }
    await banned
    expect(ends.filter(r => r === 'error').length).toBeGreaterThanOrEqual(2)
    await expect(openLink(host, a.mesh.host.getMultiaddrs()[0])).rejects.toThrow()
    await a.stop()
    await a.restart()
    expect((await a.mesh.peers()).find(p => p.key === toHex(rogueKey.publicKey))?.state).toBe('banned')
    await expect(openLink(host, a.mesh.host.getMultiaddrs()[0])).rejects.toThrow()
  })

  it('a revocation published on one side of a partition is enforced on the other after heal', async () => {
    const t0 = Date.now()
    const world = createTestWorld(['MX-CMX', 'MX-OAX'], t0)
    const cmx = await start(world, 0)
    const oax = await start(world, 1)
    await connect(oax, cmx)
    cmx.block(oax); oax.block(cmx)
    const revoked = world.members[1].operator
    const revocation = composeEnvelope({ kind: 'revocation', org: 'ROSTER', revocation: { key: revoked.publicKey, effective: t0, reason: 'llave comprometida' } }, world.root, { now: t0, authorForm: 'key' })
    expect((await cmx.core.ingest.ingest(revocation.bytes, 'local')).ok).toBe(true)
    // meanwhile, cut off, OAX still accepts the key's message made after the effective time
    const during = alert(world, 1, 'durante el corte', 'priority', t0 + 5)
    expect((await oax.core.ingest.ingest(during.bytes, 'local')).ok).toBe(true)
    cmx.unblock(oax); oax.unblock(cmx)
    await connect(oax, cmx)
    await waitForIds(oax, [revocation.digest])
    const after = alert(world, 1, 'despues', 'priority', Date.now())
    expect(await oax.core.ingest.ingest(after.bytes, 'local')).toMatchObject({ ok: false, code: 'ROSTER_KEY_REVOKED' })
    // OAX drops what it accepted from that key after the effective time (a tombstone keeps it
    // out), and CMX never takes it
    expect(await oax.core.store.status(during.digest)).toBe('tombstone')
    cmx.mesh.syncNow(); oax.mesh.syncNow()
    expect(await cmx.core.store.status(during.digest)).toBeUndefined()
    expect(cmx.core.ingest.stats().byCode.ROSTER_KEY_REVOKED ?? 0).toBeLessThanOrEqual(1)
  })

  it('a flash alert published while a peer receives a large backlog arrives before the backlog ends', async () => {
    const world = createTestWorld(['MX-JAL', 'MX-COL'], Date.now())
    const a = await start(world, 0, { sync: { bytesPerSecond: 300_000 } })
    const b = await start(world, 1)
    const backlog = Array.from({ length: 1500 }, (_, i) => alert(world, 0, `rutina ${i}`))
    await publishAll(a, backlog)
    const order: string[] = []
    let flash: Envelope | undefined
    const flashDone = new Promise<void>(resolve => b.core.ingest.events.on('message', ({ envelope }) => {
      order.push(envelope.id)
      if (order.length === 50) {
        flash = composeEnvelope({ kind: 'alert', org: 'MX-JAL', content: { msgType: 'Alert', urgency: 'Immediate', severity: 'Extreme', headline: 'SISMO' } }, world.members[0].operator, { now: Date.now() })
        void a.core.ingest.ingest(flash.bytes, 'local')
      }
      if (flash !== undefined && envelope.id === flash.id) resolve()
    }))
    await connect(b, a)
    await flashDone
    const at = order.indexOf(flash!.id)
    expect(flash!.precedence).toBe('flash')
    expect(at).toBeGreaterThan(0)
    expect(at).toBeLessThan(backlog.length) // it overtook the rest of the backlog
    await waitForIds(b, backlog.map(e => e.digest))
    expect(order.indexOf(flash!.id)).toBeLessThan(order.length - 100)
  })
})
