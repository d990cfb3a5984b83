/**
 * Authority checks, pure: may this author issue this envelope? (docs/protocol/roster.md
 * §Roles, §Authority). Every rule is judged at `envelope.created`: messages travel for
 * days through partitions, and one signed while its author was valid and unrevoked stays
 * valid when it arrives late; one signed after expiry or revocation never becomes valid.
 */
import { C5Error } from '../errors.js'
import { toHex } from '../identity/index.js'
import { precedenceRank, type Kind, type Revocation, type UnsignedEnvelope } from '../envelope/types.js'
import { verifySignedRoster } from './signed.js'
import type { Role, RosterDocument, RosterMember, TrustAnchors } from './types.js'
import { withArticle } from '../util/words.js'

/** What a checkAuthority caller needs from a roster state. */
export interface RosterView {
  readonly anchors: TrustAnchors
  readonly version: number
  member: (key: Uint8Array) => RosterMember | undefined
  isAnchor: (key: Uint8Array) => boolean
  isRevoked: (key: Uint8Array, at: number) => boolean
  /** k-of-n verification of a signed roster against `anchors` (a state may memoise it). */
  verifyRoster?: (signedBytes: Uint8Array) => RosterDocument
}

/** Kinds each role may ever issue; a member issues the intersection with its mayIssue.kinds. */
export const ROLE_KINDS: Readonly<Record<Role, readonly Kind[]>> = {
  node: ['receipt'],
  operator: ['alert', 'bulletin', 'ack', 'vehicle'],
  authority: ['revocation', 'alert', 'bulletin', 'ack', 'vehicle']
}

/**
 * What `c5mesh roster add` grants a role when --kinds is not given: stolen-vehicle reports
 * (`vehicle`) only when the national authority lists them (docs/protocol/plates.md §Authority).
 */
export const DEFAULT_ROLE_KINDS: Readonly<Record<Role, readonly Kind[]>> = {
  node: ['receipt'],
  operator: ['alert', 'bulletin', 'ack'],
  authority: ['revocation', 'alert', 'bulletin', 'ack']
}

/** Kinds a role may issue without listing them: a node's delivery receipts are mechanical. */
export const IMPLICIT_KINDS: Readonly<Record<Role, readonly Kind[]>> = {
  node: ['receipt'],
  operator: [],
  authority: []
}

/**
 * How an envelope of this kind is authorised: roster-kind envelopes by the k-of-n anchor
 * signatures inside their body (the ingest path then calls `state.apply(body)`), every
 * other kind by the author's roster membership.
 */
export function authorityPath (kind: Kind): 'roster-signatures' | 'member' {
  return kind === 'roster' ? 'roster-signatures' : 'member'
}

export interface AuthorityGrant {
  via: 'member' | 'anchor' | 'roster-signatures'
  /** The author's roster entry (via 'member'). */
  member?: RosterMember
  /** The verified roster document carried by a roster-kind envelope (via 'roster-signatures'). */
  roster?: RosterDocument
}

function refuse (code: ConstructorParameters<typeof C5Error>[0], message: string, details: Record<string, unknown> = {}): never {
  throw new C5Error(code, message, { details })
}

/**
 * Throws a C5Error with a ROSTER_* code when `authorKey` may not issue `envelope`, or
 * returns how it is authorised. `_now` is accepted for symmetry with ingest but every rule
 * is judged at envelope.created (see the file comment); clock skew is ingest's check.
 */
export function checkAuthority (state: RosterView, envelope: UnsignedEnvelope, authorKey: Uint8Array, _now?: number): AuthorityGrant {
  if (authorityPath(envelope.kind) === 'roster-signatures') {
    if (!(envelope.roster instanceof Uint8Array)) refuse('ROSTER_MALFORMED', 'a roster envelope carries a signed roster body')
    const roster = state.verifyRoster?.(envelope.roster) ?? verifySignedRoster(envelope.roster, state.anchors)
    return { via: 'roster-signatures', roster }
  }
  const at = envelope.created
  if (envelope.kind === 'revocation' && state.isAnchor(authorKey)) {
    // Root anchors may revoke with or without a roster (§Revocation); they have no member entry.
    if (state.isRevoked(authorKey, at)) refuse('ROSTER_KEY_REVOKED', 'the anchor key was revoked before this was created', { key: toHex(authorKey) })
    if (envelope.revocation === undefined) refuse('ROSTER_MALFORMED', 'a revocation envelope carries a revocation body')
    return { via: 'anchor' }
  }
  const member = checkMember(state, authorKey, at)
  checkPermission(member, envelope)
  if (envelope.kind === 'revocation') {
    if (envelope.revocation === undefined) refuse('ROSTER_MALFORMED', 'a revocation envelope carries a revocation body')
    checkRevocationTarget(state, member, envelope.revocation)
  }
  return { via: 'member', member }
}

