import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fromHex, keyPairFromSeed, toHex } from '../../src/identity/keys.js'
import {
  decodeEnvelope, digestFromId, DOMAIN_TAG, encodeSignedPart, envelopeOverhead, signEnvelope, signingPayload, verifyEnvelopeSignature
} from '../../src/envelope/index.js'
import { fieldsFromJson, fieldsToJson, vectorCases, VECTORS_PATH, type JsonFields } from './vector-io.js'

interface Vector { name: string, seed: string, publicKey: string, fields: JsonFields, signedPart: string, signature: string, wire: string, digest: string, id: string, wireBytes: number, overheadBytes: number }
const doc = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { domainTag: string, vectors: Vector[] }

describe('golden vectors (test/vectors/envelope-v1.json): any format change fails here', () => {
  it('domain tag', () => { expect(toHex(DOMAIN_TAG)).toBe(doc.domainTag) })

  it('the committed cases are the generator’s cases', () => {
    const cases = vectorCases()
    expect(doc.vectors.map((v) => v.name)).toEqual(cases.map((c) => c.name))
    cases.forEach((c, i) => { expect(doc.vectors[i].fields).toEqual(JSON.parse(JSON.stringify(fieldsToJson(c.fields)))) })
  })

  for (const v of doc.vectors) {
    it(`${v.name}: sign from the seed and fields gives the exact wire bytes and id`, () => {
      const pair = keyPairFromSeed(fromHex(v.seed))
      expect(toHex(pair.publicKey)).toBe(v.publicKey)
      const fields = fieldsFromJson(v.fields)
      expect(toHex(encodeSignedPart(fields))).toBe(v.signedPart)
      const env = signEnvelope(fields, pair.privateKey)
      expect(toHex(env.bytes)).toBe(v.wire)
      expect(v.wire).toBe(v.signedPart + v.signature)
      expect(toHex(env.digest)).toBe(v.digest)
      expect(env.id).toBe(v.id)
      expect(toHex(digestFromId(v.id))).toBe(v.digest)
      expect(env.bytes.length).toBe(v.wireBytes)
      expect(envelopeOverhead(env)).toBe(v.overheadBytes)
    })

    it(`${v.name}: decoding the wire hex gives the fields, and the signature verifies`, () => {
      const env = decodeEnvelope(fromHex(v.wire))
      const { id, digest, bytes, signature, ...fields } = env
      expect(fields).toEqual(fieldsFromJson(v.fields))
      expect(id).toBe(v.id)
      expect(toHex(signingPayload(env))).toBe(doc.domainTag + v.signedPart)
      expect(verifyEnvelopeSignature(env, fromHex(v.publicKey))).toBe(true)
    })
  }
})
