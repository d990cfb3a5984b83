/**
 * Lazy push (docs/protocol/sync.md §4.9): a link that only brings duplicates is pruned to
 * announcements (IHAVE); a missing announced id is fetched after LAZY_WANT_DELAY_MS with
 * GRAFT + WANT; flash messages are still pushed at once. Injected clock, real engine.
 */
import { describe, expect, it } from 'vitest'
import { IHAVE_FLUSH_HOPS, IHAVE_FLUSH_MIN_MS, IHAVE_FLUSH_MS, LAZY_WANT_BACKOFF_HALF_LIFE_MS, LAZY_WANT_DELAY_MS, LAZY_WANT_HOPS, LAZY_WANT_MAX_BACKOFF, PRUNE_AFTER_DUPLICATES } from '../../src/sync/constants.js'
import { createLazyState, ihaveFlushMs, lazyWantDelayMs, noteReceived } from '../../src/sync/session-lazy.js'
import { idKey } from '../../src/sync/bounded-set.js'
import type { Ctx } from '../../src/sync/session-context.js'
import { alert, author, fakeNode, helloFrame, hex, manualClock, msgIds, rawPeer, roundsDone, setupPair, settle, until, T0 } from './session-helpers.js'
import type { SyncSessionOptions } from '../../src/sync/session-types.js'
import { FEATURE_LAZY_PUSH } from '../../src/sync/constants.js'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { createSyncSession } from '../../src/sync/session.js'


/** Two sessions over a memory pair, past their first round, with B already holding
 * `count` messages that A is then told about: A pushes them, B sees only duplicates. */
async function duplicatesFromAToB (count: number, b: SyncSessionOptions = {}) {
  const clock = manualClock()
  const alice = author()
  const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
  const [a, bSide] = setupPair([A, B], { a: { reconcileIntervalMs: 0 }, b: { reconcileIntervalMs: 0, ...b } })
  a.session.start(); bSide.session.start()
  await until(() => roundsDone(a) + roundsDone(bSide) > 0)
  const known = Array.from({ length: count }, (_, i) => alert(alice, { now: T0 + i, headline: `conocido ${i}`, precedence: 'routine' }))
  for (const e of known) B.put(e)
  for (const e of known) expect((await A.components.ingest(e.bytes, 'local')).ok).toBe(true)
  return { clock, alice, A, B, a, b: bSide, known }
}

