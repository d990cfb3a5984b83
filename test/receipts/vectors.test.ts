/** The receipt golden vector (test/vectors/receipt-v1.json): what the emitter signs, byte for byte. */
import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import { decodeEnvelope } from '../../src/envelope/index.js'
import { fromHex, keyPairFromSeed, toHex } from '../../src/identity/keys.js'
import { composeReceipt } from '../../src/receipts/index.js'

const doc = JSON.parse(readFileSync(new URL('../vectors/receipt-v1.json', import.meta.url), 'utf8')) as { vectors: Array<Record<string, any>> }

describe('receipt vectors', () => {
  for (const v of doc.vectors) {
    it(`${v.name}: composeReceipt gives the exact wire bytes; they decode to the batch`, () => {
      const pair = keyPairFromSeed(fromHex(v.seed))
      expect(toHex(pair.publicKey)).toBe(v.publicKey)
      const env = composeReceipt(pair, { ...v.batch, digests: v.batch.digests.map(fromHex) })
      expect(toHex(env.bytes)).toBe(v.wire)
      expect(v.wire).toBe(v.signedPart + v.signature)
      expect(env.id).toBe(v.id)
      const d = decodeEnvelope(fromHex(v.wire))
      expect(d).toMatchObject({ kind: 'receipt', org: v.batch.org, precedence: v.batch.precedence, created: v.batch.now, expires: v.batch.expires, scope: [] })
      expect(toHex(d.author)).toBe(v.keyId)
      expect(d.references.map(toHex)).toEqual(v.batch.digests)
    })
  }

  it('the precedence is capped at what the roster allows the node', () => {
    const pair = keyPairFromSeed(fromHex(doc.vectors[0].seed))
    const env = composeReceipt(pair, { org: 'MX-CAM', precedence: 'flash', maxPrecedence: 'priority', digests: [new Uint8Array(32)], expires: 1.9e12 + 3_600_000, now: 1.9e12 })
    expect(env.precedence).toBe('priority')
  })
})
