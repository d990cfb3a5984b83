import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { decodeRadioFrame, encodeRadioFrame, seqDiff, type RadioFrame } from '../../src/links/radio/frame.js'
import { decodeHello, encodeHello, stationTag } from '../../src/links/radio/hello.js'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { isC5Error } from '../../src/errors.js'
import { BROADCAST_TAG, MIN_FRAME_BYTES } from '../../src/links/radio/constants.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))

describe('radio frames (golden vectors, docs/protocol/links.md §7.4)', () => {
  const vectors: Array<[string, RadioFrame, string]> = [
    ['DATA, first and last fragment, lane 1 (flash), kind FRAME, to everyone',
      { type: 'data', src: 0x1234, stream: 0xab, seq: 0x0102, lane: 1, first: true, last: true, compressed: false, kind: 0, dst: 0xffff, payload: bytes('0105' + '11'.repeat(8)) },
      '10 1234 ab 0102 19 ffff 0105' + '11'.repeat(8)],
    ['DATA, later fragment of a routine packet',
      { type: 'data', src: 0x1234, stream: 0xab, seq: 0xffff, lane: 4, first: false, last: false, compressed: false, kind: 0, payload: bytes('22'.repeat(10)) },
      '10 1234 ab ffff 04' + '22'.repeat(10)],
    ['DATA, first fragment, compressed, kind HELLO, to station 0x0042',
      { type: 'data', src: 0x0001, stream: 0x00, seq: 7, lane: 0, first: true, last: false, compressed: true, kind: 1, dst: 0x0042, payload: bytes('33'.repeat(8)) },
      '10 0001 00 0007 68 0042' + '33'.repeat(8)],
    ['DATA padded to 15 bytes: a CLOSE (kind 2, empty payload)',
      { type: 'data', src: 0x0a0b, stream: 0x05, seq: 9, lane: 0, first: true, last: true, compressed: false, kind: 2, dst: 0x0c0d, payload: new Uint8Array(0) },
      '11 0a0b 05 0009 98 0c0d 0000000000 06'],
    ['NACK of seqs 10–12 and 20 from station 0x1234 to 0x5678',
      { type: 'nack', src: 0x1234, target: 0x5678, stream: 0xab, ranges: [[10, 3], [20, 1]] },
      '12 1234 5678 ab 02 000a02 001400 0000'],
    ['STATUS: next 0x0100, oldest 0x00f0',
      { type: 'status', src: 0x1234, stream: 0xab, next: 0x0100, oldest: 0x00f0 },
      '13 1234 ab 0100 00f0 00000000000000']
  ]
  for (const [name, frame, wire] of vectors) {
    it(name, () => {
      const enc = encodeRadioFrame(frame)
      expect(hex(enc)).toBe(wire.replace(/\s+/g, ''))
      expect(enc.length).toBeGreaterThanOrEqual(MIN_FRAME_BYTES)
      expect(decodeRadioFrame(enc)).toEqual(frame)
    })
  }

  it('round-trips every DATA frame (property)', () => {
    const data = fc.record({
      src: fc.integer({ min: 0, max: 0xffff }),
      stream: fc.integer({ min: 0, max: 255 }),
      seq: fc.integer({ min: 0, max: 0xffff }),
      lane: fc.integer({ min: 0, max: 4 }),
      first: fc.boolean(),
      last: fc.boolean(),
      compressed: fc.boolean(),
      kind: fc.integer({ min: 0, max: 3 }),
      dst: fc.integer({ min: 0, max: 0xffff }),
      payload: fc.uint8Array({ maxLength: 300 })
    }).map(r => ({ type: 'data' as const, ...r, ...(r.first ? {} : { compressed: false, kind: 0, dst: undefined }) }))
      .map(r => { if (!r.first) delete (r as { dst?: number }).dst; return r })
    fc.assert(fc.property(data, f => { expect(decodeRadioFrame(encodeRadioFrame(f))).toEqual(f) }))
  })

  it('refuses anything else with RADIO_MALFORMED, never another error (fuzz)', () => {
    const valid = fc.constantFrom(...vectors.map(v => bytes(v[2])))
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 40 }))
      .map(([b, muts, cut]) => { const c = Uint8Array.from(b); for (const [at, v] of muts) c[at % c.length] = v; return c.subarray(0, Math.max(0, c.length - (cut % 3 === 0 ? cut % 8 : 0))) })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), b => {
      try { decodeRadioFrame(b) } catch (e) { expect(isC5Error(e, 'RADIO_MALFORMED')).toBe(true) }
    }), { numRuns: 2000 })
  })

  it('seq arithmetic wraps at 2^16', () => {
    expect(seqDiff(0, 0xffff)).toBe(1)
    expect(seqDiff(0xffff, 0)).toBe(-1)
    expect(seqDiff(5, 3)).toBe(2)
    expect(seqDiff(0x8000, 0)).toBe(-0x8000)
  })
})

describe('station hello (docs/protocol/links.md §7.5)', () => {
  const pair = keyPairFromSeed(new Uint8Array(32).fill(7))
  const epoch = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])
  const echo = Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9])
  const base = { epoch, time: 1_764_000_000_000, reply: false, stationId: 'C5-YUC', rosterVersion: 3 }

  it('golden vector: a beacon', () => {
    const h = encodeHello(base, pair, BROADCAST_TAG)
    // version, flags, key, epoch, time, id, roster version; then a 64-byte signature.
    expect(hex(h.subarray(0, h.length - 64))).toBe('01' + '00' + hex(pair.publicKey) + '0102030405060708' + '80d0dfb4ab33' + '06' + hex(new TextEncoder().encode('C5-YUC')) + '03')
    expect(h.length).toBe(2 + 32 + 8 + 6 + 1 + 6 + 1 + 64)
    expect(decodeHello(h, BROADCAST_TAG)).toEqual({ key: pair.publicKey, ...base })
  })

  it('an addressed reply carries the echo; its signature binds the destination', () => {
    const h = encodeHello({ ...base, reply: true, echo }, pair, 0x0042)
    expect(h[1]).toBe(0x03)
    expect(decodeHello(h, 0x0042)).toEqual({ key: pair.publicKey, ...base, reply: true, echo })
    // The same bytes sent to another station (a replay to someone else) do not verify.
    expect(() => decodeHello(h, 0x0043)).toThrow(/signature/)
    expect(() => decodeHello(h, BROADCAST_TAG)).toThrow(/destination/)
  })

  it('a tampered byte anywhere fails with RADIO_BAD_HELLO (every position)', () => {
    const h = encodeHello(base, pair, BROADCAST_TAG)
    for (let i = 0; i < h.length; i++) {
      const t = Uint8Array.from(h)
      t[i] ^= 0x01
      try { decodeHello(t, BROADCAST_TAG); expect.unreachable(`byte ${i}`) } catch (e) { expect(isC5Error(e, 'RADIO_BAD_HELLO')).toBe(true) }
    }
  })

  it('random bytes never crash the decoder (fuzz)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 0xffff }), (b, dst) => {
      try { decodeHello(b, dst) } catch (e) { expect(isC5Error(e, 'RADIO_BAD_HELLO')).toBe(true) }
    }), { numRuns: 1000 })
  })

  it('station tags come from the key and never take the broadcast value', () => {
    expect(stationTag(pair.publicKey)).toBe(stationTag(Uint8Array.from(pair.publicKey)))
    expect(stationTag(pair.publicKey)).not.toBe(BROADCAST_TAG)
  })
})
