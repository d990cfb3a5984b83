import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import * as Digest from 'multiformats/hashes/digest'
import { describe, expect, it } from 'vitest'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import {
  checkTimes, composeEnvelope, decodeEnvelope, derivePrecedence, digestFromId, idFromDigest, MAX_CLOCK_SKEW_MS,
  PRECEDENCES, SEVERITIES, URGENCIES, precedenceRank
} from '../../src/envelope/index.js'
import { expectCode } from './helpers.js'

const kp = keyPairFromSeed(new Uint8Array(32).fill(11))
const NOW = Date.UTC(2026, 10, 28, 3, 0, 0)
const alert = (now: number, ttlS = 3600) => composeEnvelope({ kind: 'alert', org: 'MX-YUC', ttlS, content: { msgType: 'Alert', headline: 'h' } }, kp, { now })

describe('checkTimes with an injected now', () => {
  it('accepts a fresh envelope and one created inside the skew window', () => {
    checkTimes(alert(NOW), NOW)
    checkTimes(alert(NOW + MAX_CLOCK_SKEW_MS), NOW)
    checkTimes(alert(NOW + 1000), NOW, { skewMs: 1000 })
  })
  it('refuses created beyond the skew: FROM_FUTURE', () => {
    expectCode(() => checkTimes(alert(NOW + MAX_CLOCK_SKEW_MS + 1), NOW), 'ENVELOPE_FROM_FUTURE')
    expectCode(() => checkTimes(alert(NOW + 1001), NOW, { skewMs: 1000 }), 'ENVELOPE_FROM_FUTURE')
  })
  it('refuses at and after expiry: EXPIRED', () => {
    const e = alert(NOW, 60)
    checkTimes(e, NOW + 59_999)
    expectCode(() => checkTimes(e, NOW + 60_000), 'ENVELOPE_EXPIRED')
    expectCode(() => checkTimes(e, NOW + 10 ** 9), 'ENVELOPE_EXPIRED')
  })
})

describe('64-bit timestamps', () => {
  for (const created of [2 ** 32 + 1, 2 ** 40 + 123, Number.MAX_SAFE_INTEGER - 400 * 86_400_000]) {
    it(`created = ${created}`, () => {
      const e = alert(created, 400 * 86_400)
      const d = decodeEnvelope(e.bytes)
      expect(d.created).toBe(created)
      expect(d.expires).toBe(created + 400 * 86_400_000)
      // created travels as a full 8-byte CBOR uint (0x1b): never truncated to 32 bits
      expect(Buffer.from(e.bytes).indexOf(Buffer.from([0x1b, ...Buffer.from(BigInt(created).toString(16).padStart(16, '0'), 'hex')]))).toBeGreaterThan(0)
    })
  }
})

describe('ids', () => {
  it('round trip digest ↔ text id (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (d) => {
      const id = idFromDigest(d)
      expect(id).toMatch(/^bafkrei[a-z2-7]{52}$/)
      expect(id).toBe(CID.createV1(0x55, Digest.create(0x12, d)).toString())
      expect(digestFromId(id)).toEqual(d)
    }))
  })
  it('refuses anything but a canonical raw sha2-256 CIDv1: BAD_FIELD', () => {
    const d = new Uint8Array(32).fill(4)
    const cid = CID.parse(idFromDigest(d))
    for (const bad of [
      '', 'hello', 'bafkrei', idFromDigest(d).toUpperCase(), cid.toString(base58btc),
      CID.createV1(0x71, cid.multihash).toString(), // dag-cbor codec
      'x'.repeat(1000), 42 as unknown as string
    ]) expectCode(() => digestFromId(bad), 'ENVELOPE_BAD_FIELD')
    expectCode(() => idFromDigest(new Uint8Array(31)), 'ENVELOPE_BAD_FIELD')
  })
  it('the id is the sha2-256 of the whole wire bytes, signature included', () => {
    const e = alert(NOW)
    const other = decodeEnvelope(Uint8Array.from([...e.bytes.subarray(0, -1), e.bytes[e.bytes.length - 1] ^ 1]))
    expect(other.id).not.toBe(e.id)
  })
})

describe('derivePrecedence', () => {
  it('follows the documented table', () => {
    expect(derivePrecedence('Immediate', 'Extreme')).toBe('flash')
    expect(derivePrecedence('Immediate', 'Severe')).toBe('immediate')
    expect(derivePrecedence('Expected', 'Extreme')).toBe('immediate')
    expect(derivePrecedence('Immediate', 'Moderate')).toBe('priority')
    expect(derivePrecedence('Expected', 'Severe')).toBe('priority')
    expect(derivePrecedence('Future', 'Extreme')).toBe('priority')
    expect(derivePrecedence(undefined, 'Extreme')).toBe('priority')
    expect(derivePrecedence('Past', 'Extreme')).toBe('routine')
    expect(derivePrecedence('Expected', 'Minor')).toBe('routine')
    expect(derivePrecedence()).toBe('routine')
  })
  it('is monotone: more urgent or more severe never lowers precedence', () => {
    const timeOrder = ['Immediate', 'Expected', 'Future'] as const
    const sevOrder = ['Extreme', 'Severe', 'Moderate', 'Minor'] as const
    for (let u = 0; u < timeOrder.length; u++) {
      for (let s = 0; s < sevOrder.length; s++) {
        const r = precedenceRank(derivePrecedence(timeOrder[u], sevOrder[s]))
        if (u > 0) expect(precedenceRank(derivePrecedence(timeOrder[u - 1], sevOrder[s]))).toBeLessThanOrEqual(r)
        if (s > 0) expect(precedenceRank(derivePrecedence(timeOrder[u], sevOrder[s - 1]))).toBeLessThanOrEqual(r)
      }
    }
    for (const u of [...URGENCIES, undefined]) for (const s of [...SEVERITIES, undefined]) expect(PRECEDENCES).toContain(derivePrecedence(u, s))
  })
  it('an explicit precedence wins over the derived one', () => {
    const e = composeEnvelope({ kind: 'bulletin', org: 'FGR', precedence: 'routine', content: { msgType: 'Alert', urgency: 'Immediate', severity: 'Extreme' } }, kp, { now: NOW })
    expect(e.precedence).toBe('routine')
  })
})
