/**
 * (src/sim: shared by tests, benchmarks and the partition simulator.)
 * A small national network for tests: a root key (trust anchor, threshold 1), and for each
 * org a node key and an operator key, all on one signed roster wrapped in an envelope.
 */
import { createHash } from 'node:crypto'
import { generateKeyPair, keyPairFromSeed, type KeyPair } from '../identity/index.js'
import { encodeRosterDocument, encodeSignedRoster, signRoster } from '../roster/index.js'
import type { Quotas, RosterDocument, RosterMember, TrustAnchors } from '../roster/types.js'
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

/**
 * Quotas for worlds that load one author with a whole store (catch-up tests, benchmarks):
 * far above any real rate. Without `quotas`, a world has the roster's defaults.
 */
export const UNLIMITED_TEST_QUOTAS: Quotas = Object.freeze({ perAuthor: { messages: 1e9, bytes: 1e15 }, perOrg: { messages: 1e9, bytes: 1e15 } })

export interface TestWorldOptions {
  /**
   * Makes each key from a label ('root', 'MX-YUC/node', 'MX-YUC/operator'); default: fresh
   * random keys. The simulator derives them from the label (seededKeyPair), so that a run's
   * envelopes, ids and trace are the same every time.
   */
  keyPair?: (label: string) => KeyPair
  /** The roster's quotas (roster.md §6.1); default: none in the roster, so the defaults apply. */
  quotas?: Quotas
}

/** A key pair derived from a label (sha2-256 of it is the seed): deterministic, for simulations only. */
export function seededKeyPair (label: string): KeyPair {
  return keyPairFromSeed(new Uint8Array(createHash('sha256').update(`c5mesh-sim-key:${label}`).digest()))
}

export function createTestWorld (orgs: string[], now: number, extra: RosterMember[] = [], options: TestWorldOptions = {}): TestWorld {
  const key = options.keyPair ?? (() => generateKeyPair())
  const root = key('root')
  const members = orgs.map(org => ({ org, node: key(`${org}/node`), operator: key(`${org}/operator`) }))
  const document: RosterDocument = { version: 1, issued: now, members: [...members.flatMap(m => rosterMembers(m, now)), ...extra], revocations: [], ...(options.quotas === undefined ? {} : { quotas: options.quotas }) }
  return { root, anchors: { keys: [root.publicKey], threshold: 1 }, members, document, ...signWorldRoster(root, document, now) }
}
