import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { C5Error } from '../../src/errors.js'
import { decodeFrame, encodeFrame, FRAME_TYPE_BYTES, type SyncFrame } from '../../src/sync/frames.js'
import { encodeVarint, readVarint } from '../../src/sync/varint.js'
import { MAX_WANT_IDS } from '../../src/sync/constants.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)
const nonneg = fc.maxSafeNat()

const frameArb: fc.Arbitrary<SyncFrame> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    protocolVersion: nonneg,
    nodeKey: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
    nonce: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    rosterVersion: nonneg,
    itemCount: nonneg,
    features: nonneg
  }).map(({ nodeKey, ...h }) => (nodeKey === undefined ? h : { ...h, nodeKey })),
  fc.record({ type: fc.constant('roster' as const), envelope: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ type: fc.constant('recon' as const), senderInitiated: fc.boolean(), round: nonneg, more: fc.boolean(), message: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ type: fc.constant('want' as const), ids: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }) }),
  fc.record({ type: fc.constant('msg' as const), envelope: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ type: fc.constant('ihave' as const), ids: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 40 }) }),
  fc.constant({ type: 'prune' as const }),
  fc.constant({ type: 'graft' as const }),
  fc.record({ type: fc.constant('credit' as const), bytes: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) }),
  fc.record({ type: fc.constant('done' as const), round: nonneg }),
  fc.record({ type: fc.constant('error' as const), code: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,40}$/), text: fc.string({ maxLength: 100 }) }),
  fc.constant({ type: 'bye' as const })
)

function codeOf (fn: () => unknown): string | undefined {
  try { fn() } catch (e) { if (e instanceof C5Error) return e.code; throw e }
  return undefined
}

