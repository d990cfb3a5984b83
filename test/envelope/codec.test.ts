import { createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { keyId, keyPairFromSeed } from '../../src/identity/keys.js'
import {
  composeEnvelope, decodeEnvelope, digestFromId, encodeSignedPart, envelopeOverhead, idFromDigest,
  sampleAlert, signEnvelope, signingPayload, verifyEnvelopeSignature, DOMAIN_TAG, LXMF_OVERHEAD_BYTES
} from '../../src/envelope/index.js'
import { expectCode } from './helpers.js'

const alice = keyPairFromSeed(new Uint8Array(32).fill(7))
const bob = keyPairFromSeed(new Uint8Array(32).fill(9))
const NOW = Date.UTC(2026, 10, 28, 2, 0, 0)

describe('envelope codec', () => {
  it('signingPayload is DOMAIN_TAG || signed part however the bytes are held', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    const expected = Buffer.concat([DOMAIN_TAG, env.bytes.subarray(0, env.bytes.length - 64)])
    // Decoded: a view of the envelope's own memory (no copy per message)…
    const decoded = decodeEnvelope(env.bytes)
    const view = signingPayload(decoded)
    expect(Buffer.from(view).equals(expected)).toBe(true)
    expect(view.buffer).toBe(decoded.bytes.buffer)
    // …a plain copy, and bytes preceded by something that is not the tag: a fresh concat.
    expect(Buffer.from(signingPayload({ bytes: new Uint8Array(env.bytes) })).equals(expected)).toBe(true)
    const padded = new Uint8Array(100 + env.bytes.length).fill(0x63)
    padded.set(env.bytes, 100)
    expect(Buffer.from(signingPayload({ bytes: padded.subarray(100) })).equals(expected)).toBe(true)
  })

  it('signs, decodes and verifies an alert authored by a key id', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    const got = decodeEnvelope(env.bytes)
    expect(got).toEqual(env)
    expect(got.id.startsWith('bafkrei')).toBe(true)
    expect(digestFromId(got.id)).toEqual(got.digest)
    expect(idFromDigest(got.digest)).toBe(got.id)
    expect(verifyEnvelopeSignature(got, alice.publicKey)).toBe(true)
    expect(verifyEnvelopeSignature(got, bob.publicKey)).toBe(false)
  })

  it('signs exactly DOMAIN_TAG || signedPart', () => {
    const u = sampleAlert({ author: alice.publicKey })
    const env = signEnvelope(u, alice.privateKey)
    const sp = encodeSignedPart(u)
    expect(env.bytes.subarray(0, sp.length)).toEqual(sp)
    expect(env.bytes.length).toBe(sp.length + 64)
    expect(signingPayload(env)).toEqual(new Uint8Array([...DOMAIN_TAG, ...sp]))
    expect(Buffer.from(DOMAIN_TAG).toString('latin1')).toBe('c5mesh/envelope/v1\0')
    expect(verifyEnvelopeSignature(env, alice.publicKey)).toBe(true)
  })

  it('composes every kind with derived fields', () => {
    const alert = composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', urgency: 'Immediate', severity: 'Extreme', headline: 'Sismo' } }, alice, { now: NOW })
    expect(alert.precedence).toBe('flash')
    expect(alert.author).toEqual(keyId(alice.publicKey))
    expect(alert.created).toBe(NOW)
    const ack = composeEnvelope({ kind: 'ack', org: 'MX-CMX', references: [alert.digest], note: 'recibido', ttlS: 3600 }, bob, { now: NOW, authorForm: 'key' })
    expect(ack.author).toEqual(bob.publicKey)
    expect(ack.expires).toBe(NOW + 3_600_000)
    expect(ack.references).toEqual([alert.digest])
    const receipt = composeEnvelope({ kind: 'receipt', org: 'MX-CMX', references: [alert.digest, ack.digest] }, bob, { now: NOW })
    const roster = composeEnvelope({ kind: 'roster', org: 'CNI', roster: new Uint8Array([1, 2, 3]) }, bob, { now: NOW })
    const revocation = composeEnvelope({ kind: 'revocation', org: 'CNI', revocation: { key: alice.publicKey, effective: NOW, reason: 'lost' } }, bob, { now: NOW })
    for (const e of [alert, ack, receipt, roster, revocation]) {
      expect(decodeEnvelope(e.bytes)).toEqual(e)
    }
  })

  it('refuses a key that is not an Ed25519 private key, and a bad authorForm', () => {
    expectCode(() => signEnvelope(sampleAlert(), alice.publicKey as never), 'IDENTITY_KEY_INVALID')
    expectCode(() => signEnvelope(sampleAlert(), createPublicKey(alice.privateKey)), 'IDENTITY_KEY_INVALID')
    expectCode(() => composeEnvelope({ kind: 'receipt', org: 'GN', references: [new Uint8Array(32)] }, alice, { now: NOW, authorForm: 'name' as never }), 'ENVELOPE_BAD_FIELD')
    expectCode(() => composeEnvelope({ kind: 'receipt', org: 'GN', references: [new Uint8Array(32)] }, alice, { now: 1.5 }), 'ENVELOPE_BAD_FIELD')
    expect(verifyEnvelopeSignature({ bytes: new Uint8Array(100), author: undefined as never }, alice.publicKey)).toBe(false)
  })

  it('decodes from a view into a larger buffer and keeps its own copy of the bytes', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    const pool = Buffer.concat([Buffer.alloc(13, 0xaa), env.bytes, Buffer.alloc(7, 0xbb)])
    const view = pool.subarray(13, 13 + env.bytes.length)
    const got = decodeEnvelope(view)
    expect(got).toEqual(env)
    view.fill(0)
    expect(got.bytes).toEqual(env.bytes)
    expect(got.author).toEqual(keyId(alice.publicKey))
    expect(verifyEnvelopeSignature(got, alice.publicKey)).toBe(true)
  })

  it('refuses a malleated signature (S + L): one message, one valid wire form, one id', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    const L = 2n ** 252n + 27742317777372353535851937790883648493n
    const sBytes = env.signature.subarray(32)
    let S = 0n
    for (let i = 31; i >= 0; i--) S = (S << 8n) | BigInt(sBytes[i])
    let S2 = S + L
    const mall = env.bytes.slice()
    for (let i = 0; i < 32; i++) { mall[mall.length - 32 + i] = Number(S2 & 0xffn); S2 >>= 8n }
    const got = decodeEnvelope(mall)
    expect(got.id).not.toBe(env.id)
    expect(verifyEnvelopeSignature(got, alice.publicKey)).toBe(false)
  })

  it('keeps an alert’s overhead below LXMF’s 111 bytes', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    expect(envelopeOverhead(env)).toBeLessThan(LXMF_OVERHEAD_BYTES)
  })

  it('rejects a tampered signature and a short envelope', () => {
    const env = signEnvelope(sampleAlert({ author: keyId(alice.publicKey) }), alice.privateKey)
    const bad = env.bytes.slice()
    bad[bad.length - 1] ^= 1
    expect(verifyEnvelopeSignature(decodeEnvelope(bad), alice.publicKey)).toBe(false)
    expectCode(() => decodeEnvelope(env.bytes.subarray(0, 64)), 'ENVELOPE_TOO_SHORT')
  })
})
