/**
 * The sync session over real libp2p streams on loopback TCP (Noise, Yamux): HELLO keys
 * match the keys Noise authenticated, the sets converge, a push arrives once, BYE ends both.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { handleLinks, openLink } from '../../src/links/libp2p/index.js'
import type { Link } from '../../src/links/types.js'
import { createSyncSession } from '../../src/sync/session.js'
import type { SyncSession } from '../../src/sync/session-types.js'
import { makeKeys, startHost, type TestHost } from '../links/libp2p-helpers.js'
import { alert, author, fakeNode, hex, T0, type FakeNode } from './session-helpers.js'

const hosts: TestHost[] = []
afterAll(async () => { for (const h of hosts) await h.node.stop() })

/** Resolves when `node` holds `n` messages (checked after every successful ingest). */
function holds (node: FakeNode, n: number): Promise<void> {
  return new Promise(resolve => {
    const check = (): void => { if (node.store.size >= n) resolve() }
    node.listeners.push(check)
    check()
  })
}

describe('sync session over libp2p', () => {
  it('converges, pushes once and ends with BYE over loopback TCP', async () => {
    const [ka, kb] = makeKeys(2)
    const A = await startHost(ka, [kb.publicKey]); hosts.push(A)
    const B = await startHost(kb, [ka.publicKey]); hosts.push(B)
    const alice = author()
    const clock = { now: () => Date.now() }
    const nodeA = fakeNode(clock, [alice]); const nodeB = fakeNode(clock, [alice])
    for (let i = 0; i < 150; i++) {
      const e = alert(alice, { now: T0 - 100_000 + i, headline: `m${i}`, precedence: i % 10 === 0 ? 'flash' : 'routine' })
      if (i < 100) nodeA.put(e)
      if (i >= 50) nodeB.put(e)
    }
    const started: Promise<SyncSession> = new Promise(resolve => {
      void handleLinks(B.node, (link: Link) => {
        const s = createSyncSession(link, nodeB.components, { nodeKey: kb.publicKey, reconcileIntervalMs: 0 })
        nodeB.listeners.push(m => { s.notifyNew(m) })
        s.start()
        resolve(s)
      })
    })
    const link = await openLink(A.node, B.node.getMultiaddrs()[0])
    expect(hex(link.remoteKey as Uint8Array)).toBe(hex(kb.publicKey))
    const a = createSyncSession(link, nodeA.components, { nodeKey: ka.publicKey, reconcileIntervalMs: 0 })
    nodeA.listeners.push(m => { a.notifyNew(m) })
    a.start()
    const b = await started
    await Promise.all([holds(nodeA, 150), holds(nodeB, 150)])
    expect([...nodeA.store.keys()].sort()).toEqual([...nodeB.store.keys()].sort())

    const fresh = alert(alice, { now: T0, headline: 'nuevo', precedence: 'flash' })
    const got = holds(nodeB, 151)
    expect((await nodeA.components.ingest(fresh.bytes, 'local')).ok).toBe(true)
    await got
    expect(nodeB.accepted.filter(x => x.id === hex(fresh.digest))).toHaveLength(1)

    expect(await a.stop()).toMatchObject({ reason: 'stopped' })
    expect(await b.done).toMatchObject({ reason: 'bye' })
    const sa = a.stats(); const sb = b.stats()
    expect(sa.messagesSent + sb.messagesSent).toBe(101) // 50 each way + the push
    expect(nodeA.rejected).toEqual([])
    expect(nodeB.rejected).toEqual([])
  })
})
