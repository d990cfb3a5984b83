/**
 * A JSON view of a roster document for people and tools (`c5mesh roster show --json`, the
 * HTTP API, hand-edited files for `roster import`): keys as hex, times as ms. Not a wire
 * format — what is signed is always the DAG-CBOR document (docs/protocol/roster.md §1).
 */
import { fromHex, keyId, toHex } from '../identity/index.js'
import type { Revocation } from '../envelope/types.js'
import { encodeRosterDocument } from './document.js'
import * as s from './schema.js'
import type { MayIssue, Quotas, Role, RosterDocument, RosterMember } from './types.js'

export interface RosterMemberJSON {
  key: string
  /** Derived (8-byte key id as hex), ignored on input. */
  keyId?: string
  role: Role
  org: string
  name?: string
  mayIssue: MayIssue
  validFrom: number
  validUntil: number
}

export interface RosterDocumentJSON {
  version: number
  issued: number
  members: RosterMemberJSON[]
  revocations: Array<{ key: string, effective: number, reason?: string }>
  note?: string
  /** As in RosterDocument (plain numbers): §6.1 of docs/protocol/roster.md. */
  quotas?: Quotas
}

export function rosterDocumentToJSON (doc: RosterDocument): RosterDocumentJSON {
  return {
    version: doc.version,
    issued: doc.issued,
    members: doc.members.map(m => ({
      key: toHex(m.key),
      keyId: toHex(keyId(m.key)),
      role: m.role,
      org: m.org,
      ...(m.name === undefined ? {} : { name: m.name }),
      mayIssue: { kinds: [...m.mayIssue.kinds], maxPrecedence: m.mayIssue.maxPrecedence, scope: m.mayIssue.scope === 'national' ? 'national' : [...m.mayIssue.scope] },
      validFrom: m.validFrom,
      validUntil: m.validUntil
    })),
    revocations: doc.revocations.map(r => ({ key: toHex(r.key), effective: r.effective, ...(r.reason === undefined ? {} : { reason: r.reason }) })),
    ...(doc.note === undefined ? {} : { note: doc.note }),
    ...(doc.quotas === undefined ? {} : { quotas: structuredClone(doc.quotas) })
  }
}

function hexKey (v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/i.test(v)) throw s.malformed(path, '64 hex digits (a 32-byte key)')
  return fromHex(v)
}

/** Parses and fully validates (as encodeRosterDocument does); throws ROSTER_MALFORMED / ROSTER_DUPLICATE_MEMBER. */
export function rosterDocumentFromJSON (json: unknown): RosterDocument {
  const j = s.map(json, 'document', ['version', 'issued', 'members', 'revocations'], ['note', 'quotas'])
  const members = s.array(j.members, 'document.members', Number.MAX_SAFE_INTEGER).map((v, i): RosterMember => {
    const path = `document.members[${i}]`
    const m = s.map(v, path, ['key', 'role', 'org', 'mayIssue', 'validFrom', 'validUntil'], ['keyId', 'name'])
    const may = s.map(m.mayIssue, `${path}.mayIssue`, ['kinds', 'maxPrecedence', 'scope'])
    return {
      key: hexKey(m.key, `${path}.key`),
      role: m.role as Role,
      org: m.org as string,
      ...(m.name === undefined ? {} : { name: m.name as string }),
      mayIssue: may as unknown as MayIssue,
      validFrom: m.validFrom as number,
      validUntil: m.validUntil as number
    }
  })
  const revocations = s.array(j.revocations, 'document.revocations', Number.MAX_SAFE_INTEGER).map((v, i): Revocation => {
    const r = s.map(v, `document.revocations[${i}]`, ['key', 'effective'], ['reason'])
    return { key: hexKey(r.key, `document.revocations[${i}].key`), effective: r.effective as number, ...(r.reason === undefined ? {} : { reason: r.reason as string }) }
  })
  const doc: RosterDocument = { version: j.version as number, issued: j.issued as number, members, revocations, ...(j.note === undefined ? {} : { note: j.note as string }), ...(j.quotas === undefined ? {} : { quotas: j.quotas as Quotas }) }
  encodeRosterDocument(doc) // every field and limit is checked here, with the wire path in details
  return doc
}
