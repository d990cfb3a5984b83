import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createReconciler, runLocal, type LocalRun } from '../../src/sync/reconcile/index.js'
import type { SyncItem } from '../../src/sync/types.js'
import { hexSet, idFor, makeSets, minus } from '../../src/sync/reconcile/sets.js'
import { buildItemTable } from '../../src/sync/reconcile/items.js'
import { peel, verify } from '../../src/sync/reconcile/peel.js'
import { SymbolArray, SymbolEncoder } from '../../src/sync/reconcile/symbols.js'
import { encodeList } from '../../src/sync/reconcile/messages.js'

/** The differential oracle: have/need of the learning side equal the brute-force sets. */
function expectExact (run: LocalRun, a: SyncItem[], b: SyncItem[]): void {
  const aMinusB = minus(a, b)
  const bMinusA = minus(b, a)
  expect(run.initiator.done).toBe(true)
  expect(run.responder.done).toBe(true)
  const i = run.initiator
  const r = run.responder
  // Exactly one side learns (or none, when the sets are equal).
  const iLearns = i.have.length + i.need.length > 0
  const rLearns = r.have.length + r.need.length > 0
  expect(iLearns && rLearns).toBe(false)
  expect(hexSet([...i.have, ...r.need])).toEqual(aMinusB)
  expect(hexSet([...i.need, ...r.have])).toEqual(bMinusA)
}

function reconcile (a: SyncItem[], b: SyncItem[], options = {}): LocalRun {
  return runLocal(createReconciler(a, options), createReconciler(b, options))
}

describe('reconcile engine: differential against brute force', () => {
  it('random sets, overlaps and patterns (fast-check)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2_000 }),
      fc.integer({ min: 0, max: 2_000 }),
      fc.integer({ min: 0, max: 2_000 }),
      fc.constantFrom('random' as const, 'newest' as const),
      fc.integer({ min: 0, max: 1_000_000 }),
      (common, x, y, pattern, seed) => {
        // Bias towards small differences (the IBLT path) while still covering large ones.
        const onlyA = x % 7 === 0 ? x : x % 60
        const onlyB = y % 7 === 0 ? y : y % 60
        const { a, b } = makeSets(seed, common, onlyA, onlyB, pattern)
        const run = reconcile(a, b)
        expectExact(run, a, b)
        // §8: symbols are only sent while they cost less than the smaller list, so the
        // whole exchange costs at most two lists plus HELLO, SKETCH and headers.
        expect(run.bytes).toBeLessThanOrEqual(2 * 32 * Math.min(a.length, b.length) + 512)
      }
    ), { numRuns: 120 })
  })

  it.each([
    ['both empty', 0, 0, 0],
    ['initiator empty', 0, 0, 500],
    ['responder empty', 0, 500, 0],
    ['identical', 1_000, 0, 0],
    ['disjoint', 0, 700, 900],
    ['one extra on A', 1_000, 1, 0],
    ['one extra on B', 1_000, 0, 1],
    ['tiny sets', 3, 2, 4]
  ])('%s', (_name, common, onlyA, onlyB) => {
    for (const pattern of ['random', 'newest'] as const) {
      const { a, b } = makeSets(7, common, onlyA, onlyB, pattern)
      expectExact(reconcile(a, b), a, b)
    }
  })

  it('identical sets finish in one round trip with a few dozen bytes', () => {
    const { a, b } = makeSets(3, 5_000, 0, 0, 'random')
    const run = reconcile(a, b)
    expect(run.roundTrips).toBe(1)
    expect(run.bytes).toBeLessThan(40)
  })

  it('falls back to a full list when symbols are capped, still exact', () => {
    const { a, b } = makeSets(11, 1_000, 50, 50, 'random')
    const run = reconcile(a, b, { maxSymbols: 40 })
    expectExact(run, a, b)
    expect(run.bytes).toBeLessThan(1_100 * 32 + 100)
  })

  it('bounded cost when one side is far larger: at most the smaller list plus a small constant', () => {
    const { a, b } = makeSets(12, 200, 0, 3_000, 'newest')
    const run = reconcile(a, b)
    expectExact(run, a, b)
    expect(run.bytes).toBeLessThanOrEqual(200 * 32 + 400)
  })

  it('d = 100 at n = 10,000: bytes within 4× the lower bound, at most 3 round trips', () => {
    const bound = 100 * 32
    for (const pattern of ['random', 'newest'] as const) {
      for (let seed = 1; seed <= 6; seed++) {
        const { a, b } = makeSets(seed, 9_950, 50, 50, pattern)
        const run = reconcile(a, b)
        expectExact(run, a, b)
        expect(run.bytes).toBeLessThanOrEqual(4 * bound)
        expect(run.roundTrips).toBeLessThanOrEqual(3)
      }
    }
  })
  it('an undersized first batch grows through MORE and still ends exact', () => {
    for (const pattern of ['random', 'newest'] as const) {
      const { a, b } = makeSets(31, 2_000, 40, 40, pattern)
      const ra = createReconciler(a, { firstBatchPerDiff: 0.4 })
      const rb = createReconciler(b, { firstBatchPerDiff: 0.4 })
      const run = runLocal(ra, rb)
      expectExact(run, a, b)
      expect(rb.info().retries).toBeGreaterThanOrEqual(1)
      expect(run.sizes.filter((_, k) => k % 2 === 1).length).toBeGreaterThanOrEqual(3)
    }
  })

  it('when no LIST fits maxMessageBytes, symbols continue past 3 MOREs and stay exact', () => {
    const { a, b } = makeSets(33, 3_000, 100, 100, 'random')
    const opts = { maxMessageBytes: 20_000, firstBatchPerDiff: 0.3 } // lists of 3,100 ids would need 99 KB
    const rb = createReconciler(b, opts)
    const run = runLocal(createReconciler(a, opts), rb)
    expectExact(run, a, b)
    expect(rb.info().listFallback).toBe(false)
    expect(Math.max(...run.sizes)).toBeLessThanOrEqual(20_000)
  })

  it('a difference too large for maxSymbols with no LIST that fits is SYNC_LIMIT_EXCEEDED, never a guess', () => {
    const { a, b } = makeSets(34, 3_000, 600, 600, 'random')
    const opts = { maxMessageBytes: 20_000 } // at most 499 symbols
    let code: string | undefined
    try { runLocal(createReconciler(a, opts), createReconciler(b, opts)) } catch (e) { code = (e as { code?: string }).code }
    expect(code).toBe('SYNC_LIMIT_EXCEEDED')
  })

  it('a message above maxMessageBytes is refused before decoding', () => {
    const { a, b } = makeSets(35, 0, 9, 0, 'random')
    const big = encodeList(makeSets(36, 0, 600, 0, 'random').a.map(i => i.id)) // 19,203 bytes
    let code: string | undefined
    try { createReconciler(b, { maxMessageBytes: 10_000 }).receive(big) } catch (e) { code = (e as { code?: string }).code }
    expect(big.length).toBeGreaterThan(10_000)
    expect(code).toBe('SYNC_LIMIT_EXCEEDED')
  })

  it('MOREs that never suffice end in the list route, exact (decode failure → fallback)', () => {
    const { a, b } = makeSets(32, 3_000, 150, 150, 'random')
    const ra = createReconciler(a, { firstBatchPerDiff: 0.05 })
    const rb = createReconciler(b, { firstBatchPerDiff: 0.05 })
    const run = runLocal(ra, rb)
    expectExact(run, a, b)
    expect(rb.info().retries).toBe(3)
    expect(ra.info().listFallback || rb.info().listFallback).toBe(true)
  })
})

