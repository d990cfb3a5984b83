import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createReconciler } from '../../src/sync/reconcile/engine.js'
import { createRecentReconciler, MSG_RECENT_FULL, MSG_RECENT_RECENT } from '../../src/sync/reconcile/recent.js'
import { hexSet, makeSets, minus, runLocal } from '../../src/sync/reconcile/index.js'
import { isC5Error } from '../../src/errors.js'
import type { SyncItem } from '../../src/sync/types.js'

/** Both sides' results must add up to the true difference, each id learned once. */
function check (a: SyncItem[], b: SyncItem[]): ReturnType<typeof runLocal> {
  const run = runLocal(createRecentReconciler(a), createRecentReconciler(b))
  const aHas = [...run.initiator.have, ...run.responder.need]
  const bHas = [...run.responder.have, ...run.initiator.need]
  expect(hexSet(aHas)).toEqual(minus(a, b))
  expect(hexSet(bHas)).toEqual(minus(b, a))
  expect(run.initiator.done).toBe(true)
  return run
}

describe('recent-first reconciliation (docs/protocol/reconcile.md §12)', () => {
  it('finds exactly the difference, whatever the sizes and where the differences lie (differential, property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.constantFrom('random' as const, 'newest' as const), (seed, common, onlyA, onlyB, pattern) => {
      const { a, b } = makeSets(seed, common, onlyA, onlyB, pattern)
      check(a, b)
      check(b, a)
    }), { numRuns: 200 })
  })

  it('identical sets of 5,000 cost about as much as the engine (two HELLOs and DONE)', () => {
    const { a, b } = makeSets(3, 5000, 0, 0, 'newest')
    const run = check(a, b)
    expect(run.bytes).toBeLessThan(64)
    expect(run.messages).toBe(2)
  })

  it('5 new messages among 5,000 cost a few hundred bytes, far less than the engine alone', () => {
    for (const [onlyA, onlyB] of [[5, 0], [0, 5]]) {
      const { a, b } = makeSets(11, 5000, onlyA, onlyB, 'newest')
      const recent = check(a, b)
      const plain = runLocal(createReconciler(a), createReconciler(b))
      expect(recent.bytes).toBeLessThan(400)
      expect(recent.bytes).toBeLessThan(plain.bytes / 2)
    }
  })

  it('scattered differences fall back to a whole-set round (one HELLO more than the engine)', () => {
    const { a, b } = makeSets(5, 5000, 3, 3, 'random')
    const recent = check(a, b)
    const plain = runLocal(createReconciler(a), createReconciler(b))
    expect(recent.bytes).toBeLessThan(plain.bytes + 40)
  })

  it('refuses bad input with SYNC_MALFORMED: unknown type, a mode mismatch, a truncated START', () => {
    const { a } = makeSets(1, 100, 0, 0, 'newest')
    const cases = [Uint8Array.of(1, 0x30), Uint8Array.of(1, MSG_RECENT_RECENT, 1, 1), Uint8Array.of(1, 0x21, 5, 40, 1), Uint8Array.of(2, MSG_RECENT_FULL)]
    for (const m of cases) {
      try { createRecentReconciler(a).receive(m); expect.unreachable() } catch (e) { expect(isC5Error(e, 'SYNC_MALFORMED')).toBe(true) }
    }
  })
})
