/**
 * The roster document codec: DAG-CBOR, deterministic, versioned (docs/protocol/roster.md
 * §Document). Decoding checks the size first, then the schema and limits, then that the
 * bytes are the canonical encoding of what they decode to (one document, one byte string).
 */
import * as dagCbor from '@ipld/dag-cbor'
import { C5Error } from '../errors.js'
import { keyId, toHex, PUBLIC_KEY_BYTES } from '../identity/index.js'
import { KINDS, PRECEDENCES, type Kind, type Precedence, type Revocation } from '../envelope/types.js'
import {
  MAX_DOCUMENT_REVOCATIONS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_REASON_CHARS, MAX_ROSTER_MEMBERS,
  MAX_SIGNED_ROSTER_BYTES, ROSTER_FORMAT_VERSION
} from './constants.js'
import { prescanCbor } from './prescan.js'
import * as s from './schema.js'
import { ROLES, type Quotas, type RosterDocument, type RosterMember } from './types.js'

function memberFromWire (v: unknown, path: string): RosterMember {
  const m = s.map(v, path, ['key', 'role', 'org', 'may', 'from', 'until'], ['name'])
  const may = s.map(m.may, `${path}.may`, ['kinds', 'max', 'scope'])
  const kinds = s.array(may.kinds, `${path}.may.kinds`, 8).map((k, i) => s.kind(k, `${path}.may.kinds[${i}]`))
  if (new Set(kinds).size !== kinds.length) throw s.malformed(`${path}.may.kinds`, 'distinct kinds')
  // Roster-kind envelopes are authorised by root signatures, never by a member (§Roles).
  if (kinds.includes('roster')) throw s.malformed(`${path}.may.kinds`, "no 'roster' (rosters are authorised by anchor signatures)")
  const validFrom = s.uint(m.from, `${path}.from`)
  const validUntil = s.uint(m.until, `${path}.until`)
  if (validUntil <= validFrom) throw s.malformed(`${path}.until`, 'a time after from')
  const member: RosterMember = {
    key: s.bytes(m.key, `${path}.key`, PUBLIC_KEY_BYTES),
    role: s.oneOf(m.role, `${path}.role`, ROLES),
    org: s.org(m.org, `${path}.org`),
    mayIssue: { kinds, maxPrecedence: s.precedence(may.max, `${path}.may.max`), scope: s.scope(may.scope, `${path}.may.scope`) },
    validFrom,
    validUntil
  }
  if (m.name !== undefined) member.name = s.text(m.name, `${path}.name`, MAX_NAME_CHARS)
  return member
}

export function revocationFromWire (v: unknown, path: string): Revocation {
  const r = s.map(v, path, ['key', 'eff'], ['why'])
  const rev: Revocation = { key: s.bytes(r.key, `${path}.key`, PUBLIC_KEY_BYTES), effective: s.uint(r.eff, `${path}.eff`) }
  if (r.why !== undefined) rev.reason = s.text(r.why, `${path}.why`, MAX_REASON_CHARS)
  return rev
}

export function revocationToWire (r: Revocation): s.Obj {
  return { key: r.key, eff: r.effective, ...(r.reason === undefined ? {} : { why: r.reason }) }
}

function memberToWire (m: RosterMember): s.Obj {
  return {
    key: m.key,
    role: m.role,
    org: m.org,
    ...(m.name === undefined ? {} : { name: m.name }),
    may: { kinds: [...m.mayIssue.kinds], max: m.mayIssue.maxPrecedence, scope: m.mayIssue.scope === 'national' ? 'national' : [...m.mayIssue.scope] },
    from: m.validFrom,
    until: m.validUntil
  }
}

function quotasToWire (q: Quotas): s.Obj {
  const life: s.Obj = {}
  for (const [kind, byPrec] of Object.entries(q.maxLifetimeMs ?? {})) {
    life[kind] = Object.fromEntries(Object.entries(byPrec ?? {}).filter(([, ms]) => ms !== undefined))
  }
  return {
    ...(q.windowMs === undefined ? {} : { win: q.windowMs }),
    ...(q.perAuthor === undefined ? {} : { am: q.perAuthor.messages, ab: q.perAuthor.bytes }),
    ...(q.perOrg === undefined ? {} : { om: q.perOrg.messages, ob: q.perOrg.bytes }),
    ...(q.maxLifetimeMs === undefined ? {} : { life })
  }
}

function quotasFromWire (v: unknown, path: string): Quotas {
  const w = s.map(v, path, [], ['win', 'am', 'ab', 'om', 'ob', 'life'])
  const q: Quotas = {}
  if (w.win !== undefined) q.windowMs = s.uint(w.win, `${path}.win`, 60_000)
  for (const [m, b, field] of [['am', 'ab', 'perAuthor'], ['om', 'ob', 'perOrg']] as const) {
    if ((w[m] === undefined) !== (w[b] === undefined)) throw s.malformed(`${path}.${w[m] === undefined ? m : b}`, `a value (${m} and ${b} go together)`)
    if (w[m] !== undefined) q[field] = { messages: s.uint(w[m], `${path}.${m}`, 1), bytes: s.uint(w[b], `${path}.${b}`, 1) }
  }
  if (w.life !== undefined) {
    const life = s.map(w.life, `${path}.life`, [], KINDS)
    const out: NonNullable<Quotas['maxLifetimeMs']> = {}
    for (const [kind, byPrec] of Object.entries(life)) {
      const p = s.map(byPrec, `${path}.life.${kind}`, [], PRECEDENCES)
      const limits: Partial<Record<Precedence, number>> = {}
      for (const [prec, ms] of Object.entries(p)) limits[prec as Precedence] = s.uint(ms, `${path}.life.${kind}.${prec}`, 60_000)
      out[kind as Kind] = limits
    }
    q.maxLifetimeMs = out
  }
  return q
}

