import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { isC5Error } from '../../src/errors.js'
import { sign } from '../../src/identity/index.js'
import {
  decodeSignedRoster, encodeRosterDocument, encodeSignedRoster, signRoster, verifySignedRoster,
  rosterSigningPayload, rosterSignatureStatus, ROSTER_SIGNATURE_DOMAIN
} from '../../src/roster/index.js'
import { doc, expectCode, keys, member, signed } from './helpers.js'

const [r1, r2, r3, stranger] = [keys(101), keys(102), keys(103), keys(199)]
const anchors = { keys: [r1.publicKey, r2.publicKey, r3.publicKey], threshold: 2 }
const d = doc(1, [member(keys(1))])

describe('signed roster, k of n', () => {
  it('2 of 3: one signature is refused, two are accepted', () => {
    expectCode(() => verifySignedRoster(signed(d, r1), anchors), 'ROSTER_UNDER_THRESHOLD')
    expect(verifySignedRoster(signed(d, r1, r3), anchors)).toEqual(d)
    expect(verifySignedRoster(signed(d, r3, r2, r1), anchors)).toEqual(d)
  })

  it('counts the same key twice once', () => {
    const one = decodeSignedRoster(signed(d, r1))
    const twice = encodeSignedRoster({ document: one.document, signatures: [one.signatures[0], one.signatures[0]] })
    expectCode(() => verifySignedRoster(twice, anchors), 'ROSTER_UNDER_THRESHOLD')
  })

  it('signing again with the same key replaces its signature instead of adding one', () => {
    const again = signRoster(signed(d, r1), r1)
    expect(again.signatures).toHaveLength(1)
  })

  it('does not count an unknown signer', () => {
    try {
      verifySignedRoster(signed(d, r1, stranger), anchors)
      expect.unreachable()
    } catch (e) {
      expect(isC5Error(e, 'ROSTER_UNDER_THRESHOLD')).toBe(true)
      expect((e as { details: Record<string, unknown> }).details).toMatchObject({ valid: 1, threshold: 2 })
    }
  })

  it('does not count a forged signature, nor one made without the domain tag', () => {
    const ok = decodeSignedRoster(signed(d, r1))
    const forged = { key: r2.publicKey, signature: ok.signatures[0].signature }
    expectCode(() => verifySignedRoster(encodeSignedRoster({ document: ok.document, signatures: [...ok.signatures, forged] }), anchors), 'ROSTER_UNDER_THRESHOLD')
    const untagged = { key: r2.publicKey, signature: sign(r2.privateKey, ok.document) }
    expectCode(() => verifySignedRoster(encodeSignedRoster({ document: ok.document, signatures: [...ok.signatures, untagged] }), anchors), 'ROSTER_UNDER_THRESHOLD')
  })

  it('signs the domain tag followed by the exact document bytes', () => {
    expect(Buffer.from(ROSTER_SIGNATURE_DOMAIN).toString('latin1')).toBe('c5mesh/roster/v1\0')
    const docBytes = encodeRosterDocument(d)
    const p = rosterSigningPayload(docBytes)
    expect(p.subarray(0, 17)).toEqual(ROSTER_SIGNATURE_DOMAIN)
    expect(p.subarray(17)).toEqual(docBytes)
  })

  it('a signature does not carry over to an edited document', () => {
    const sr = decodeSignedRoster(signed(d, r1, r2))
    const edited = encodeRosterDocument(doc(2, d.members))
    expectCode(() => verifySignedRoster(encodeSignedRoster({ document: edited, signatures: sr.signatures }), anchors), 'ROSTER_UNDER_THRESHOLD')
  })

  it('signRoster accepts document bytes, a SignedRoster or its bytes, and refuses a malformed document', () => {
    const a = signRoster(encodeRosterDocument(d), r1)
    const b = signRoster(a, r2)
    const c = signRoster(encodeSignedRoster(b), r3)
    expect(c.signatures).toHaveLength(3)
    expect(verifySignedRoster(encodeSignedRoster(c), { ...anchors, threshold: 3 })).toEqual(d)
    expectCode(() => signRoster(new Uint8Array([1, 2, 3]), r1), 'ROSTER_MALFORMED')
  })

  it('reports the k-of-n gathering: valid, unknown and invalid signers and whether it is complete', () => {
    const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex')
    const one = decodeSignedRoster(signed(d, r1, stranger))
    const bad = { key: r3.publicKey, signature: one.signatures[0].signature }
    const bytes = encodeSignedRoster({ document: one.document, signatures: [...one.signatures, bad] })
    expect(rosterSignatureStatus(bytes, anchors)).toEqual({
      version: 1, validSigners: [toHex(r1.publicKey)], unknownSigners: [toHex(stranger.publicKey)], invalidSigners: [toHex(r3.publicKey)], threshold: 2, complete: false
    })
    expect(rosterSignatureStatus(encodeSignedRoster(signRoster(bytes, r2)), anchors).complete).toBe(true)
  })

  it('refuses bad anchors from config with CONFIG_INVALID', () => {
    const bytes = signed(d, r1)
    expectCode(() => verifySignedRoster(bytes, { keys: [r1.publicKey], threshold: 2 }), 'CONFIG_INVALID')
    expectCode(() => verifySignedRoster(bytes, { keys: [r1.publicKey, r1.publicKey], threshold: 2 }), 'CONFIG_INVALID')
    expectCode(() => verifySignedRoster(bytes, { keys: [r1.publicKey], threshold: 0 }), 'CONFIG_INVALID')
    expectCode(() => verifySignedRoster(bytes, { keys: [new Uint8Array(8)], threshold: 1 }), 'CONFIG_INVALID')
  })

  it('random bytes never crash verification, only ROSTER_MALFORMED', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), b => {
      try {
        verifySignedRoster(b, anchors)
      } catch (e) {
        expect(isC5Error(e, 'ROSTER_MALFORMED')).toBe(true)
      }
    }), { numRuns: 2000 })
  })

  it('every single-bit flip of a 2-of-3 signed roster is refused', () => {
    const bytes = signed(d, r1, r2)
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const m = Uint8Array.from(bytes)
        m[i] ^= 1 << bit
        let code: string | undefined
        try {
          verifySignedRoster(m, anchors)
        } catch (e) {
          if (!isC5Error(e)) throw e
          code = e.code
        }
        expect(code, `byte ${i} bit ${bit}`).toBeDefined()
      }
    }
  })
})
