import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyId, keyPairFromSeed } from '../../src/identity/keys.js'
import { isC5Error } from '../../src/errors.js'
import { composeEnvelope, decodeEnvelope, sampleAlert, signEnvelope, verifyEnvelopeSignature } from '../../src/envelope/index.js'
import { unsignedArb } from './arbitraries.js'

const signer = keyPairFromSeed(new Uint8Array(32).fill(5))
const NOW = Date.UTC(2026, 10, 28)

/** Accepted = decodes AND verifies with the signer's key. Anything else must be a C5Error. */
function accepted (bytes: Uint8Array): boolean {
  try {
    return verifyEnvelopeSignature(decodeEnvelope(bytes), signer.publicKey)
  } catch (e) {
    if (!isC5Error(e)) throw e
    return false
  }
}

function flip (bytes: Uint8Array, bit: number): Uint8Array {
  const b = bytes.slice()
  b[bit >> 3] ^= 1 << (bit & 7)
  return b
}

describe('every single-bit flip is rejected', () => {
  const alert = signEnvelope(sampleAlert({ author: keyId(signer.publicKey) }), signer.privateKey)
  const rich = composeEnvelope({
    kind: 'bulletin',
    org: 'SEDENA',
    scope: ['MX-YUC', 'MX-CAM'],
    references: [alert.digest],
    content: {
      msgType: 'Update',
      headline: 'Zona de exclusion',
      area: { description: 'Merida', polygons: [[[20.9, -89.7], [21.0, -89.6], [20.95, -89.5], [20.9, -89.7]]], circles: [{ lat: 20.97, lon: -89.62, radiusKm: 2.5 }], geocodes: [{ name: 'INEGI', value: '31050' }] },
      parameters: [{ name: 'placa', value: 'YUC-123-A' }]
    }
  }, signer, { now: NOW, authorForm: 'key' })
  const ack = composeEnvelope({ kind: 'ack', org: 'MX-CMX', references: [alert.digest], note: 'enterado' }, signer, { now: NOW })
  const revocation = composeEnvelope({ kind: 'revocation', org: 'CNI', revocation: { key: new Uint8Array(32).fill(8), effective: NOW } }, signer, { now: NOW })

  for (const [name, env] of Object.entries({ alert, rich, ack, revocation })) {
    it(`${name}: all ${env.bytes.length * 8} bit positions`, () => {
      expect(accepted(env.bytes)).toBe(true)
      for (let bit = 0; bit < env.bytes.length * 8; bit++) {
        if (accepted(flip(env.bytes, bit))) throw new Error(`flip of bit ${bit} accepted`)
      }
    })
  }

  it('random envelopes, random bit (property)', () => {
    fc.assert(fc.property(unsignedArb, fc.nat(), (u, n) => {
      const env = signEnvelope({ ...u, author: signer.publicKey }, signer.privateKey)
      expect(accepted(flip(env.bytes, n % (env.bytes.length * 8)))).toBe(false)
    }), { numRuns: 300 })
  })
})
