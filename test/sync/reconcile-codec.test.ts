import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isC5Error } from '../../src/errors.js'
import {
  createReconciler, encodeVarint, makeSets, readVarint, runLocal, varintLength, type ReconcileEngine
} from '../../src/sync/reconcile/index.js'
import type { SyncItem } from '../../src/sync/types.js'
import { decodeMessage, encodeMore } from '../../src/sync/reconcile/messages.js'

const ALLOWED = ['SYNC_MALFORMED', 'SYNC_LIMIT_EXCEEDED']

function codeOf (fn: () => unknown): string | undefined {
  try { fn() } catch (e) {
    if (!isC5Error(e)) throw e // anything but a C5Error is a crash
    return e.code
  }
  return undefined
}

describe('varints are 64-bit safe (up to 2^53 − 1)', () => {
  it('round trips every safe integer (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.maxSafeNat()), (v) => {
      const bytes = encodeVarint(v)
      expect(bytes.length).toBe(varintLength(v))
      expect(readVarint(bytes, 0)).toEqual([v, bytes.length])
    }), { numRuns: 2_000 })
  })

  it.each([
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 31 + 1, '8180808008'],
    [2 ** 32, '8080808010'],
    [2 ** 32 + 5, '8580808010'],
    [1_764_000_000_000, '80d0dfb4ab33'],
    [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f']
  ])('%d encodes as %s', (v, hex) => {
    expect(Buffer.from(encodeVarint(v)).toString('hex')).toBe(hex)
    expect(readVarint(Buffer.from(hex, 'hex'), 0)[0]).toBe(v)
  })

  it.each([
    ['non-minimal', '8000'],
    ['truncated', '8080'],
    ['above 2^53 - 1', 'ffffffffffffff7f'],
    ['longer than 8 bytes', '808080808080808001']
  ])('refuses %s', (_n, hex) => {
    expect(codeOf(() => readVarint(Buffer.from(hex, 'hex'), 0))).toBe('SYNC_MALFORMED')
  })

  it('refuses to encode unsafe or negative values', () => {
    for (const v of [-1, 2 ** 53, 1.5, Number.NaN]) expect(codeOf(() => encodeVarint(v))).toBe('SYNC_MALFORMED')
  })
})

/** Runs a real exchange, recording each message and the engine that received it. */
function transcript (a: SyncItem[], b: SyncItem[], options = {}): Array<{ to: 'a' | 'b', msg: Uint8Array }> {
  const ra = createReconciler(a, options)
  const rb = createReconciler(b, options)
  const out: Array<{ to: 'a' | 'b', msg: Uint8Array }> = []
  let msg: Uint8Array | undefined = ra.initiate()
  let to: 'a' | 'b' = 'b'
  while (msg !== undefined) {
    out.push({ to, msg })
    msg = (to === 'b' ? rb : ra).receive(msg).reply
    to = to === 'b' ? 'a' : 'b'
  }
  return out
}

/** Fresh engines, replayed up to message `k` (exclusive); returns the engine that gets message k. */
function engineBefore (a: SyncItem[], b: SyncItem[], k: number, options = {}): ReconcileEngine {
  const ra = createReconciler(a, options)
  const rb = createReconciler(b, options)
  let msg: Uint8Array | undefined = ra.initiate()
  let to = rb
  for (let i = 0; i < k; i++) {
    msg = to.receive(msg as Uint8Array).reply
    to = to === rb ? ra : rb
  }
  return to
}