function toWire (doc: RosterDocument): s.Obj {
  return {
    v: ROSTER_FORMAT_VERSION,
    ver: doc.version,
    iss: doc.issued,
    mem: doc.members.map(memberToWire),
    rev: doc.revocations.map(revocationToWire),
    ...(doc.note === undefined ? {} : { note: doc.note }),
    ...(doc.quotas === undefined ? {} : { quo: quotasToWire(doc.quotas) })
  }
}

/** Validates a decoded wire value and builds the document; throws ROSTER_MALFORMED / ROSTER_DUPLICATE_MEMBER. */
function fromWire (v: unknown): RosterDocument {
  const w = s.map(v, 'document', ['v', 'ver', 'iss', 'mem', 'rev'], ['note', 'quo'])
  if (w.v !== ROSTER_FORMAT_VERSION) throw s.malformed('document.v', `format version ${ROSTER_FORMAT_VERSION}`)
  const members = s.array(w.mem, 'document.mem', MAX_ROSTER_MEMBERS).map((m, i) => memberFromWire(m, `document.mem[${i}]`))
  const revocations = s.array(w.rev, 'document.rev', MAX_DOCUMENT_REVOCATIONS).map((r, i) => revocationFromWire(r, `document.rev[${i}]`))
  checkDistinctMembers(members)
  const revoked = new Set<string>()
  revocations.forEach((r, i) => {
    const k = toHex(r.key)
    if (revoked.has(k)) throw s.malformed(`document.rev[${i}].key`, 'one revocation per key')
    revoked.add(k)
  })
  const doc: RosterDocument = { version: s.uint(w.ver, 'document.ver', 1), issued: s.uint(w.iss, 'document.iss'), members, revocations }
  if (w.note !== undefined) doc.note = s.text(w.note, 'document.note', MAX_NOTE_CHARS)
  if (w.quo !== undefined) doc.quotas = quotasFromWire(w.quo, 'document.quo')
  return doc
}

/**
 * Member keys are distinct, and so are their 8-byte key ids: an envelope may name its
 * author by key id, which must resolve to exactly one member.
 */
function checkDistinctMembers (members: RosterMember[]): void {
  const keys = new Set<string>()
  const ids = new Set<string>()
  for (const m of members) {
    const k = toHex(m.key)
    const id = toHex(keyId(m.key))
    if (keys.has(k)) throw new C5Error('ROSTER_DUPLICATE_MEMBER', `key ${k} is listed twice`, { details: { key: k } })
    if (ids.has(id)) throw new C5Error('ROSTER_DUPLICATE_MEMBER', `two members share key id ${id}`, { details: { keyId: id } })
    keys.add(k)
    ids.add(id)
  }
}

export function encodeRosterDocument (doc: RosterDocument): Uint8Array {
  let wire: s.Obj
  try {
    wire = toWire(doc)
  } catch (cause) {
    throw s.malformed('document', 'a RosterDocument', cause)
  }
  fromWire(wire) // validate exactly what decode will check
  return cborBytes(wire)
}

/** DAG-CBOR encoding as a plain Uint8Array (the encoder may hand back a Node Buffer). */
export function cborBytes (value: unknown): Uint8Array {
  const b = dagCbor.encode(value)
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

/** Decodes with DAG-CBOR's strict options; any decoder failure becomes ROSTER_MALFORMED. */
export function decodeCbor (bytes: Uint8Array, path: string, maxBytes = MAX_SIGNED_ROSTER_BYTES): unknown {
  if (!(bytes instanceof Uint8Array)) throw s.malformed(path, 'bytes')
  if (bytes.length > maxBytes) throw s.malformed(path, `at most ${maxBytes} bytes`)
  prescanCbor(bytes, path)
  try {
    return dagCbor.decode(bytes)
  } catch (cause) {
    throw s.malformed(path, 'DAG-CBOR', cause)
  }
}

/** The canonical-form check: re-encoding what was decoded must give back the same bytes. */
export function checkCanonical (bytes: Uint8Array, wire: unknown, path: string): void {
  const again = dagCbor.encode(wire)
  if (again.length !== bytes.length || !again.every((b, i) => b === bytes[i])) throw s.malformed(path, 'the canonical DAG-CBOR encoding')
}

export function decodeRosterDocument (bytes: Uint8Array): RosterDocument {
  const wire = decodeCbor(bytes, 'document')
  const doc = fromWire(wire)
  checkCanonical(bytes, wire, 'document')
  return doc
}
