import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { decodeEnvelope, encodeSignedPart, signEnvelope, verifyEnvelopeSignature, type Envelope } from '../../src/envelope/index.js'
import { unsignedArb } from './arbitraries.js'

const signer = keyPairFromSeed(new Uint8Array(32).fill(3))

function fieldsOf (e: Envelope): Omit<Envelope, 'id' | 'digest' | 'bytes' | 'signature'> {
  const { id, digest, bytes, signature, ...rest } = e
  return rest
}

describe('envelope round trip (property)', () => {
  it('decode(sign(u)) returns u, and re-encoding gives the same bytes', () => {
    fc.assert(fc.property(unsignedArb, (u) => {
      const env = signEnvelope(u, signer.privateKey)
      expect(fieldsOf(env)).toEqual(u)
      const got = decodeEnvelope(env.bytes)
      expect(got).toEqual(env)
      const sp = encodeSignedPart(got)
      expect(sp).toEqual(env.bytes.subarray(0, env.bytes.length - 64))
      expect(encodeSignedPart(u)).toEqual(sp) // stable: same input, same bytes
    }), { numRuns: 300 })
  })

  it('the signature verifies with the signing key only when the author matches', () => {
    fc.assert(fc.property(unsignedArb, (u) => {
      const env = signEnvelope({ ...u, author: signer.publicKey }, signer.privateKey)
      expect(verifyEnvelopeSignature(env, signer.publicKey)).toBe(true)
      const other = signEnvelope(u, signer.privateKey) // author from the arbitrary: not the signer
      expect(verifyEnvelopeSignature(other, signer.publicKey)).toBe(false)
    }), { numRuns: 100 })
  })
})