describe('verification never accepts a wrong answer', () => {
  const { a, b } = makeSets(41, 500, 5, 5, 'random')
  const ta = buildItemTable(a.map(i => i.id))
  const tb = buildItemTable(b.map(i => i.id))

  it('the true difference verifies; any off-by-one variant does not', () => {
    const enc = new SymbolEncoder(ta)
    enc.extend(40)
    const sym = new SymbolArray()
    sym.resize(40)
    sym.words.set(enc.symbols.words.subarray(0, 40 * 10))
    const r = peel(new SymbolEncoder(tb), tb, sym, 2_000)
    expect(r.complete).toBe(true)
    expect(verify(tb, r.have, r.need, ta.size, ta.digest())).toBe(true)
    const stranger = idFor(999, 1)
    expect(verify(tb, r.have, [...r.need.slice(1), stranger], ta.size, ta.digest())).toBe(false)
    expect(verify(tb, r.have.slice(1), [...r.need, stranger], ta.size, ta.digest())).toBe(false)
    expect(verify(tb, r.have, r.need.slice(1), ta.size, ta.digest())).toBe(false)
  })

  it('a pure-looking symbol of garbage is not decoded into an answer', () => {
    // A symbol whose checksum matches its id field but whose index sequence misses it.
    const enc = new SymbolEncoder(ta)
    enc.extend(12)
    const sym = new SymbolArray()
    sym.resize(12)
    sym.words.set(enc.symbols.words.subarray(0, 12 * 10))
    for (let k = 0; k < 10; k++) sym.words[11 * 10 + k] ^= 0xdeadbeef
    const r = peel(new SymbolEncoder(tb), tb, sym, 2_000)
    expect(r.complete && verify(tb, r.have, r.need, ta.size, ta.digest())).toBe(false)
  })
})
