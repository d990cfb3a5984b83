import { describe, expect, it } from 'vitest'
import type { Envelope } from '../../src/envelope/index.js'
import { alert, author, fakeNode, hex, manualClock, msgIds, roundsDone, rosterEnvelope, setupPair as setup, settle, sha, until, T0 } from './session-helpers.js'

describe('sync session over a memory link pair', () => {
  it('two sessions converge: both end with the union, nothing received twice', async () => {
    const clock = manualClock()
    const alice = author('MX-YUC'); const bob = author('MX-CMX')
    const A = fakeNode(clock, [alice, bob]); const B = fakeNode(clock, [alice, bob])
    const shared: Envelope[] = []
    for (let i = 0; i < 5; i++) shared.push(alert(alice, { now: T0 - 10_000 + i, headline: `shared ${i}` }))
    for (const e of shared) { A.put(e); B.put(e) }
    for (let i = 0; i < 20; i++) A.put(alert(alice, { now: T0 - 5_000 + i, headline: `a ${i}` }))
    for (let i = 0; i < 30; i++) B.put(alert(bob, { now: T0 - 4_000 + i, headline: `b ${i}`, precedence: i % 3 === 0 ? 'flash' : 'routine' }))
    const [a, b] = setup([A, B])
    a.session.start(); b.session.start()
    await until(() => A.store.size === 55 && B.store.size === 55 && roundsDone(a) > 0 && roundsDone(b) > 0)
    await settle()
    expect([...A.store.keys()].sort()).toEqual([...B.store.keys()].sort())
    // Nothing crossed twice: every MSG id received once, and only ids the receiver lacked.
    for (const side of [a, b]) {
      const ids = msgIds(side.received)
      expect(new Set(ids).size).toBe(ids.length)
      expect(side.node.rejected).toEqual([])
    }
    expect(msgIds(a.received).length).toBe(30)
    expect(msgIds(b.received).length).toBe(20)
    // Transfer order: highest precedence first, then oldest first.
    const recvByA = a.received.flatMap(f => f.type === 'msg' ? [B.store.get(hex(sha(f.envelope)))!] : [])
    const keys = recvByA.map(e => [['flash', 'immediate', 'priority', 'routine'].indexOf(e.precedence), e.created])
    expect(keys).toEqual([...keys].sort((x, y) => x[0] - y[0] || x[1] - y[1]))
    const endA = a.session.stop()
    expect((await endA).reason).toBe('stopped')
    expect((await b.session.done).reason).toBe('bye')
  })

  it('a newer roster travels first: the lower-roster peer gets ROSTER before any MSG', async () => {
    const clock = manualClock()
    const root = author('CNI'); const alice = author('MX-YUC')
    // Alice joins in roster version 2: B, at version 1, accepts her messages only after it.
    const r2 = rosterEnvelope(root, 2, T0 - 60_000)
    const A = fakeNode(clock, [root, alice], { roster: r2 })
    const B = fakeNode(clock, [root], { rosterVersion: 1, authorsFromVersion: new Map([[2, [alice]]]) })
    for (let i = 0; i < 10; i++) A.put(alert(alice, { now: T0 - 1000 + i, headline: `m ${i}`, precedence: 'flash' }))
    const [a, b] = setup([A, B])
    // A push queued before the HELLO exchange must still wait for the ROSTER.
    a.session.start(); b.session.start()
    a.session.notifyNew(alert(alice, { now: T0, headline: 'early push', precedence: 'flash' }))
    await until(() => B.store.size >= 11)
    const types = b.received.map(f => f.type)
    const firstMsg = types.indexOf('msg')
    expect(types.indexOf('roster')).toBeGreaterThan(-1)
    expect(types.indexOf('roster')).toBeLessThan(firstMsg)
    expect(B.accepted[0].kind).toBe('roster')
    expect(B.rosterVersion()).toBe(2)
    expect(B.rejected).toEqual([]) // nothing arrived before the roster that authorises it
    expect(b.session.stats().penalty).toBe(0)
    // A has the higher roster: it never receives one.
    expect(a.received.some(f => f.type === 'roster')).toBe(false)
    await a.session.stop()
  })

  it('HELLO is always the first frame, even when the peer\'s HELLO arrives before ours is ready', async () => {
    const clock = manualClock()
    const alice = author()
    const root = author('CNI')
    // A (with the newer roster) is slow to list its items; B's HELLO reaches it first.
    const A = fakeNode(clock, [alice, root], { roster: rosterEnvelope(root, 3, T0 - 1000) })
    const B = fakeNode(clock, [alice, root])
    A.put(alert(alice, { now: T0 - 10, headline: 'x' }))
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const slowItems = A.components.items
    A.components.items = async () => { await gate; return await slowItems() }
    const [a, b] = setup([A, B])
    a.session.start(); b.session.start()
    await settle()
    expect(a.received.map(f => f.type)).toEqual([]) // A reads nothing before its HELLO is queued
    release()
    await until(() => B.store.size === 2 && B.rosterVersion() === 3) // the alert and the roster envelope
    expect(b.received.slice(0, 2).map(f => f.type)).toEqual(['hello', 'roster'])
    await a.session.stop()
  })

  it('a pushed message reaches the peer exactly once', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    const [a, b] = setup([A, B])
    a.session.start(); b.session.start()
    await until(() => roundsDone(a) > 0 && roundsDone(b) > 0)
    const env = alert(alice, { now: T0, headline: 'nuevo' })
    const r = await A.components.ingest(env.bytes, 'local')
    expect(r.ok).toBe(true)
    await until(() => B.store.has(hex(env.digest)))
    await settle()
    // B's ingest fans out to B's session, which must not push it back to A.
    expect(msgIds(b.received)).toEqual([hex(env.digest)])
    expect(msgIds(a.received)).toEqual([])
    // A resync finds nothing to send.
    a.session.resync()
    await until(() => roundsDone(a) > 1 || roundsDone(b) > 1)
    await settle()
    expect(msgIds(b.received)).toEqual([hex(env.digest)])
    expect(a.session.stats().messagesSent).toBe(1)
    await b.session.stop()
    expect((await a.session.done).reason).toBe('bye')
  })
})
