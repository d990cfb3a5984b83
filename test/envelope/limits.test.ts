import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeSignedPart, sampleAlert, DEFAULT_ENVELOPE_LIMITS, type UnsignedEnvelope } from '../../src/envelope/index.js'
import { expectCode } from './helpers.js'
import { alertArray, wire, withSig, withSlot, REF } from './wire.js'

const u = (over: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope => ({ ...sampleAlert(), ...over })

describe('limits are checked before decoding', () => {
  it('a valid base decodes', () => {
    expect(decodeEnvelope(wire(alertArray())).content?.headline).toBe('Titular')
  })

  it('total size: TOO_LARGE on decode and on encode, configurable', () => {
    const big = new Uint8Array(DEFAULT_ENVELOPE_LIMITS.maxBytes + 1)
    expectCode(() => decodeEnvelope(big), 'ENVELOPE_TOO_LARGE')
    const env = wire(alertArray())
    expectCode(() => decodeEnvelope(env, { maxBytes: env.length - 1 }), 'ENVELOPE_TOO_LARGE')
    expect(decodeEnvelope(env, { maxBytes: env.length }).org).toBe('MX-YUC')
    expectCode(() => encodeSignedPart(u({ content: { msgType: 'Alert', description: 'x'.repeat(2000) } }), { maxBytes: 1024 }), 'ENVELOPE_TOO_LARGE')
  })

  it('too short: TOO_SHORT', () => {
    expectCode(() => decodeEnvelope(new Uint8Array(0)), 'ENVELOPE_TOO_SHORT')
    expectCode(() => decodeEnvelope(new Uint8Array(64)), 'ENVELOPE_TOO_SHORT')
  })

  it('deep nesting: LIMIT_EXCEEDED (no stack overflow even at 100 000 levels)', () => {
    const deep = (n: number): Uint8Array => withSig([...new Array(n).fill(0x81), 0xf6])
    const e = expectCode(() => decodeEnvelope(deep(9)), 'ENVELOPE_LIMIT_EXCEEDED')
    expect(e.details?.limit).toBe('maxDepth')
    expectCode(() => decodeEnvelope(deep(60_000)), 'ENVELOPE_LIMIT_EXCEEDED')
    // 8 levels pass the pre-scan and fail later on the schema, not on the limit.
    expectCode(() => decodeEnvelope(deep(8)), 'ENVELOPE_BAD_VERSION')
    expectCode(() => decodeEnvelope(deep(4), { maxDepth: 3 }), 'ENVELOPE_LIMIT_EXCEEDED')
  })

  it('too many items in one array: LIMIT_EXCEEDED; a count beyond the bytes: MALFORMED', () => {
    // array(4097) = 0x99 0x10 0x01, followed by enough nulls to make the count plausible
    const many = withSig([0x99, 0x10, 0x01, ...new Array(4097).fill(0xf6)])
    expect(expectCode(() => decodeEnvelope(many), 'ENVELOPE_LIMIT_EXCEEDED').details?.limit).toBe('maxItems')
    // array(2^32-1) with nothing behind it: refused before any allocation
    expectCode(() => decodeEnvelope(withSig([0x9a, 0xff, 0xff, 0xff, 0xff])), 'ENVELOPE_LIMIT_EXCEEDED')
    expectCode(() => decodeEnvelope(withSig([0x9a, 0xff, 0xff, 0xff, 0xff]), { maxItems: 2 ** 32 }), 'ENVELOPE_MALFORMED')
    expectCode(() => decodeEnvelope(withSig([0x83, 0x01, 0x02])), 'ENVELOPE_MALFORMED')
  })

  it('long strings: LIMIT_EXCEEDED; declared lengths beyond the bytes: MALFORMED', () => {
    const e = expectCode(() => decodeEnvelope(wire(withSlot(7, [0, null, null, null, null, null, 'x'.repeat(16 * 1024 + 1)]))), 'ENVELOPE_LIMIT_EXCEEDED')
    expect(e.details?.limit).toBe('maxStringBytes')
    expectCode(() => decodeEnvelope(wire(withSlot(5, 'x'.repeat(100))), { maxStringBytes: 99 }), 'ENVELOPE_LIMIT_EXCEEDED')
    // text(2^64-1) and bytes(2^64-1) headers with 3 bytes behind them
    expectCode(() => decodeEnvelope(withSig([0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])), 'ENVELOPE_LIMIT_EXCEEDED')
    expectCode(() => decodeEnvelope(withSig([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])), 'ENVELOPE_MALFORMED')
    expectCode(() => encodeSignedPart(u({ org: 'MX-YUC', content: { msgType: 'Alert', headline: 'é'.repeat(9000) } })), 'ENVELOPE_LIMIT_EXCEEDED')
  })

  it('list limits on encode and decode: scope, references, parameters, polygons', () => {
    const scope = Array.from({ length: 65 }, (_, i) => `ORG${i}`)
    expect(expectCode(() => encodeSignedPart(u({ scope })), 'ENVELOPE_LIMIT_EXCEEDED').details?.limit).toBe('maxScope')
    expectCode(() => decodeEnvelope(wire([...alertArray(), scope])), 'ENVELOPE_LIMIT_EXCEEDED')
    const refs = Array.from({ length: 3 }, (_, i) => new Uint8Array(32).fill(i))
    expectCode(() => encodeSignedPart(u({ references: refs }), { maxReferences: 2 }), 'ENVELOPE_LIMIT_EXCEEDED')
    expectCode(() => decodeEnvelope(wire([...alertArray(), [], refs]), { maxReferences: 2 }), 'ENVELOPE_LIMIT_EXCEEDED')
    const parameters = Array.from({ length: 65 }, (_, i) => ({ name: `p${i}`, value: 'v' }))
    expectCode(() => encodeSignedPart(u({ content: { msgType: 'Alert', parameters } })), 'ENVELOPE_LIMIT_EXCEEDED')
    const ring: Array<[number, number]> = [[20, -89], [21, -89], [21, -88], [20, -89]]
    expectCode(() => encodeSignedPart(u({ content: { msgType: 'Alert', area: { description: 'a', polygons: [ring] } } }), { maxPolygonPoints: 3 }), 'ENVELOPE_LIMIT_EXCEEDED')
    expect(decodeEnvelope(wire([...alertArray(), [], [REF]])).references).toEqual([REF])
  })

  it('bad limits are refused', () => {
    expectCode(() => decodeEnvelope(wire(alertArray()), { maxDepth: 0 }), 'ENVELOPE_BAD_FIELD')
  })
})
