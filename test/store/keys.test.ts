/** Pure v1 key/value codecs (docs/protocol/store.md): round trips and order. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isC5Error } from '../../src/errors.js'
import { decodeRecord, encodeRecord, readTime, timeBytes, compareBytes, decodeMetaValue, encodeMetaValue } from '../../src/store/keys.js'
import { decodeSummary, encodeSummary } from '../../src/store/layout.js'

const time = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const bytes = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })

describe('store key codecs', () => {
  it('times are 8-byte big-endian, exact above 2^32, and sort like numbers', () => {
    expect(Buffer.from(timeBytes(0x1_0000_0001)).toString('hex')).toBe('0000000100000001')
    fc.assert(fc.property(time, time, (a, b) => {
      expect(readTime(timeBytes(a), 0)).toBe(a)
      expect(Math.sign(compareBytes(timeBytes(a), timeBytes(b)))).toBe(Math.sign(a - b))
    }))
  })

  it('message records round-trip; truncated headers are STORE_CORRUPT', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), time, fc.string({ maxLength: 60 }), (env, received, source) => {
      const rec = encodeRecord(env, received, source)
      expect(decodeRecord(rec)).toEqual({ bytes: env, received, source })
      for (const cut of [0, 5, 10]) {
        try { decodeRecord(rec.subarray(0, cut)); throw new Error('no error') } catch (e) { expect(isC5Error(e, 'STORE_CORRUPT')).toBe(true) }
      }
    }))
  })

  it('index summaries round-trip and reject any truncation', () => {
    const fields = fc.record({
      digest: bytes(32),
      created: time,
      expires: time,
      rank: fc.integer({ min: 0, max: 3 }),
      kind: fc.constantFrom('alert', 'bulletin', 'ack', 'receipt', 'roster', 'revocation'),
      org: fc.stringMatching(/^[A-Z][A-Z0-9-]{1,15}$/),
      author: fc.oneof(bytes(8), bytes(32)),
      references: fc.uniqueArray(bytes(32), { maxLength: 5, selector: r => Buffer.from(r).toString('hex') })
    })
    fc.assert(fc.property(fields, fc.nat(), (f, cutSeed) => {
      const enc = encodeSummary(f)
      expect(decodeSummary(f.digest, f.expires, enc)).toEqual(f)
      const cut = cutSeed % enc.length
      expect(() => decodeSummary(f.digest, f.expires, enc.subarray(0, cut))).toThrow()
    }))
  })

  it('meta values round-trip bytes and JSON', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 50 }), fc.jsonValue()), (v) => {
      const back = decodeMetaValue(encodeMetaValue(v))
      expect(back).toEqual(v instanceof Uint8Array ? v : JSON.parse(JSON.stringify(v)))
    }))
  })
})
