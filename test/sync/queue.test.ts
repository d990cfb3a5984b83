import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { OutgoingQueue, type QueuedMessage } from '../../src/sync/queue.js'
import { TokenBucket } from '../../src/sync/budget.js'
import { BoundedIdMap } from '../../src/sync/bounded-set.js'

const msg = (n: number, rank: number, timestamp: number): QueuedMessage => ({ id: new Uint8Array(32).fill(n % 256), key: `k${n}`, rank, timestamp })

describe('outgoing queue', () => {
  it('control frames first (FIFO), then messages by rank, time, arrival (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 }))), fc.integer({ min: 0, max: 5 }), (ms, controls) => {
      const q = new OutgoingQueue(10_000)
      ms.forEach(([rank, t], i) => q.pushMessage(msg(i, rank, t)))
      for (let i = 0; i < controls; i++) q.pushControl('want', Uint8Array.of(i))
      const out = []
      for (let e = q.shift(); e !== undefined; e = q.shift()) out.push(e)
      expect(out.slice(0, controls).map(e => e.kind === 'control' ? e.frame[0] : -1)).toEqual([...Array(controls).keys()])
      const got = out.slice(controls).map(e => e.kind === 'message' ? e.message.key : '')
      const want = ms.map(([rank, t], i) => ({ rank, t, i })).sort((a, b) => a.rank - b.rank || a.t - b.t || a.i - b.i).map(x => `k${x.i}`)
      expect(got).toEqual(want)
    }))
  })

  it('a full queue makes room for a more urgent message: the newest least urgent one leaves (model test)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(-1)), { maxLength: 120 }), (cap, ops) => {
      const q = new OutgoingQueue(cap)
      // Model: the live messages, each [key, rank, arrival]; -1 = send one (shift).
      let model: Array<{ key: string, rank: number, seq: number }> = []
      ops.forEach((rank, i) => {
        if (rank === -1) {
          const head = q.shift()
          if (model.length === 0) { expect(head).toBeUndefined(); return }
          model.sort((a, b) => a.rank - b.rank || a.seq - b.seq)
          const want = model.shift()!
          expect(head?.kind === 'message' && head.message.key).toBe(want.key)
          return
        }
        const evicted: string[] = []
        const ok = q.pushMessage(msg(i, rank, i), e => evicted.push(e.key))
        if (model.length < cap) {
          expect(ok).toBe(true); expect(evicted).toEqual([])
          model.push({ key: `k${i}`, rank, seq: i })
        } else {
          const worst = Math.max(...model.map(m => m.rank))
          if (worst > rank) {
            const victim = model.filter(m => m.rank === worst).sort((a, b) => b.seq - a.seq)[0]
            expect(ok).toBe(true); expect(evicted).toEqual([victim.key])
            model = model.filter(m => m !== victim)
            model.push({ key: `k${i}`, rank, seq: i })
          } else {
            expect(ok).toBe(false); expect(evicted).toEqual([])
          }
        }
        expect(q.messageCount).toBe(model.length)
        for (const m of model) expect(q.hasMessage(m.key)).toBe(true)
      })
    }), { numRuns: 500 })
  })

  it('a flash message queued behind 1,000 routine ones is next out', () => {
    const q = new OutgoingQueue(10_000)
    for (let i = 0; i < 1000; i++) q.pushMessage(msg(i, 3, i))
    q.shift()
    q.pushMessage(msg(5000, 0, 99_999))
    const head = q.shift()
    expect(head?.kind === 'message' && head.message.key).toBe('k5000')
  })

  it('dedups by id and caps the number of messages', () => {
    const q = new OutgoingQueue(2)
    expect(q.pushMessage(msg(1, 3, 0))).toBe(true)
    expect(q.pushMessage(msg(1, 0, 0))).toBe(false)
    expect(q.pushMessage(msg(2, 3, 0))).toBe(true)
    expect(q.pushMessage(msg(3, 3, 0))).toBe(false) // full, and no more urgent than what is queued
    q.clearMessages()
    expect(q.size).toBe(0)
  })
})

describe('token bucket', () => {
  it('spends the burst, then waits by rate; a cost above the burst passes when full', () => {
    let now = 0
    const b = new TokenBucket({ ratePerS: 1000, burst: 500, now: () => now })
    expect(b.delayFor(400)).toBe(0); b.take(400)
    expect(b.delayFor(400)).toBe(300) // 100 left, 400 needed at 1 token/ms
    now += 300
    expect(b.delayFor(400)).toBe(0); b.take(400)
    now += 10_000
    expect(b.delayFor(5000)).toBe(0); b.take(5000) // bigger than the burst: allowed once full, leaves debt
    expect(b.delayFor(1)).toBe(4501)
    expect(new TokenBucket({ ratePerS: Infinity, burst: 1, now: () => 0 }).delayFor(1e9)).toBe(0)
  })
})

describe('bounded id map', () => {
  it('forgets the oldest entries past its cap', () => {
    const m = new BoundedIdMap<number>(3)
    for (let i = 0; i < 5; i++) m.set(`k${i}`, i)
    expect(m.size).toBe(3)
    expect(m.has('k0')).toBe(false)
    m.set('k2', 9) // refreshed: now the youngest
    m.set('k5', 5)
    expect(m.has('k2')).toBe(true)
    expect(m.has('k3')).toBe(false)
  })
})