describe('hostile messages: only SYNC_MALFORMED / SYNC_LIMIT_EXCEEDED, never a crash, hang or wrong answer', () => {
  const { a, b } = makeSets(21, 300, 12, 9, 'random')
  const iblt = transcript(a, b)
  const list = transcript(a, b, { maxSymbols: 8 })

  it('the IBLT transcript is HELLO, SKETCH, SYMBOLS, DONE and the list one ends in a LIST', () => {
    expect(iblt.map(t => t.msg[1])).toEqual([1, 2, 3, 7])
    expect(list.some(t => t.msg[1] === 5)).toBe(true)
  })

  it('random bytes in every state', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: iblt.length - 1 }), fc.uint8Array({ maxLength: 300 }), (k, junk) => {
      const code = codeOf(() => engineBefore(a, b, k).receive(junk))
      // Short junk can be a valid message (01 07 = DONE, 01 05 00 = empty LIST, a MORE…):
      // accepted only if it decodes as one.
      if (code === undefined) expect(() => decodeMessage(junk, { maxSymbols: 262_144, maxItems: 4_194_304 })).not.toThrow()
      else expect(ALLOWED).toContain(code)
    }), { numRuns: 400 })
  })

  it('random bytes after a valid header, with the right version and each type', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: iblt.length - 1 }), fc.integer({ min: 0, max: 9 }), fc.uint8Array({ maxLength: 120 }), (k, type, body) => {
      const msg = new Uint8Array([1, type, ...body])
      const code = codeOf(() => engineBefore(a, b, k).receive(msg))
      // A valid message of an expected type may be accepted; it must never crash.
      if (code !== undefined) expect(ALLOWED).toContain(code)
    }), { numRuns: 600 })
  })

  it('truncations (every cut of the first 96 and last 48 bytes, a stride between) and extensions of every real message are refused', () => {
    for (const [tr, opts] of [[iblt, {}], [list, { maxSymbols: 8 }]] as const) {
      tr.forEach((t, k) => {
        // Every cut of the header and first symbols, then a stride, then the last bytes.
        const n = t.msg.length
        const cuts = [...Array(n).keys()].filter(len => len < 96 || len > n - 48 || len % 97 === 0)
        for (const len of cuts) {
          expect(codeOf(() => engineBefore(a, b, k, opts).receive(t.msg.subarray(0, len)))).toBe('SYNC_MALFORMED')
        }
        const longer = new Uint8Array([...t.msg, 0])
        expect(codeOf(() => engineBefore(a, b, k, opts).receive(longer))).toBe('SYNC_MALFORMED')
      })
    }
  })

  it('huge counts are refused before any allocation', () => {
    // LIST claiming 2^50 ids; SYMBOLS claiming 2^40 symbols; MORE asking for 2^45.
    const fresh = (): ReconcileEngine => createReconciler(b)
    expect(codeOf(() => fresh().receive(Buffer.from('0105' + '80808080808080' + '01', 'hex')))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => engineBefore(a, b, 2).receive(Buffer.from('010300' + '8080808080808001', 'hex')))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => engineBefore(a, b, 3).receive(Buffer.from('0104' + '80808080808008', 'hex')))).toBe('SYNC_LIMIT_EXCEEDED')
  })

  it('a message after done, a second initiate, and a wrong version are refused', () => {
    const ra = createReconciler(a)
    ra.initiate()
    expect(codeOf(() => ra.initiate())).toBe('SYNC_UNEXPECTED')
    const done = engineBefore(a, b, 3)
    done.receive(iblt[3].msg)
    expect(codeOf(() => done.receive(iblt[3].msg))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => createReconciler(b).receive(new Uint8Array([2, 1, 0, ...new Uint8Array(16)])))).toBe('SYNC_MALFORMED')
  })

  it('a bit flipped in any message: the result is exact or the exchange fails with an allowed code', () => {
    const aMinusB = new Set(a.map(i => Buffer.from(i.id).toString('hex')).filter(h => !b.some(j => Buffer.from(j.id).toString('hex') === h)))
    fc.assert(fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), (useList, pick, bit) => {
      const opts = useList ? { maxSymbols: 8 } : {}
      const tr = useList ? list : iblt
      const k = pick % tr.length
      const pos = Math.floor(pick / tr.length) % tr[k].msg.length
      const ra = createReconciler(a, opts)
      const rb = createReconciler(b, opts)
      const learned = { have: [] as Uint8Array[], need: [] as Uint8Array[], who: '' }
      const code = codeOf(() => {
        let msg: Uint8Array | undefined = ra.initiate()
        let to = rb
        for (let i = 0; msg !== undefined && i < 40; i++) {
          if (i === k) { msg = msg.slice(); msg[pos] ^= 1 << bit }
          const s = to.receive(msg)
          if (s.have.length + s.need.length > 0) Object.assign(learned, { have: s.have, need: s.need, who: to === ra ? 'a' : 'b' })
          msg = s.reply
          to = to === rb ? ra : rb
        }
      })
      if (code !== undefined) { expect(ALLOWED).toContain(code); return }
      const toA = learned.who === 'a' ? learned.have : learned.need
      expect(new Set(toA.map(id => Buffer.from(id).toString('hex')))).toEqual(aMinusB)
    }), { numRuns: 300 })
  })

  it('well-formed SYMBOLS with garbage content never yield an answer: the decoder falls back', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 40 * 30, maxLength: 40 * 30 }), (payload) => {
      const rb = engineBefore(a, b, 2) // the responder after its SKETCH
      let s = rb.receive(new Uint8Array([1, 3, 0, 30, ...payload]))
      expect(s.have.length + s.need.length).toBe(0)
      expect(s.done).toBe(false)
      expect([4, 5, 6]).toContain(s.reply?.[1]) // MORE, LIST or LIST_REQUEST
    }), { numRuns: 30 })
  })
})

