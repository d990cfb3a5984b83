/**
 * Roster types: the decoded, in-memory forms of the roster document and the signed roster
 * (docs/protocol/roster.md). The wire forms are produced by document.ts and signed.ts.
 */
import type { Kind, Precedence, Revocation } from '../envelope/types.js'

export const ROLES = ['node', 'operator', 'authority'] as const
export type Role = typeof ROLES[number]

/** Orgs a member may address: every org (`'national'`) or only the listed ones. */
export type IssueScope = 'national' | string[]

/** What a member may issue. The role limits it further (see authority.ts ROLE_KINDS). */
export interface MayIssue {
  kinds: Kind[]
  /** The most urgent precedence this member may use. */
  maxPrecedence: Precedence
  scope: IssueScope
}

export interface RosterMember {
  /** 32-byte raw Ed25519 public key. */
  key: Uint8Array
  role: Role
  /** ISO 3166-2 (MX-YUC) or an agency code (CNI, FGR, GN, SEDENA, REPUVE). */
  org: string
  /** Optional human label ("C5 Yucatán node 1"). */
  name?: string
  mayIssue: MayIssue
  /** ms since the Unix epoch, inclusive. */
  validFrom: number
  /** ms since the Unix epoch, exclusive. */
  validUntil: number
}

/** Messages and bytes one author key, or one org, may issue per window of `created` time. */
export interface RateQuota { messages: number, bytes: number }

/**
 * Quotas every node applies identically, since they depend only on signed content and the
 * roster (docs/protocol/roster.md §Quotas). Absent fields take the defaults of
 * src/roster/quotas.ts. Roster and revocation envelopes are never counted.
 */
export interface Quotas {
  /** The window of `created` time the rates count over, ms (windows start at multiples of it). */
  windowMs?: number
  perAuthor?: RateQuota
  perOrg?: RateQuota
  /** Longest lifetime (expires − created), ms, by kind, then by precedence within the kind. */
  maxLifetimeMs?: Partial<Record<Kind, Partial<Record<Precedence, number>>>>
}

export interface RosterDocument {
  /** Monotonic roster version, ≥ 1: a higher valid version replaces a lower one. */
  version: number
  /** When this version was made (ms since the Unix epoch); informative. */
  issued: number
  members: RosterMember[]
  /** Revocations listed by this version (merged into every state that sees it; never undone). */
  revocations: Revocation[]
  note?: string
  /** Quotas set by the national authority (defaults when absent). */
  quotas?: Quotas
}

export interface RosterSignature {
  /** 32-byte anchor public key. */
  key: Uint8Array
  /** 64-byte Ed25519 signature over ROSTER_SIGNATURE_DOMAIN || document. */
  signature: Uint8Array
}

/** The opaque `roster` body of a roster-kind envelope: document bytes plus k-of-n signatures. */
export interface SignedRoster {
  document: Uint8Array
  signatures: RosterSignature[]
}

/** Trust anchors from config: root public keys and how many distinct ones must sign a roster. */
export interface TrustAnchors {
  keys: Uint8Array[]
  threshold: number
}
