/**
 * The reconciler's item table at scale: rows in bytewise id order by a packed native sort
 * (with runs that share their first 31 bits ordered by the whole id), the set digest, and
 * the table kept from one round to the next while the set is unchanged.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildItemTable, compareIds, SET_DIGEST_DOMAIN, sortRowsById } from '../../src/sync/reconcile/items.js'
import { createReconciler, runLocal } from '../../src/sync/reconcile/index.js'
import { hexSet, idFor, makeSets, minus } from '../../src/sync/reconcile/sets.js'
import { SET_DIGEST_BYTES } from '../../src/sync/reconcile/constants.js'

/** 32-byte ids whose first 4 bytes come from a tiny set: many share their first 31 bits. */
const crowdedId = fc.tuple(fc.constantFrom(0x00, 0x7f, 0x80, 0xff), fc.constantFrom(0x00, 0xff), fc.uint8Array({ minLength: 28, maxLength: 28 }))
  .map(([a, b, rest]) => Uint8Array.from([a, a, b, b, ...rest]))
const ids = fc.uniqueArray(fc.oneof(crowdedId, fc.uint8Array({ minLength: 32, maxLength: 32 })), { maxLength: 300, selector: id => Buffer.from(id).toString('hex') })

describe('item table', () => {
  it('orders rows exactly as a bytewise comparison of the ids', () => {
    fc.assert(fc.property(ids, (list) => {
      const expected = list.map((_, r) => r).sort((x, y) => compareIds(list[x], list[y]))
      expect(Array.from(sortRowsById(list))).toEqual(expected)
    }), { numRuns: 500 })
  })

  it('digests the ids in bytewise order behind the domain tag', () => {
    fc.assert(fc.property(ids, (list) => {
      const sorted = list.slice().sort(compareIds)
      const h = createHash('sha256').update(SET_DIGEST_DOMAIN)
      for (const id of sorted) h.update(id)
      expect(Buffer.from(buildItemTable(list).digest()).equals(h.digest().subarray(0, SET_DIGEST_BYTES))).toBe(true)
    }), { numRuns: 300 })
  })

  it('finds every row by id, and no stranger', () => {
    fc.assert(fc.property(ids, (list) => {
      const t = buildItemTable(list)
      list.forEach((id, r) => { expect(t.rowOf(new Uint8Array(id))).toBe(r) })
      expect(t.rowOf(new Uint8Array(32).fill(0x5a))).toBe(list.some(id => id.every(b => b === 0x5a)) ? 0 : -1)
    }), { numRuns: 200 })
  })

  it('a round after the set changed uses the new set, even at the same size', () => {
    const { a, b } = makeSets(77, 2_000, 10, 10, 'random')
    const first = runLocal(createReconciler(a), createReconciler(b))
    expect(hexSet([...first.initiator.have, ...first.responder.need])).toEqual(minus(a, b))
    // Same length, same objects but one: one id of A replaced by a new one.
    const a2 = a.slice()
    a2[5] = { timestamp: a2[5].timestamp, id: idFor(4242, 1) }
    const second = runLocal(createReconciler(a2), createReconciler(b))
    expect(hexSet([...second.initiator.have, ...second.responder.need])).toEqual(minus(a2, b))
    expect(hexSet([...second.initiator.need, ...second.responder.have])).toEqual(minus(b, a2))
    // And back to the first set: still exact.
    const third = runLocal(createReconciler(a), createReconciler(b))
    expect(hexSet([...third.initiator.have, ...third.responder.need])).toEqual(minus(a, b))
  })

  it('rounds over one set with two peers, interleaved, share its encoder and both come out exact', () => {
    const { a, b } = makeSets(91, 3_000, 120, 80, 'random')
    const { b: c } = makeSets(92, 0, 0, 0, 'random')
    const peer2 = [...a.slice(40), ...c, { timestamp: 1, id: idFor(9191, 1) }, { timestamp: 2, id: idFor(9191, 2) }]
    // A small first batch forces several MOREs, so the shared encoder grows between steps.
    const opts = { firstBatchPerDiff: 0.3 }
    const talks = [
      { engines: [createReconciler(a, opts), createReconciler(b, opts)], peer: b, turn: 1, msg: undefined as Uint8Array | undefined, have: [] as Uint8Array[], need: [] as Uint8Array[] },
      { engines: [createReconciler(a, opts), createReconciler(peer2, opts)], peer: peer2, turn: 1, msg: undefined as Uint8Array | undefined, have: [] as Uint8Array[], need: [] as Uint8Array[] }
    ]
    for (const t of talks) t.msg = t.engines[0].initiate()
    let steps = 0
    while (talks.some(t => t.msg !== undefined)) {
      for (const t of talks) {
        if (t.msg === undefined) continue
        const step = t.engines[t.turn].receive(t.msg)
        // What A has that the peer lacks, and what A needs, from either side's report.
        if (t.turn === 0) { t.have.push(...step.have); t.need.push(...step.need) } else { t.have.push(...step.need); t.need.push(...step.have) }
        t.msg = step.reply
        t.turn = 1 - t.turn
        steps++
      }
    }
    expect(steps).toBeGreaterThan(6)
    for (const t of talks) {
      expect(hexSet(t.have)).toEqual(minus(a, t.peer))
      expect(hexSet(t.need)).toEqual(minus(t.peer, a))
    }
  })
})
