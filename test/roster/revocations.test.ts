import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createRevocationSet, MAX_STATE_REVOCATIONS } from '../../src/roster/index.js'
import { checkRoom } from '../../src/roster/revocations.js'

const revArb = fc.record({
  key: fc.constantFrom(...[1, 2, 3, 4].map(n => new Uint8Array(32).fill(n))),
  effective: fc.integer({ min: 0, max: 2 ** 45 })
})

describe('revocation set', () => {
  it('merging in any order gives the same set: per key, the earliest effective time (a revocation only tightens)', () => {
    fc.assert(fc.property(fc.array(revArb, { maxLength: 30 }), fc.infiniteStream(fc.nat()), (revs, rnd) => {
      const shuffled = revs.map(r => ({ r, k: rnd.next().value })).sort((a, b) => a.k - b.k).map(x => x.r)
      const a = createRevocationSet(revs)
      const b = createRevocationSet(shuffled)
      const canon = (s: typeof a) => s.list().map(r => [Buffer.from(r.key).toString('hex'), r.effective] as const).sort()
      expect(canon(a)).toEqual(canon(b))
      for (const r of revs) {
        const earliest = Math.min(...revs.filter(x => x.key === r.key).map(x => x.effective))
        expect(a.effective(r.key)).toBe(earliest)
        expect(a.isRevoked(r.key, earliest - 1)).toBe(false)
        expect(a.isRevoked(r.key, earliest)).toBe(true)
      }
    }))
  })

  it('does not keep a caller\'s key buffer (later mutation cannot change the set)', () => {
    const key = new Uint8Array(32).fill(9)
    const set = createRevocationSet([{ key, effective: 10 }])
    key.fill(8)
    expect(set.effective(new Uint8Array(32).fill(9))).toBe(10)
  })
})

describe('revocation set limit', () => {
  it('refuses to grow past MAX_STATE_REVOCATIONS keys, checked before any change (so commit cannot fail)', () => {
    const key = (i: number) => { const k = new Uint8Array(32); new DataView(k.buffer).setUint32(0, i); return k }
    const set = createRevocationSet(Array.from({ length: MAX_STATE_REVOCATIONS }, (_, i) => ({ key: key(i), effective: 100 })))
    expect(() => checkRoom(set, [{ key: key(0), effective: 1 }])).not.toThrow() // an existing key may move earlier
    let code: string | undefined
    try { checkRoom(set, [{ key: key(MAX_STATE_REVOCATIONS), effective: 1 }]) } catch (e) { code = (e as { code: string }).code }
    expect(code).toBe('ROSTER_MALFORMED')
    expect(() => set.add({ key: key(MAX_STATE_REVOCATIONS), effective: 1 })).toThrow()
    expect(set.size()).toBe(MAX_STATE_REVOCATIONS)
  })
})
