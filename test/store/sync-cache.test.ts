import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SyncCache } from '../../src/store/sync-cache.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const id = (n: number): Uint8Array => { const b = new Uint8Array(32); new DataView(b.buffer).setUint32(28, n); b[0] = n % 251; return b }

type Op = { op: 'insert', n: number, t: number, ttl: number } | { op: 'remove', n: number } | { op: 'items', now: number }

describe('SyncCache', () => {
  it('behaves like a sorted set filtered by expiry (model test)', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('insert' as const), n: fc.nat(40), t: fc.nat(20), ttl: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ op: fc.constant('remove' as const), n: fc.nat(40) }),
      fc.record({ op: fc.constant('items' as const), now: fc.nat(40) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const cache = new SyncCache()
      const model = new Map<string, { timestamp: number, id: Uint8Array, expires: number, rank: number }>()
      for (const o of ops) {
        if (o.op === 'insert') {
          const k = hex(id(o.n))
          const fresh = !model.has(k)
          expect(cache.insert(o.t, id(o.n), o.t + o.ttl, o.n % 4)).toBe(fresh)
          if (fresh) model.set(k, { timestamp: o.t, id: id(o.n), expires: o.t + o.ttl, rank: o.n % 4 })
        } else if (o.op === 'remove') {
          expect(cache.removeId(id(o.n))).toBe(model.delete(hex(id(o.n))))
          expect(cache.meta(id(o.n))).toBeUndefined()
        } else {
          const want = [...model.values()].filter(e => e.expires > o.now)
            .sort((a, b) => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id))
            .map(e => ({ timestamp: e.timestamp, id: e.id }))
          expect(cache.items(o.now)).toEqual(want)
        }
        expect(cache.size).toBe(model.size)
        for (const e of model.values()) expect(cache.meta(e.id)).toEqual({ created: e.timestamp, rank: e.rank })
      }
    }), { numRuns: 300 })
  })

  it('keeps 100k items inserted in random order sorted, and repeated calls share the item objects', () => {
    // (No wall-clock bound: the machine is shared. The cost is measured by `npm run bench -- reconcile`.)
    const cache = new SyncCache()
    const N = 100_000
    for (let i = 0; i < N; i++) cache.insert(((i * 7919) % N) * 1000, id(i), Number.MAX_SAFE_INTEGER, 3)
    const first = cache.items(0)
    cache.insert(5, id(N + 1), Number.MAX_SAFE_INTEGER, 3)
    const second = cache.items(0)
    expect(first).toHaveLength(N)
    expect(second).toHaveLength(N + 1)
    let sorted = true
    for (let i = 1; i < second.length; i++) sorted &&= second[i - 1].timestamp <= second[i].timestamp
    expect(sorted).toBe(true)
    // An unchanged set hands out the same item objects (what makes repeated rounds cheap).
    const a = cache.items(1)
    const b = cache.items(2)
    expect(a).not.toBe(b)
    expect(a.every((item, i) => item === b[i])).toBe(true)
  })
})
