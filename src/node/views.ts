/**
 * JSON views of envelopes and roster entries for the CLI (--json), the HTTP API and logs.
 * Bytes become hex; references become ids; times stay ms and gain an ISO form.
 */
import { idFromDigest } from '../envelope/index.js'
import type { Envelope } from '../envelope/types.js'
import { toHex } from '../identity/index.js'
import type { RosterMember } from '../roster/types.js'
import type { StoredMessage } from '../store/types.js'

export interface MessageView {
  id: string
  kind: Envelope['kind']
  precedence: Envelope['precedence']
  org: string
  author: string
  created: number
  createdIso: string
  expires: number
  expiresIso: string
  scope: string[] | 'national'
  references: string[]
  content?: Envelope['content']
  note?: string
  revocation?: { key: string, effective: number, reason?: string }
  /** A stolen-vehicle report, its Update or Cancel (kind vehicle). */
  vehicle?: Envelope['vehicle']
  rosterBytes?: number
  bytes: number
  received?: number
  source?: string
  /** Composed here and not yet sent to any peer (the outbox): stored, not delivered. */
  pending?: boolean
  /** With `show`: the acknowledgements of this message held here. */
  acks?: Array<{ id: string, org: string, author: string, created: number, note?: string }>
}

export function envelopeView (env: Envelope, stored?: Pick<StoredMessage, 'received' | 'source'>): MessageView {
  return {
    id: env.id,
    kind: env.kind,
    precedence: env.precedence,
    org: env.org,
    author: toHex(env.author),
    created: env.created,
    createdIso: new Date(env.created).toISOString(),
    expires: env.expires,
    expiresIso: new Date(env.expires).toISOString(),
    scope: env.scope.length === 0 ? 'national' : env.scope,
    references: env.references.map(idFromDigest),
    ...(env.content === undefined ? {} : { content: env.content }),
    ...(env.note === undefined ? {} : { note: env.note }),
    ...(env.revocation === undefined ? {} : { revocation: { key: toHex(env.revocation.key), effective: env.revocation.effective, ...(env.revocation.reason === undefined ? {} : { reason: env.revocation.reason }) } }),
    ...(env.vehicle === undefined ? {} : { vehicle: env.vehicle }),
    ...(env.roster === undefined ? {} : { rosterBytes: env.roster.length }),
    bytes: env.bytes.length,
    ...(stored === undefined ? {} : { received: stored.received, source: stored.source })
  }
}

export function storedView (m: StoredMessage): MessageView { return envelopeView(m.envelope, m) }

export interface MemberView {
  key: string
  role: RosterMember['role']
  org: string
  name?: string
  mayIssue: RosterMember['mayIssue']
  validFrom: string
  validUntil: string
  revokedFrom?: string
}

export function memberView (m: RosterMember, revokedAt?: number): MemberView {
  return {
    key: toHex(m.key),
    role: m.role,
    org: m.org,
    ...(m.name === undefined ? {} : { name: m.name }),
    mayIssue: m.mayIssue,
    validFrom: new Date(m.validFrom).toISOString(),
    validUntil: new Date(m.validUntil).toISOString(),
    ...(revokedAt === undefined ? {} : { revokedFrom: new Date(revokedAt).toISOString() })
  }
}