describe('sync frames', () => {
  it('round-trips every frame type (property)', () => {
    fc.assert(fc.property(frameArb, f => {
      const enc = encodeFrame(f)
      expect(enc[0]).toBe(1)
      expect(enc[1]).toBe(FRAME_TYPE_BYTES[f.type])
      expect(decodeFrame(enc)).toEqual(f)
      expect(encodeFrame(decodeFrame(enc))).toEqual(enc)
    }), { numRuns: 500 })
  })

  it('random bytes decode or throw only C5Error with a sync code (property)', () => {
    const codes = new Set(['SYNC_MALFORMED', 'SYNC_BAD_VERSION', 'SYNC_LIMIT_EXCEEDED'])
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), b => {
      try { decodeFrame(b) } catch (e) {
        expect(e).toBeInstanceOf(C5Error)
        expect(codes.has((e as C5Error).code)).toBe(true)
      }
    }), { numRuns: 3000 })
    // Version 1 and a valid type byte with random bodies reach deeper into the decoders.
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.uint8Array({ maxLength: 120 }), (t, body) => {
      try { decodeFrame(Uint8Array.of(1, t, ...body)) } catch (e) {
        expect(e).toBeInstanceOf(C5Error)
        expect(codes.has((e as C5Error).code)).toBe(true)
      }
    }), { numRuns: 3000 })
  })

  it('mutated valid frames never throw anything but C5Error (property)', () => {
    fc.assert(fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (f, at, v) => {
      const enc = encodeFrame(f)
      const m = enc.slice(); m[at % m.length] = v
      try { decodeFrame(m) } catch (e) { expect(e).toBeInstanceOf(C5Error) }
      try { decodeFrame(enc.subarray(0, at % enc.length)) } catch (e) { expect(e).toBeInstanceOf(C5Error) }
    }), { numRuns: 2000 })
  })

  it('golden vectors', () => {
    const hello: SyncFrame = { type: 'hello', protocolVersion: 1, nodeKey: bytes(32, 0xaa), nonce: bytes(8, 0x01), rosterVersion: 3, itemCount: 300, features: 0 }
    expect(hex(encodeFrame(hello))).toBe('010101' + '01' + 'aa'.repeat(32) + '01'.repeat(8) + '03' + 'ac02' + '00')
    expect(hex(encodeFrame({ type: 'hello', protocolVersion: 1, nonce: bytes(8, 0x02), rosterVersion: 0, itemCount: 0, features: 0 }))).toBe('0101' + '01' + '00' + '02'.repeat(8) + '000000')
    expect(hex(encodeFrame({ type: 'roster', envelope: Uint8Array.of(0x85, 0x01) }))).toBe('01028501')
    expect(hex(encodeFrame({ type: 'recon', senderInitiated: true, round: 2, more: false, message: Uint8Array.of(0x01, 0x02) }))).toBe('0103' + '01' + '02' + '0102')
    expect(hex(encodeFrame({ type: 'recon', senderInitiated: false, round: 300, more: true, message: Uint8Array.of(0x07) }))).toBe('0103' + '02' + 'ac02' + '07')
    expect(hex(encodeFrame({ type: 'want', ids: [bytes(32, 0x11), bytes(32, 0x22)] }))).toBe('0104' + '02' + '11'.repeat(32) + '22'.repeat(32))
    expect(hex(encodeFrame({ type: 'msg', envelope: Uint8Array.of(0x89, 0x01, 0x02) }))).toBe('0105890102')
    expect(hex(encodeFrame({ type: 'done', round: 2 ** 40 }))).toBe('0106' + '808080808020')
    expect(hex(encodeFrame({ type: 'error', code: 'SYNC_PEER_BANNED', text: 'bye' }))).toBe('0107' + '10' + Buffer.from('SYNC_PEER_BANNED').toString('hex') + '03' + '627965')
    expect(hex(encodeFrame({ type: 'bye' }))).toBe('0108')
  })

  it('varints are 64-bit safe and canonical', () => {
    for (const v of [0, 127, 128, 2 ** 31, 2 ** 32 + 5, Date.UTC(2026, 10, 28), Number.MAX_SAFE_INTEGER]) {
      expect(readVarint(encodeVarint(v), 0)).toEqual([v, encodeVarint(v).length])
    }
    expect(hex(encodeVarint(2 ** 31))).toBe('8080808008')
    expect(codeOf(() => readVarint(Uint8Array.of(0x80, 0x00), 0))).toBe('SYNC_MALFORMED') // non-minimal
    expect(codeOf(() => readVarint(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 0))).toBe('SYNC_MALFORMED') // > 2^53
    expect(codeOf(() => readVarint(Uint8Array.of(0x80), 0))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => encodeVarint(-1))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => encodeVarint(Infinity))).toBe('SYNC_MALFORMED')
  })

  it('refuses bad versions, unknown types, trailing bytes and limits with codes', () => {
    expect(codeOf(() => decodeFrame(Uint8Array.of(2, 8)))).toBe('SYNC_BAD_VERSION')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 0x7f)))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1)))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 8, 0)))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 5)))).toBe('SYNC_MALFORMED') // MSG without bytes
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 4, 0)))).toBe('SYNC_MALFORMED') // empty WANT
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 4, 2, ...bytes(32, 1))))).toBe('SYNC_MALFORMED') // count ≠ length
    // A huge WANT count is refused before any allocation.
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 4, ...encodeVarint(2 ** 40))))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 4, ...encodeVarint(MAX_WANT_IDS + 1))))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 4, 3, ...bytes(96, 1)), { maxWantIds: 2 }))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => decodeFrame(new Uint8Array(100).fill(1), { maxFrameBytes: 99 }))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => encodeFrame({ type: 'msg', envelope: bytes(100, 1) }, { maxFrameBytes: 101 }))).toBe('SYNC_LIMIT_EXCEEDED')
    expect(codeOf(() => encodeFrame({ type: 'want', ids: [bytes(31, 1)] }))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 1, 1, 0x02, ...bytes(8, 0), 0, 0, 0)))).toBe('SYNC_MALFORMED') // unknown HELLO flag
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 7, 1, 0x61, 0)))).toBe('SYNC_MALFORMED') // lowercase code
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 7, 1, 0x41, 1, 0xff)))).toBe('SYNC_MALFORMED') // bad UTF-8
    // An overlong ERROR text is cut at encode, refused at decode.
    const long = encodeFrame({ type: 'error', code: 'X', text: 'é'.repeat(600) })
    expect((decodeFrame(long) as { text: string }).text.length).toBe(256)
    expect(codeOf(() => decodeFrame(Uint8Array.of(1, 7, 1, 0x41, ...encodeVarint(513), ...bytes(513, 0x61))))).toBe('SYNC_LIMIT_EXCEEDED')
  })
})

describe('lazy-push frames (golden)', () => {
  it('IHAVE, PRUNE and GRAFT encode as docs/protocol/sync.md §2.2 shows', () => {
    const h = (b: Uint8Array): string => Buffer.from(b).toString('hex')
    expect(h(encodeFrame({ type: 'ihave', ids: [new Uint8Array(32).fill(0x33)] }))).toBe('010901' + '33'.repeat(32))
    expect(h(encodeFrame({ type: 'prune' }))).toBe('010a')
    expect(h(encodeFrame({ type: 'graft' }))).toBe('010b')
    expect(decodeFrame(Uint8Array.from([1, 0x0a]))).toEqual({ type: 'prune' })
    expect(() => decodeFrame(Uint8Array.from([1, 0x0b, 0]))).toThrow()
  })

  it('CREDIT encodes as docs/protocol/sync.md §2.2 shows; 0 bytes and a missing count are malformed', () => {
    const h = (b: Uint8Array): string => Buffer.from(b).toString('hex')
    expect(h(encodeFrame({ type: 'credit', bytes: 32_768 }))).toBe('010c808002')
    expect(decodeFrame(Uint8Array.from([1, 0x0c, 0x80, 0x80, 0x02]))).toEqual({ type: 'credit', bytes: 32_768 })
    expect(codeOf(() => decodeFrame(Uint8Array.from([1, 0x0c, 0])))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => decodeFrame(Uint8Array.from([1, 0x0c])))).toBe('SYNC_MALFORMED')
    expect(codeOf(() => encodeFrame({ type: 'credit', bytes: 0 }))).toBe('SYNC_MALFORMED')
  })
})
