/**
 * The decoder's canonical-form check compares decoded values, not re-encoded bytes
 * (codec.ts sameWireValue). These differential properties hold it to the definition: any
 * signed part the decoder accepts is byte for byte what DAG-CBOR encodes for it, so one
 * message has exactly one wire form and one id.
 */
import * as dagCbor from '@ipld/dag-cbor'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isC5Error } from '../../src/errors.js'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { decodeEnvelope, encodeSignedPart, signEnvelope, type Envelope } from '../../src/envelope/index.js'
import { unsignedArb } from './arbitraries.js'
import { expectCode } from './helpers.js'
import { alertArray, wire, withSlot } from './wire.js'

const signer = keyPairFromSeed(new Uint8Array(32).fill(9))

/** Decodes, or returns the C5Error code; any other throw fails the test. */
function tryDecode (bytes: Uint8Array): Envelope | string {
  try {
    return decodeEnvelope(bytes)
  } catch (e) {
    if (!isC5Error(e)) throw e
    return e.code
  }
}

/** Accepted ⇒ the signed part is exactly the re-encoding of what was decoded. */
function acceptedOnlyIfCanonical (bytes: Uint8Array): boolean {
  const r = tryDecode(bytes)
  if (typeof r === 'string') return false
  expect(Buffer.from(encodeSignedPart(r)).equals(Buffer.from(bytes.subarray(0, bytes.length - 64)))).toBe(true)
  return true
}

type Tree = unknown

/** Every path to a node of a wire tree (arrays are the only containers). */
function paths (t: Tree, at: number[] = [], out: number[][] = []): number[][] {
  out.push(at)
  if (Array.isArray(t)) t.forEach((c, i) => paths(c, [...at, i], out))
  return out
}

function replaceAt (t: Tree, path: number[], f: (node: Tree) => Tree): Tree {
  if (path.length === 0) return f(t)
  const a = (t as Tree[]).slice()
  a[path[0]] = replaceAt(a[path[0]], path.slice(1), f)
  return a
}

/** Edits that keep the bytes valid DAG-CBOR but may break canonical form or the schema. */
const EDITS: Record<string, (n: Tree) => Tree> = {
  appendNull: (n) => Array.isArray(n) ? [...n, null] : n,
  appendEmpty: (n) => Array.isArray(n) ? [...n, []] : n,
  dropLast: (n) => Array.isArray(n) ? n.slice(0, -1) : n,
  bomText: (n) => typeof n === 'string' ? '\ufeff' + n : n,
  nullToEmpty: (n) => n === null ? [] : n,
  emptyToNull: (n) => Array.isArray(n) && n.length === 0 ? null : n,
  bump: (n) => typeof n === 'number' ? n + 1 : n,
  textToBytes: (n) => typeof n === 'string' ? new TextEncoder().encode(n) : n
}

describe('canonical form (differential against re-encoding)', () => {
  it('structural edits of valid envelopes are accepted only when canonical', () => {
    let accepted = 0
    let runs = 0
    fc.assert(fc.property(unsignedArb, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...Object.keys(EDITS))), { minLength: 1, maxLength: 3 }), (u, edits) => {
      let tree: Tree = dagCbor.decode(encodeSignedPart(u))
      for (const [pick, name] of edits) {
        const all = paths(tree)
        tree = replaceAt(tree, all[pick % all.length], EDITS[name])
      }
      runs++
      if (acceptedOnlyIfCanonical(wire(tree as unknown[]))) accepted++
    }), { numRuns: 1500 })
    // The property is vacuous if every edit is refused: some (e.g. a bumped time) must pass.
    expect(accepted).toBeGreaterThan(runs / 20)
  })

  it('byte-level mutations of valid envelopes are accepted only when canonical', () => {
    fc.assert(fc.property(unsignedArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (u, at, value) => {
      const bytes = Uint8Array.from(signEnvelope(u, signer.privateKey).bytes)
      bytes[at % (bytes.length - 64)] = value
      acceptedOnlyIfCanonical(bytes)
    }), { numRuns: 1500 })
  })

  it('refuses text that starts with a byte-order mark (the decoder would drop it)', () => {
    const content = [0, 3, '\ufeffRobo', 0, 1, 0, 'Titular']
    expectCode(() => decodeEnvelope(wire(withSlot(7, content))), 'ENVELOPE_NOT_CANONICAL')
    // …also when composing, with a clear field error, long and short strings alike.
    const base = dagCbor.decode(dagCbor.encode(alertArray())) as unknown[]
    expect(tryDecode(wire(base))).not.toBeTypeOf('string')
    expect(expectCode(() => signEnvelope({ version: 1, kind: 'bulletin', author: new Uint8Array(8), org: 'MX-YUC', created: 1000, expires: 2000, precedence: 'routine', scope: [], references: [], content: { msgType: 'Alert', headline: '\ufeff' + 'x'.repeat(80) } } as never, signer.privateKey), 'ENVELOPE_BAD_FIELD').details?.field).toBe('content.headline')
    // In a parameter, the error names the pair (built only when a check fails).
    const params = { version: 1, kind: 'bulletin', author: new Uint8Array(8), org: 'MX-YUC', created: 1000, expires: 2000, precedence: 'routine', scope: [], references: [], content: { msgType: 'Alert', parameters: [{ name: 'placa', value: 'ABC' }, { name: 'color', value: '\ufeffgris' }] } }
    expect(expectCode(() => signEnvelope(params as never, signer.privateKey), 'ENVELOPE_BAD_FIELD').details?.field).toBe('content.parameters[1].value')
    // A U+FEFF later in the text is an ordinary character.
    expect(tryDecode(wire(withSlot(7, [0, 3, 'Ro\ufeffbo', 0, 1, 0, 'Titular'])))).not.toBeTypeOf('string')
  })
})
