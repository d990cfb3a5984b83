/**
 * decodeSignedPart (src/envelope/prescan.ts) decodes the envelope's CBOR subset by hand.
 * Differential properties against @ipld/dag-cbor: on every value of the subset both give
 * the same result, and on arbitrary bytes ours never accepts what DAG-CBOR would refuse or
 * read differently.
 */
import * as dagCbor from '@ipld/dag-cbor'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isC5Error } from '../../src/errors.js'
import { decodeSignedPart } from '../../src/envelope/prescan.js'
import { DEFAULT_ENVELOPE_LIMITS } from '../../src/envelope/index.js'

const LIMITS = { ...DEFAULT_ENVELOPE_LIMITS, maxDepth: 64, maxItems: 1000, maxStringBytes: 10_000 }

const leaf = fc.oneof(
  fc.integer(),
  fc.maxSafeNat(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 64n), max: -(2n ** 53n) }),
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).filter(s => s.charCodeAt(0) !== 0xfeff),
  fc.string({ maxLength: 80 }),
  fc.constant(null)
)
const { tree } = fc.letrec(tie => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 6 }))
}))

function ours (bytes: Uint8Array): unknown {
  return decodeSignedPart(bytes, bytes.length, LIMITS)
}

describe('decodeSignedPart against @ipld/dag-cbor', () => {
  it('decodes every value of the subset exactly as DAG-CBOR does', () => {
    fc.assert(fc.property(tree, (v) => {
      const bytes = new Uint8Array(dagCbor.encode(v)) // (a plain array: Node's encode gives a Buffer)
      expect(ours(bytes)).toEqual(dagCbor.decode(bytes))
    }), { numRuns: 3000 })
  })

  it('on arbitrary and mutated bytes, accepts only what DAG-CBOR reads the same', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.tuple(tree, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([v, at, b]) => {
        const bytes = Uint8Array.from(dagCbor.encode(v))
        bytes[at % bytes.length] = b
        return bytes
      })
    )
    let accepted = 0
    fc.assert(fc.property(input, (bytes) => {
      let got: unknown
      try {
        got = ours(bytes)
      } catch (e) {
        if (!isC5Error(e)) throw e
        return
      }
      accepted++
      expect(got).toEqual(dagCbor.decode(bytes))
    }), { numRuns: 5000 })
    expect(accepted).toBeGreaterThan(100)
  })

  it('hands out byte strings as views of the input (fromWire copies what it keeps)', () => {
    const bytes = new Uint8Array(dagCbor.encode([new Uint8Array([1, 2, 3])]))
    const [b] = ours(bytes) as [Uint8Array]
    expect(b.buffer).toBe(bytes.buffer)
  })
})