describe('a peer cannot make us work without bound', () => {
  const { a, b } = makeSets(22, 400, 40, 40, 'random')

  it('symbol batches other than the first and the ones asked for are refused', () => {
    const ra = createReconciler(a, { firstBatchPerDiff: 0.2 })
    const rb = createReconciler(b, { firstBatchPerDiff: 0.2 })
    const first = ra.receive(rb.receive(ra.initiate()).reply as Uint8Array).reply as Uint8Array
    const more = rb.receive(first).reply as Uint8Array
    expect(more[1]).toBe(4) // MORE
    const batch = ra.receive(more).reply as Uint8Array
    // Resend the batch cut by one symbol: its end is not the total asked for.
    const cut = batch.slice(0, batch.length - 40)
    cut[3] -= 1 // count varint (single byte here)
    expect(codeOf(() => rb.receive(cut))).toBe('SYNC_MALFORMED')
  })

  it('an encoder answers a bounded number of MOREs', () => {
    const ra = createReconciler(a)
    const rb = createReconciler(b)
    const sym = ra.receive(rb.receive(ra.initiate()).reply as Uint8Array).reply as Uint8Array
    let total = readVarint(sym, 3)[0] // first batch size (start 0 is one byte at offset 2)
    const code = codeOf(() => {
      for (let i = 0; i < 100; i++) ra.receive(encodeMore(++total))
    })
    expect(code).toBe('SYNC_LIMIT_EXCEEDED')
  })
})

describe('options and inputs are validated', () => {
  it('bad ids, duplicate ids, bad timestamps, bad options', () => {
    const ok = { timestamp: 2 ** 41, id: new Uint8Array(32) }
    expect(codeOf(() => createReconciler([{ timestamp: 1, id: new Uint8Array(31) }]))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => createReconciler([ok, { ...ok }]))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => createReconciler([{ timestamp: -1, id: new Uint8Array(32) }]))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => createReconciler([ok], { maxSymbols: 0 }))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => createReconciler([ok, { timestamp: 1, id: new Uint8Array(32).fill(1) }], { maxItems: 1 }))).toBe('SYNC_LIMIT_EXCEEDED')
  })

  it('a peer LIST larger than maxItems is refused', () => {
    const { a, b } = makeSets(5, 0, 3, 0, 'newest')
    const msg = createReconciler(a).initiate()
    expect(codeOf(() => createReconciler(b, { maxItems: 2 }).receive(msg))).toBe('SYNC_LIMIT_EXCEEDED')
  })

  it('the run helper reports messages, bytes and round trips', () => {
    const { a, b } = makeSets(5, 100, 0, 0, 'newest')
    const run = runLocal(createReconciler(a), createReconciler(b))
    expect(run.messages).toBe(2)
    expect(run.roundTrips).toBe(1)
    expect(run.bytes).toBe(run.sizes[0] + run.sizes[1])
  })
})
