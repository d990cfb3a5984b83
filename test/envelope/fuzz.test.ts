import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { isC5Error } from '../../src/errors.js'
import { decodeEnvelope, signEnvelope, type EnvelopeLimits } from '../../src/envelope/index.js'
import { unsignedArb } from './arbitraries.js'

const signer = keyPairFromSeed(new Uint8Array(32).fill(6))

/** Decode must return or throw a C5Error — never a TypeError, RangeError or the like. */
function decodesOrC5Error (bytes: Uint8Array, limits?: Partial<EnvelopeLimits>, codes?: Set<string>): void {
  try {
    decodeEnvelope(bytes, limits)
  } catch (e) {
    if (!isC5Error(e)) throw e
    expect(e.code.startsWith('ENVELOPE_')).toBe(true)
    codes?.add(e.code)
  }
}

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) })
)

function mutate (bytes: Uint8Array, muts: Array<{ op: string, at: number, value: number }>): Uint8Array {
  let b = Array.from(bytes)
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % b.length
    if (m.op === 'set') b[at] = m.value
    else if (m.op === 'insert') b.splice(at, 0, m.value)
    else if (m.op === 'delete') b.splice(at, 1)
    else b = b.slice(0, at)
  }
  return Uint8Array.from(b)
}

describe('decode never crashes', () => {
  it('on random bytes', () => {
    // Mostly longer than a signature (65+ bytes), so they reach the CBOR walk: fast-check's
    // default sizes would make nearly all of them ENVELOPE_TOO_SHORT.
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 65, maxLength: 600 }), fc.uint8Array({ minLength: 65, maxLength: 600 }))
    const codes = new Set<string>()
    fc.assert(fc.property(bytes, (b) => { decodesOrC5Error(b, undefined, codes) }), { numRuns: 2000 })
    expect(codes.has('ENVELOPE_MALFORMED')).toBe(true)
  })

  it('on random bytes behind a plausible header', () => {
    // 0x88..0x8a + version 1: gets past the first checks into the schema.
    const head = fc.tuple(fc.integer({ min: 0x88, max: 0x8a }), fc.uint8Array({ minLength: 70, maxLength: 300 }))
    const codes = new Set<string>()
    fc.assert(fc.property(head, ([h, rest]) => { decodesOrC5Error(Uint8Array.from([h, 1, ...rest]), undefined, codes) }), { numRuns: 2000 })
    // The schema was reached, not only the size and CBOR checks.
    expect(codes.has('ENVELOPE_BAD_FIELD')).toBe(true)
  })

  it('on mutated valid envelopes', () => {
    fc.assert(fc.property(unsignedArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (u, muts) => {
      decodesOrC5Error(mutate(signEnvelope(u, signer.privateKey).bytes, muts))
    }), { numRuns: 1000 })
  })

  it('on mutated valid envelopes under tight limits', () => {
    const tight = { maxBytes: 400, maxDepth: 4, maxItems: 12, maxStringBytes: 48, maxScope: 2, maxReferences: 2, maxParameters: 2, maxPolygons: 1, maxPolygonPoints: 5, maxCircles: 1, maxGeocodes: 1 }
    fc.assert(fc.property(unsignedArb, fc.array(mutation, { maxLength: 3 }), (u, muts) => {
      decodesOrC5Error(mutate(signEnvelope(u, signer.privateKey).bytes, muts), tight)
    }), { numRuns: 500 })
  })

  it('on every single-byte value at every position of a valid envelope', () => {
    const env = signEnvelope(fc.sample(unsignedArb, { numRuns: 1, seed: 42 })[0], signer.privateKey)
    const end = Math.min(env.bytes.length - 64, 120)
    for (let at = 0; at < end; at++) {
      for (let v = 0; v < 256; v++) {
        const b = env.bytes.slice()
        b[at] = v
        decodesOrC5Error(b)
      }
    }
  })
})
