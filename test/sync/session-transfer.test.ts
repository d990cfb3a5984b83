/**
 * Transfer behaviour over memory link pairs with the real reconciliation engine: flash
 * preemption under a bandwidth budget, periodic re-reconciliation, RECON fragmentation,
 * and convergence on random splits (fast-check).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Envelope } from '../../src/envelope/index.js'
import { alert, author, fakeNode, fullListReconcilerForTests, hex, manualClock, msgIds, roundsDone, setupPair, settle, until, T0 } from './session-helpers.js'

describe('sync transfer', () => {
  it('a flash message queued behind 1,000 routine ones leaves before them (frame order), within the budget', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    for (let i = 0; i < 1000; i++) A.put(alert(alice, { now: T0 - 100_000 + i, headline: `rutina ${i}`, precedence: 'routine' }))
    const budget = { bytesPerSecond: 20_000, burstBytes: 2_000 }
    const [a, b] = setupPair([A, B], { a: { ...budget, reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0 } })
    a.session.start(); b.session.start()
    await clock.advance(1000)
    const before = B.store.size
    expect(before).toBeGreaterThan(10)
    expect(before).toBeLessThan(200) // the backlog is still queued
    expect(a.session.stats().queued).toBeGreaterThan(700)
    const flash = alert(alice, { now: T0, headline: 'ALERTA', precedence: 'flash' })
    expect((await A.components.ingest(flash.bytes, 'local')).ok).toBe(true)
    await clock.advance(60_000)
    expect(B.store.size).toBe(1001)
    const order = msgIds(b.received)
    const at = order.indexOf(hex(flash.digest))
    expect(at).toBeGreaterThanOrEqual(before - 2)
    expect(at).toBeLessThanOrEqual(before + 2) // next out, bar frames already handed to the link
    expect(order.length).toBe(1001)
    // Budget: over the whole run, bytes sent stay within burst + rate × time.
    const sent = Object.values(a.session.stats().sent).reduce((n, c) => n + c.bytes, 0)
    expect(sent).toBeLessThanOrEqual(budget.burstBytes + budget.bytesPerSecond * 61 + 2_000)
    await a.session.stop()
  })

  it('periodic re-reconciliation delivers a message that arrived after the round (injected clock)', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    A.put(alert(alice, { now: T0 - 5000, headline: 'viejo' }))
    const [a, b] = setupPair([A, B], { a: { reconcileIntervalMs: 60_000 }, b: { reconcileIntervalMs: 60_000 } })
    a.session.start(); b.session.start()
    await until(() => B.store.size === 1 && roundsDone(a) > 0 && roundsDone(b) > 0)
    // Stored on A without a push (as if held while the push path was down).
    const late = alert(alice, { now: T0, headline: 'tarde' })
    A.put(late)
    await clock.advance(59_000)
    expect(B.store.has(hex(late.digest))).toBe(false)
    await clock.advance(1_000)
    await until(() => B.store.has(hex(late.digest)))
    expect(msgIds(b.received).filter(id => id === hex(late.digest))).toHaveLength(1)
    expect(roundsDone(b)).toBe(2)
    await b.session.stop()
  })

  it('rounds started by both sides at once run side by side and still send nothing twice', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    const [a, b] = setupPair([A, B], { a: { reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0 } })
    a.session.start(); b.session.start()
    await until(() => roundsDone(a) > 0 && roundsDone(b) > 0)
    for (let i = 0; i < 15; i++) A.put(alert(alice, { now: T0 + i, headline: `a${i}` }))
    for (let i = 0; i < 25; i++) B.put(alert(alice, { now: T0 + 100 + i, headline: `b${i}` }))
    await clock.advance(2_000) // past the round pacing
    a.session.resync(); b.session.resync()
    await until(() => A.store.size === 40 && B.store.size === 40)
    await settle()
    expect(a.session.stats().roundsCompleted + b.session.stats().roundsCompleted).toBe(3)
    expect(msgIds(a.received).sort()).toEqual([...new Set(msgIds(a.received))].sort())
    expect(msgIds(a.received)).toHaveLength(25)
    expect(msgIds(b.received)).toHaveLength(15)
    await a.session.stop()
  })

  it('a difference larger than the queue and its backlog keeps flowing: a new round starts when the queue drains', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    for (let i = 0; i < 300; i++) A.put(alert(alice, { now: T0 - 1000 + i, headline: `q${i}` }))
    const o = { reconcileIntervalMs: 0, maxQueuedMessages: 50, maxOfferBacklog: 100 }
    const [a, b] = setupPair([A, B], { a: o, b: o })
    a.session.start(); b.session.start()
    for (let i = 0; i < 20 && B.store.size < 300; i++) {
      await until(() => a.session.stats().queued === 0, 2000)
      await clock.advance(1_000) // round pacing
    }
    expect(B.store.size).toBe(300)
    expect(msgIds(b.received)).toHaveLength(300)
    expect(a.session.stats().roundsCompleted + b.session.stats().roundsCompleted).toBeGreaterThan(1)
    await a.session.stop()
  })

  it('a message the peer failed to store is offered again by the next periodic round', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    const held = alert(alice, { now: T0 - 100, headline: 'retenido' })
    A.put(held)
    // B's store fails once (its own fault: INGEST_INTERNAL, no penalty for A).
    const realIngest = B.components.ingest
    let failures = 0
    B.components.ingest = async (bytes, source) => {
      if (failures++ === 0) return { ok: false, code: 'INGEST_INTERNAL', message: 'disk busy' }
      return await realIngest(bytes, source)
    }
    const o = { reconcileIntervalMs: 60_000 }
    const [a, b] = setupPair([A, B], { a: o, b: o })
    a.session.start(); b.session.start()
    await until(() => roundsDone(a) > 0 && roundsDone(b) > 0 && b.session.stats().messagesReceived === 1)
    expect(B.store.has(hex(held.digest))).toBe(false)
    await clock.advance(60_000)
    await until(() => B.store.has(hex(held.digest)))
    expect(msgIds(b.received)).toEqual([hex(held.digest), hex(held.digest)])
    expect(b.session.stats().penalty).toBe(0)
    await a.session.stop()
  })

  it('large engine messages travel as RECON fragments over small frames', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    for (let i = 0; i < 150; i++) A.put(alert(alice, { now: T0 - 10_000 + i, headline: `a${i}` }))
    for (let i = 0; i < 150; i++) B.put(alert(alice, { now: T0 - 20_000 + i, headline: `b${i}` }))
    const [a, b] = setupPair([A, B], { maxFrameBytes: 1024, a: { reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0 } })
    a.session.start(); b.session.start()
    await until(() => A.store.size === 300 && B.store.size === 300, 2000)
    const sa = a.session.stats(); const sb = b.session.stats()
    expect(sa.sent.recon.frames + sb.sent.recon.frames).toBeGreaterThan(sa.reconcileRoundTrips + sb.reconcileRoundTrips + 2)
    expect(sa.messagesSent + sb.messagesSent).toBe(300)
    await a.session.stop()
  })

  it('reconciliation bytes follow the difference, not the store (n = 2,000, d = 20)', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    for (let i = 0; i < 2020; i++) {
      const e = alert(alice, { now: T0 - 1_000_000 + i * 10, headline: `n${i}` })
      if (i % 101 !== 0) { A.put(e); B.put(e) } else if (i % 2 === 0) A.put(e); else B.put(e)
    }
    const [a, b] = setupPair([A, B], { a: { reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0 } })
    a.session.start(); b.session.start()
    await until(() => A.store.size === 2020 && B.store.size === 2020 && roundsDone(a) > 0 && roundsDone(b) > 0, 2000)
    const sa = a.session.stats(); const sb = b.session.stats()
    const reconBytes = sa.reconcileBytesSent + sb.reconcileBytesSent
    expect(reconBytes).toBeLessThan(20 * 32 * 8) // naive: 2,000 × 32 = 64,000 bytes
    expect(sa.reconcileRoundTrips + sb.reconcileRoundTrips).toBeLessThanOrEqual(3)
    expect(sa.messagesSent + sb.messagesSent).toBe(20)
    await a.session.stop()
  })

  it('an engine where both sides learn have/need still sends nothing twice (test-only full-list engine)', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    for (let i = 0; i < 20; i++) A.put(alert(alice, { now: T0 - 1000 + i, headline: `a${i}` }))
    for (let i = 0; i < 20; i++) B.put(alert(alice, { now: T0 - 2000 + i, headline: `b${i}` }))
    const o = { createReconciler: fullListReconcilerForTests, reconcileIntervalMs: 0 }
    const [a, b] = setupPair([A, B], { a: o, b: o })
    a.session.start(); b.session.start()
    await until(() => A.store.size === 40 && B.store.size === 40)
    await settle()
    expect(msgIds(a.received)).toHaveLength(20)
    expect(msgIds(b.received)).toHaveLength(20)
    await a.session.stop()
  })

  it('converges on random splits: both end with the union, each id received once, only when lacking (property)', async () => {
    const alice = author(); const bob = author('MX-CMX')
    const pool: Envelope[] = Array.from({ length: 40 }, (_, i) => alert(i % 2 === 0 ? alice : bob, {
      now: T0 - 50_000 + i * 7, headline: `p${i}`, precedence: (['flash', 'immediate', 'priority', 'routine'] as const)[i % 4]
    }))
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 40 }), fc.boolean(), async (where, swapKeys) => {
      const clock = manualClock()
      const A = fakeNode(clock, [alice, bob]); const B = fakeNode(clock, [alice, bob])
      pool.forEach((e, i) => { if (where[i] === 1 || where[i] === 3) A.put(e); if (where[i] === 2 || where[i] === 3) B.put(e) })
      const union = pool.filter((_, i) => where[i] !== 0).length
      const aLacks = pool.filter((_, i) => where[i] === 2).map(e => hex(e.digest)).sort()
      const bLacks = pool.filter((_, i) => where[i] === 1).map(e => hex(e.digest)).sort()
      const [a, b] = setupPair(swapKeys ? [B, A] : [A, B], { a: { reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0 } })
      const [sa, sb] = swapKeys ? [b, a] : [a, b]
      a.session.start(); b.session.start()
      await until(() => A.store.size === union && B.store.size === union && (roundsDone(a) > 0 || roundsDone(b) > 0))
      await settle()
      expect(msgIds(sa.received).sort()).toEqual(aLacks)
      expect(msgIds(sb.received).sort()).toEqual(bLacks)
      await a.session.stop()
      await b.session.done
    }), { numRuns: 25 })
  })
})
