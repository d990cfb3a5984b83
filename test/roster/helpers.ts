import { expect } from 'vitest'
import { keyPairFromSeed, type KeyPair } from '../../src/identity/index.js'
import { isC5Error, type ErrorCode } from '../../src/errors.js'
import type { UnsignedEnvelope } from '../../src/envelope/types.js'
import { encodeRosterDocument, encodeSignedRoster, signRoster, type RosterDocument, type RosterMember } from '../../src/roster/index.js'

export const T0 = 1_800_000_000_000 // a fixed instant (2027-01-15)
export const DAY_MS = 86_400_000

/** Deterministic key pairs: tests and vectors don't change between runs. */
export function keys (label: number): KeyPair {
  return keyPairFromSeed(new Uint8Array(32).fill(label))
}

export function member (kp: KeyPair, overrides: Partial<RosterMember> = {}): RosterMember {
  return {
    key: kp.publicKey,
    role: 'operator',
    org: 'MX-YUC',
    mayIssue: { kinds: ['alert', 'bulletin', 'ack'], maxPrecedence: 'flash', scope: 'national' },
    validFrom: T0 - DAY_MS,
    validUntil: T0 + 365 * DAY_MS,
    ...overrides
  }
}

export function doc (version: number, members: RosterMember[], overrides: Partial<RosterDocument> = {}): RosterDocument {
  return { version, issued: T0, members, revocations: [], ...overrides }
}

/** Encoded signed roster bytes, signed by each of `signers` in turn. */
export function signed (d: RosterDocument, ...signers: KeyPair[]): Uint8Array {
  let sr = { document: encodeRosterDocument(d), signatures: [] as Array<{ key: Uint8Array, signature: Uint8Array }> }
  for (const s of signers) sr = signRoster(sr, s)
  return encodeSignedRoster(sr)
}

export function envelope (author: Uint8Array, overrides: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope {
  return {
    version: 1,
    kind: 'alert',
    author,
    org: 'MX-YUC',
    created: T0,
    expires: T0 + DAY_MS,
    precedence: 'immediate',
    scope: [],
    references: [],
    content: { msgType: 'Alert', headline: 'Vehículo robado' },
    ...overrides
  }
}

export function expectCode (fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown
  try {
    fn()
  } catch (e) {
    thrown = e
  }
  expect(thrown, `expected ${code}`).toBeDefined()
  if (!isC5Error(thrown)) throw thrown as Error
  expect(thrown.code).toBe(code)
}