describe('lazy push', () => {
  it('prunes a link after repeated duplicates, then announces, fetches on demand and re-grafts; flash stays eager', async () => {
    // B already holds what A is about to push (it came by another path): duplicates.
    const { clock, alice, A, B, a, b } = await duplicatesFromAToB(PRUNE_AFTER_DUPLICATES)
    await until(() => a.received.some(f => f.type === 'prune'))
    expect(b.session.stats().messagesKnown).toBe(PRUNE_AFTER_DUPLICATES)

    // Pruned: a new routine message is announced, not pushed.
    const routine = alert(alice, { now: T0 + 100, headline: 'nuevo', precedence: 'routine' })
    expect((await A.components.ingest(routine.bytes, 'local')).ok).toBe(true)
    await clock.advance(IHAVE_FLUSH_MS) // announcements leave in batches
    await until(() => b.received.some(f => f.type === 'ihave'))
    expect(msgIds(b.received)).not.toContain(hex(routine.digest))
    // B waits for another path, then asks A for it; the answer is the first copy (the tree
    // really missed it), so B grafts the link back.
    await clock.advance(LAZY_WANT_DELAY_MS - 1)
    expect(B.store.has(hex(routine.digest))).toBe(false)
    await clock.advance(1)
    await until(() => B.store.has(hex(routine.digest)))
    await until(() => a.received.some(f => f.type === 'graft'))
    const fromB = a.received.map(f => f.type)
    expect(fromB.indexOf('want')).toBeGreaterThan(fromB.indexOf('prune'))
    expect(fromB.indexOf('graft')).toBeGreaterThan(fromB.indexOf('want'))

    // Grafted: the next routine message is pushed again.
    const after = alert(alice, { now: T0 + 200, headline: 'otra vez', precedence: 'routine' })
    await A.components.ingest(after.bytes, 'local')
    await until(() => B.store.has(hex(after.digest)))
    expect(msgIds(b.received)).toContain(hex(after.digest))
    await a.session.stop()
  })

  it('after a prune, a flash message is pushed at once, not announced', async () => {
    const { alice, A, B, a, b } = await duplicatesFromAToB(PRUNE_AFTER_DUPLICATES)
    await until(() => a.received.some(f => f.type === 'prune'))
    const flash = alert(alice, { now: T0 + 50, headline: 'SISMO', precedence: 'flash' })
    await A.components.ingest(flash.bytes, 'local')
    await until(() => B.store.has(hex(flash.digest)))
    expect(msgIds(b.received)).toContain(hex(flash.digest))
    expect(b.received.filter(f => f.type === 'ihave')).toHaveLength(0)
    await a.session.stop()
  })

  it('a peer that does not offer lazy push is always pushed to', async () => {
    const { alice, A, B, a, b, known } = await duplicatesFromAToB(PRUNE_AFTER_DUPLICATES * 2, { lazyPush: false })
    await until(() => b.session.stats().messagesKnown === known.length)
    expect(a.received.filter(f => f.type === 'prune')).toHaveLength(0)
    const routine = alert(alice, { now: T0 + 500, headline: 'nuevo' })
    await A.components.ingest(routine.bytes, 'local')
    await until(() => B.store.has(hex(routine.digest)))
    expect(msgIds(b.received)).toContain(hex(routine.digest))
    await a.session.stop()
  })

  it('an IHAVE is handled from memory (holds): a slow store read never holds back the MSGs behind it', async () => {
    const clock = manualClock()
    const alice = author()
    const node = fakeNode(clock, [alice])
    let releaseStatus!: () => void
    const statusGate = new Promise<void>(resolve => { releaseStatus = resolve })
    const status = node.components.status
    node.components.status = async (id) => { await statusGate; return await status(id) }
    node.components.holds = (id) => node.store.has(hex(id))
    const [l, r] = memoryLinkPair()
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0xee), reconcileIntervalMs: 0 })
    const peer = rawPeer(r)
    session.start()
    await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff), features: FEATURE_LAZY_PUSH }))
    const announced = alert(alice, { now: T0, headline: 'anunciado' })
    const pushed = alert(alice, { now: T0 + 1, headline: 'empujado' })
    await peer.send({ type: 'ihave', ids: [announced.digest] })
    await peer.send({ type: 'msg', envelope: pushed.bytes })
    await until(() => node.store.has(hex(pushed.digest))) // not stuck behind the gated read
    // The announced id is still asked for once its wait is over.
    releaseStatus()
    await clock.advance(LAZY_WANT_DELAY_MS)
    await until(() => peer.received.some(f => f.type === 'want'))
    const want = peer.received.find(f => f.type === 'want')
    expect(want?.type === 'want' && want.ids.map(hex)).toEqual([hex(announced.digest)])
    await settle()
    await session.stop()
  })

  it('an announcement waiting for its IHAVE is dropped when the peer meanwhile shows it holds the id', async () => {
    const { clock, alice, A, B, a, b } = await duplicatesFromAToB(PRUNE_AFTER_DUPLICATES)
    await until(() => a.received.some(f => f.type === 'prune'))
    // The link is lazy both ways now: each side announces m, B first.
    const m = alert(alice, { now: T0 + 300, headline: 'por dos caminos', precedence: 'routine' })
    expect((await B.components.ingest(m.bytes, 'local')).ok).toBe(true)
    await clock.advance(IHAVE_FLUSH_MS / 2)
    expect((await A.components.ingest(m.bytes, 'local')).ok).toBe(true)
    await clock.advance(IHAVE_FLUSH_MS / 2) // B's IHAVE leaves: A learns that B holds m
    await until(() => a.received.some(f => f.type === 'ihave'))
    expect(msgIds(a.received)).not.toContain(hex(m.digest)) // announced, not pushed: lazy both ways
    await clock.advance(IHAVE_FLUSH_MS) // A's wait is over: nothing left to announce
    await settle()
    expect(b.received.filter(f => f.type === 'ihave')).toHaveLength(0)
    await a.session.stop()
  })

  it('a WANT answered by a duplicate (the eager copy was only late) keeps the link lazy and doubles the wait', async () => {
    const { clock, alice, A, B, a, b } = await duplicatesFromAToB(PRUNE_AFTER_DUPLICATES)
    await until(() => a.received.some(f => f.type === 'prune'))
    const late = alert(alice, { now: T0 + 400, headline: 'tarde', precedence: 'routine' })
    // While A fetches its answer, the eager copy reaches B by another path.
    const get = A.components.get
    A.components.get = async (id) => { if (hex(id) === hex(late.digest)) B.put(late); return await get(id) }
    expect((await A.components.ingest(late.bytes, 'local')).ok).toBe(true)
    await clock.advance(IHAVE_FLUSH_MS)
    await clock.advance(LAZY_WANT_DELAY_MS)
    await until(() => a.received.some(f => f.type === 'want'))
    await until(() => b.session.stats().messagesKnown > PRUNE_AFTER_DUPLICATES) // the answer: a duplicate
    expect(a.received.some(f => f.type === 'graft')).toBe(false)
    // The next announced id is asked for only after twice the wait.
    const next = alert(alice, { now: T0 + 500, headline: 'siguiente', precedence: 'routine' })
    expect((await A.components.ingest(next.bytes, 'local')).ok).toBe(true)
    await clock.advance(IHAVE_FLUSH_MS)
    await clock.advance(LAZY_WANT_DELAY_MS)
    expect(a.received.filter(f => f.type === 'want')).toHaveLength(1)
    await clock.advance(LAZY_WANT_DELAY_MS)
    await until(() => a.received.filter(f => f.type === 'want').length === 2)
    await until(() => B.store.has(hex(next.digest)))
    await until(() => a.received.some(f => f.type === 'graft')) // that one was really missing
    await a.session.stop()
  })

  it('an announced id that is already being ingested here (holds) is not asked for', async () => {
    const clock = manualClock()
    const node = fakeNode(clock, [author()])
    const id = new Uint8Array(32).fill(0x42)
    let arriving = false
    node.components.holds = (x) => arriving && hex(x) === hex(id)
    const [l, r] = memoryLinkPair()
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0xee), reconcileIntervalMs: 0 })
    const peer = rawPeer(r)
    session.start()
    await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff), features: FEATURE_LAZY_PUSH }))
    await peer.send({ type: 'ihave', ids: [id] })
    await settle()
    arriving = true // it came by another link; its verification is still under way
    await clock.advance(LAZY_WANT_DELAY_MS)
    await settle()
    expect(peer.received.filter(f => f.type === 'want' || f.type === 'graft')).toEqual([])
    await session.stop()
  })

  it('a loaded node (high ingest time) waits longer before asking for an announced id', async () => {
    const clock = manualClock()
    const node = fakeNode(clock, [author()])
    node.components.ingestMs = () => 50 // → LAZY_WANT_HOPS × 50 ms
    const [l, r] = memoryLinkPair()
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0xee), reconcileIntervalMs: 0 })
    const peer = rawPeer(r)
    session.start()
    await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff), features: FEATURE_LAZY_PUSH }))
    await peer.send({ type: 'ihave', ids: [new Uint8Array(32).fill(0x43)] })
    await settle()
    const waitMs = LAZY_WANT_HOPS * 50
    expect(waitMs).toBeGreaterThan(LAZY_WANT_DELAY_MS)
    await clock.advance(waitMs - 1)
    expect(peer.received.some(f => f.type === 'want')).toBe(false)
    await clock.advance(1)
    await until(() => peer.received.some(f => f.type === 'want'))
    await session.stop()
  })
})

