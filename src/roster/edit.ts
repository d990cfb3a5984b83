/**
 * Editing helpers for `c5mesh roster add|remove|revoke|sign` and the development roster of
 * `c5mesh init --dev`. Each returns a new document (inputs are not mutated) and validates
 * it by encoding; any edit makes a document that old signatures do not cover.
 */
import { C5Error } from '../errors.js'
import { PUBLIC_KEY_BYTES, toHex, type KeyPair } from '../identity/index.js'
import type { Revocation } from '../envelope/types.js'
import { DEV_ROSTER_VALIDITY_MS, MAX_REASON_CHARS } from './constants.js'
import { encodeRosterDocument } from './document.js'
import * as s from './schema.js'
import { encodeSignedRoster, equalBytes, signRoster } from './signed.js'
import type { RosterDocument, RosterMember } from './types.js'

/** Shape check of a revocation from any source; throws ROSTER_MALFORMED. */
export function checkRevocation (rev: Revocation): void {
  if (typeof rev !== 'object' || rev === null) throw s.malformed('revocation', 'a revocation')
  s.bytes(rev.key, 'revocation.key', PUBLIC_KEY_BYTES)
  s.uint(rev.effective, 'revocation.effective')
  if (rev.reason !== undefined) s.text(rev.reason, 'revocation.reason', MAX_REASON_CHARS)
}

function validated (doc: RosterDocument): RosterDocument {
  encodeRosterDocument(doc)
  return doc
}

export function addMember (doc: RosterDocument, member: RosterMember): RosterDocument {
  if (doc.members.some(m => equalBytes(m.key, member.key))) {
    throw new C5Error('ROSTER_DUPLICATE_MEMBER', `key ${toHex(member.key)} is already a member`, { details: { key: toHex(member.key) } })
  }
  return validated({ ...doc, members: [...doc.members, member] })
}

export function removeMember (doc: RosterDocument, key: Uint8Array): RosterDocument {
  const members = doc.members.filter(m => !equalBytes(m.key, key))
  if (members.length === doc.members.length) {
    throw new C5Error('ROSTER_UNKNOWN_MEMBER', `key ${key instanceof Uint8Array ? toHex(key) : '?'} is not a member`)
  }
  return { ...doc, members }
}

/** Adds a revocation, or moves an existing one for the same key earlier (never later). */
export function addRevocationToDocument (doc: RosterDocument, rev: Revocation): RosterDocument {
  checkRevocation(rev)
  const old = doc.revocations.find(r => equalBytes(r.key, rev.key))
  if (old !== undefined && old.effective <= rev.effective) return doc
  const revocations = [...doc.revocations.filter(r => r !== old), rev]
  return validated({ ...doc, revocations })
}

/** The next version to sign: version + 1, issued = now. Signatures are over the old bytes, so none carry over. */
export function nextVersion (doc: RosterDocument, now: number): RosterDocument {
  return validated({ ...doc, version: doc.version + 1, issued: now })
}

export interface DevRosterOptions {
  rootKeyPair: KeyPair
  nodeKey: Uint8Array
  operatorKey: Uint8Array
  org: string
  now: number
  validityMs?: number
}

/**
 * A one-root (threshold 1) roster, version 1, naming this node (role node) and operator
 * (role operator: alert, bulletin, ack and stolen-vehicle reports up to flash, national scope), valid from `now` for a
 * year. Anchors to configure: `{ keys: [rootKeyPair.publicKey], threshold: 1 }`.
 */
export function createDevRoster (opts: DevRosterOptions): Uint8Array {
  const validFrom = opts.now
  const validUntil = opts.now + (opts.validityMs ?? DEV_ROSTER_VALIDITY_MS)
  const doc: RosterDocument = {
    version: 1,
    issued: opts.now,
    members: [
      { key: opts.nodeKey, role: 'node', org: opts.org, name: 'development node', mayIssue: { kinds: ['receipt'], maxPrecedence: 'flash', scope: 'national' }, validFrom, validUntil },
      { key: opts.operatorKey, role: 'operator', org: opts.org, name: 'development operator', mayIssue: { kinds: ['alert', 'bulletin', 'ack', 'vehicle'], maxPrecedence: 'flash', scope: 'national' }, validFrom, validUntil }
    ],
    revocations: [],
    note: 'development roster (c5mesh init --dev)'
  }
  return encodeSignedRoster(signRoster(encodeRosterDocument(doc), opts.rootKeyPair))
}
