/**
 * (src/sim: shared by tests, benchmarks and the partition simulator.)
 * A small national network for tests: a root key (trust anchor, threshold 1), and for each
 * org a node key and an operator key, all on one signed roster wrapped in an envelope.
 */
import { generateKeyPair, type KeyPair } from '../identity/index.js'
import { encodeRosterDocument, encodeSignedRoster, signRoster } from '../roster/index.js'
import type { RosterDocument, RosterMember, TrustAnchors } from '../roster/types.js'
import { wrapRoster } from '../node/roster-envelope.js'
import type { Envelope } from '../envelope/types.js'

export interface WorldMember { org: string, node: KeyPair, operator: KeyPair }
export interface TestWorld {
  root: KeyPair
  anchors: TrustAnchors
  members: WorldMember[]
  document: RosterDocument
  signedRoster: Uint8Array
  rosterEnvelope: Envelope
}

const YEAR_MS = 365 * 24 * 3600 * 1000

export function rosterMembers (m: WorldMember, now: number): RosterMember[] {
  const validFrom = now - YEAR_MS
  const validUntil = now + YEAR_MS
  return [
    { key: m.node.publicKey, role: 'node', org: m.org, mayIssue: { kinds: ['receipt'], maxPrecedence: 'flash', scope: 'national' }, validFrom, validUntil },
    { key: m.operator.publicKey, role: 'operator', org: m.org, mayIssue: { kinds: ['alert', 'bulletin', 'ack', 'vehicle'], maxPrecedence: 'flash', scope: 'national' }, validFrom, validUntil }
  ]
}

export function signWorldRoster (root: KeyPair, document: RosterDocument, now: number): { signedRoster: Uint8Array, rosterEnvelope: Envelope } {
  const signedRoster = encodeSignedRoster(signRoster(encodeRosterDocument(document), root))
  return { signedRoster, rosterEnvelope: wrapRoster(signedRoster, root, now) }
}

export function createTestWorld (orgs: string[], now: number, extra: RosterMember[] = []): TestWorld {
  const root = generateKeyPair()
  const members = orgs.map(org => ({ org, node: generateKeyPair(), operator: generateKeyPair() }))
  const document: RosterDocument = { version: 1, issued: now, members: [...members.flatMap(m => rosterMembers(m, now)), ...extra], revocations: [] }
  return { root, anchors: { keys: [root.publicKey], threshold: 1 }, members, document, ...signWorldRoster(root, document, now) }
}