describe('lazy push: the wait before asking', () => {
  /** Just what the wait computation reads: the lazy state, the clock, the ingest time. */
  function waitCtx (clock: { now: () => number }): Ctx {
    return { lazy: createLazyState(), components: { clock, ingestMs: () => 0 }, options: { lazyPush: false } } as unknown as Ctx
  }

  it('doubles after a premature ask, halves after a needed one, and decays to the base with time', () => {
    let now = T0
    const ctx = waitCtx({ now: () => now })
    const ask = (n: number): Uint8Array => { const id = new Uint8Array(32).fill(n); ctx.lazy.wanted.set(idKey(id), true); return id }
    expect(lazyWantDelayMs(ctx)).toBe(LAZY_WANT_DELAY_MS)
    noteReceived(ctx, ask(1), { ok: false, code: 'INGEST_DUPLICATE', message: 'late' })
    noteReceived(ctx, ask(2), { ok: false, code: 'INGEST_DUPLICATE', message: 'late' })
    expect(lazyWantDelayMs(ctx)).toBe(4 * LAZY_WANT_DELAY_MS)
    now += LAZY_WANT_BACKOFF_HALF_LIFE_MS
    expect(lazyWantDelayMs(ctx)).toBeCloseTo(2 * LAZY_WANT_DELAY_MS, 6)
    now += 10 * LAZY_WANT_BACKOFF_HALF_LIFE_MS // a quiet spell after the burst
    expect(lazyWantDelayMs(ctx)).toBe(LAZY_WANT_DELAY_MS)
    for (let i = 0; i < 10; i++) noteReceived(ctx, ask(10 + i), { ok: false, code: 'INGEST_DUPLICATE', message: 'late' })
    expect(lazyWantDelayMs(ctx)).toBe(LAZY_WANT_MAX_BACKOFF * LAZY_WANT_DELAY_MS)
    noteReceived(ctx, ask(30), { ok: true, envelope: {} as never })
    expect(lazyWantDelayMs(ctx)).toBe(LAZY_WANT_MAX_BACKOFF / 2 * LAZY_WANT_DELAY_MS)
  })
})

describe('lazy push: the IHAVE window', () => {
  const ctxWith = (ingestMs?: number): Ctx => ({ lazy: createLazyState(), components: { clock: { now: () => T0 }, ...(ingestMs === undefined ? {} : { ingestMs: () => ingestMs }) }, options: { lazyPush: false } }) as unknown as Ctx

  it('is short on a node that ingests quickly, long on a loaded one, the longest when unmeasured', () => {
    expect(ihaveFlushMs(ctxWith())).toBe(IHAVE_FLUSH_MS)
    expect(ihaveFlushMs(ctxWith(0))).toBe(IHAVE_FLUSH_MIN_MS)
    expect(ihaveFlushMs(ctxWith(5))).toBe(IHAVE_FLUSH_HOPS * 5)
    expect(ihaveFlushMs(ctxWith(1_000))).toBe(IHAVE_FLUSH_MS)
  })
})