/** On the roster, not revoked and within its validity at `at`. */
export function checkMember (state: RosterView, key: Uint8Array, at: number): RosterMember {
  if (state.version === 0) refuse('ROSTER_NO_ROSTER', 'no roster yet: only anchor-signed rosters and anchor revocations are accepted')
  const member = state.member(key)
  if (member === undefined) refuse('ROSTER_UNKNOWN_AUTHOR', `key ${toHex(key)} is not on roster version ${state.version}`, { key: toHex(key) })
  if (state.isRevoked(key, at)) refuse('ROSTER_KEY_REVOKED', `key ${toHex(key)} was revoked at or before ${at}`, { key: toHex(key), at })
  if (at < member.validFrom) refuse('ROSTER_MEMBER_NOT_YET_VALID', `key ${toHex(key)} is valid from ${member.validFrom}`, { key: toHex(key), at, validFrom: member.validFrom })
  if (at >= member.validUntil) refuse('ROSTER_MEMBER_EXPIRED', `key ${toHex(key)} was valid until ${member.validUntil}`, { key: toHex(key), at, validUntil: member.validUntil })
  return member
}

/** Role, kinds, org, precedence and scope of one envelope against one member entry. */
export function checkPermission (member: RosterMember, envelope: UnsignedEnvelope): void {
  const { kind } = envelope
  if (!ROLE_KINDS[member.role].includes(kind)) refuse('ROSTER_WRONG_ROLE', `${withArticle(member.role)} may not issue ${kind}`, { role: member.role, kind })
  if (!member.mayIssue.kinds.includes(kind) && !IMPLICIT_KINDS[member.role].includes(kind)) {
    refuse('ROSTER_KIND_NOT_ALLOWED', `this member may not issue ${kind}`, { kind, allowed: member.mayIssue.kinds })
  }
  if (envelope.org !== member.org) refuse('ROSTER_ORG_MISMATCH', `envelope org ${envelope.org} is not the member's org ${member.org}`, { org: envelope.org, memberOrg: member.org })
  if (precedenceRank(envelope.precedence) < precedenceRank(member.mayIssue.maxPrecedence)) {
    refuse('ROSTER_PRECEDENCE_NOT_ALLOWED', `precedence ${envelope.precedence} is above this member's ${member.mayIssue.maxPrecedence}`, {
      precedence: envelope.precedence, maxPrecedence: member.mayIssue.maxPrecedence
    })
  }
  const allowed = member.mayIssue.scope
  if (allowed === 'national') return
  if (envelope.scope.length === 0) refuse('ROSTER_SCOPE_NOT_ALLOWED', 'this member may not address the whole nation', { allowed })
  for (const o of envelope.scope) {
    // A member may always address its own org (§Roles).
    if (o !== member.org && !allowed.includes(o)) refuse('ROSTER_SCOPE_NOT_ALLOWED', `this member may not address ${o}`, { org: o, allowed })
  }
}

/**
 * An authority with national scope may revoke any key but an anchor's; one with a list of
 * orgs only keys of current members of its own org or of a listed org.
 */
export function checkRevocationTarget (state: RosterView, issuer: RosterMember, rev: Revocation): void {
  // A member must not disable a root: anchor keys are revoked by anchors or a k-of-n roster.
  if (state.isAnchor(rev.key)) refuse('ROSTER_SCOPE_NOT_ALLOWED', 'an anchor key can be revoked only by an anchor or a roster version', { key: toHex(rev.key) })
  const scope = issuer.mayIssue.scope
  if (scope === 'national') return
  const target = state.member(rev.key)
  if (target === undefined || (target.org !== issuer.org && !scope.includes(target.org))) {
    refuse('ROSTER_SCOPE_NOT_ALLOWED', 'this authority may only revoke members of its own or listed orgs', { key: toHex(rev.key), allowed: scope })
  }
}
