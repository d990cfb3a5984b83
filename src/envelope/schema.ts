/**
 * The signed part as a positional array (docs/protocol/envelope.md §"Signed part"):
 *
 *   [version, kind, author, created, ttl, org, precedence, body, scope?, references?]
 *
 * `toWire` validates an UnsignedEnvelope completely and returns the array that DAG-CBOR
 * encodes; it is the one schema. `fromWire` maps a decoded array back to named fields with
 * type checks only; the codec then compares toWire of the result with what it decoded (canonical form).
 */
import { C5Error } from '../errors.js'
import { ENVELOPE_VERSION, KINDS, PRECEDENCES, type Kind, type Revocation, type UnsignedEnvelope } from './types.js'
import { AUTHOR_KEY_BYTES, AUTHOR_KEY_ID_BYTES, DIGEST_BYTES, MAX_TTL_S } from './constants.js'
import type { EnvelopeLimits } from './limits.js'
import { badField, checkArray, checkBytes, checkOrgCode, checkText, checkUint, fromIndex, indexIn } from './check.js'
import { decodeContent, encodeContent } from './content.js'
import { decodeVehicle, encodeVehicle } from './vehicle.js'
import { withArticle } from '../util/words.js'

const MS_PER_S = 1000
const REQUIRED_SLOTS = 8
const ALL_SLOTS = 10
type Wire = unknown[]

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

function checkScope (v: unknown, L: EnvelopeLimits): string[] {
  const list = checkArray('scope', v ?? [], L.maxScope, 'maxScope')
  if (list.length === 0) return []
  const seen = new Set<string>()
  return list.map((s, i) => {
    const code = checkOrgCode(`scope[${i}]`, s)
    if (seen.has(code)) badField(`scope[${i}]`, 'duplicate org')
    seen.add(code)
    return code
  })
}

function checkReferences (v: unknown, L: EnvelopeLimits): Uint8Array[] {
  const list = checkArray('references', v ?? [], L.maxReferences, 'maxReferences')
  if (list.length === 0) return []
  const seen = new Set<string>()
  return list.map((r, i) => {
    const d = checkBytes(`references[${i}]`, r, DIGEST_BYTES)
    const k = hex(d)
    if (seen.has(k)) badField(`references[${i}]`, 'duplicate reference')
    seen.add(k)
    return d
  })
}

/** Bodies other than the one `kind` selects must be absent. */
function onlyBody (u: UnsignedEnvelope, allowed: 'content' | 'note' | 'roster' | 'revocation' | 'vehicle' | null): void {
  for (const f of ['content', 'note', 'roster', 'revocation', 'vehicle'] as const) {
    if (f !== allowed && u[f] !== undefined) badField(f, `not allowed in ${withArticle(String(u.kind))}`)
  }
}

function encodeBody (u: UnsignedEnvelope, kind: Kind, L: EnvelopeLimits, refs: number): unknown {
  switch (kind) {
    case 'alert':
    case 'bulletin': {
      onlyBody(u, 'content')
      if (u.content === undefined) badField('content', `required in ${withArticle(kind)}`)
      const c = encodeContent(u.content, L)
      // CAP 1.2: an Update or Cancel names what it updates or cancels.
      if (c[0] !== 0 && refs === 0) badField('references', `required for msgType ${u.content.msgType}`)
      return c
    }
    case 'ack':
      onlyBody(u, 'note')
      if (refs === 0) badField('references', 'an ack references what it acknowledges')
      return u.note === undefined ? [] : [checkText('note', u.note, L.maxStringBytes)]
    case 'receipt':
      onlyBody(u, null)
      if (refs === 0) badField('references', 'a receipt references what it receipts')
      return []
    case 'roster': {
      onlyBody(u, 'roster')
      const r = checkBytes('roster', u.roster)
      if (r.length === 0) badField('roster', 'must not be empty')
      return r
    }
    case 'revocation': {
      onlyBody(u, 'revocation')
      const rv = u.revocation
      if (typeof rv !== 'object' || rv === null) badField('revocation', `required in ${withArticle(kind)}`)
      const out: Wire = [checkBytes('revocation.key', rv.key, AUTHOR_KEY_BYTES), checkUint('revocation.effective', rv.effective, 0, Number.MAX_SAFE_INTEGER)]
      if (rv.reason !== undefined) out.push(checkText('revocation.reason', rv.reason, L.maxStringBytes))
      return out
    }
    case 'vehicle': {
      onlyBody(u, 'vehicle')
      if (u.vehicle === undefined) badField('vehicle', `required in ${withArticle(kind)}`)
      const b = encodeVehicle(u.vehicle)
      // As for CAP content: an Update or Cancel names the report it updates or cancels.
      if (b[0] !== 0 && refs === 0) badField('references', `required for msgType ${u.vehicle.msgType}`)
      return b
    }
  }
}

/** Validates `u` and returns the positional array to encode. Throws C5Error. */
export function toWire (u: UnsignedEnvelope, L: EnvelopeLimits): Wire {
  if (typeof u !== 'object' || u === null) badField('envelope', 'must be an object')
  if (u.version !== ENVELOPE_VERSION) throw new C5Error('ENVELOPE_BAD_VERSION', `unsupported envelope version ${String(u.version)}`, { details: { field: 'version' } })
  const kind = KINDS[indexIn('kind', KINDS, u.kind)]
  const author = checkBytes('author', u.author, AUTHOR_KEY_ID_BYTES, AUTHOR_KEY_BYTES)
  const created = checkUint('created', u.created, 1, Number.MAX_SAFE_INTEGER)
  const expires = checkUint('expires', u.expires, created + 1, Number.MAX_SAFE_INTEGER)
  const ttlMs = expires - created
  if (ttlMs % MS_PER_S !== 0) badField('expires', 'expires − created must be whole seconds (the wire carries ttl in seconds)')
  const ttl = checkUint('expires', ttlMs / MS_PER_S, 1, MAX_TTL_S)
  const org = checkOrgCode('org', u.org)
  const precedence = indexIn('precedence', PRECEDENCES, u.precedence)
  const scope = checkScope(u.scope, L)
  const refs = checkReferences(u.references, L)
  const wire: Wire = [ENVELOPE_VERSION, KINDS.indexOf(kind), author, created, ttl, org, precedence, encodeBody(u, kind, L, refs.length)]
  // Trailing optional elements are omitted when empty; scope stays (as []) if references follow.
  if (scope.length > 0 || refs.length > 0) wire.push(scope)
  if (refs.length > 0) wire.push(refs)
  return wire
}

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b)

function decodeBody (kind: Kind, v: unknown, u: UnsignedEnvelope): void {
  switch (kind) {
    case 'alert':
    case 'bulletin':
      u.content = decodeContent(v)
      return
    case 'ack':
      if (!Array.isArray(v) || v.length > 1) badField('note', 'an ack body is [note?]')
      if (v.length === 1) {
        if (typeof v[0] !== 'string') badField('note', 'must be text')
        u.note = v[0]
      }
      return
    case 'receipt':
      if (!Array.isArray(v) || v.length !== 0) badField('body', 'a receipt body is []')
      return
    case 'roster':
      u.roster = copy(checkBytes('roster', v))
      return
    case 'revocation': {
      if (!Array.isArray(v) || v.length < 2 || v.length > 3) badField('revocation', 'must be [key, effective, reason?]')
      const rv: Revocation = { key: copy(checkBytes('revocation.key', v[0])), effective: checkUint('revocation.effective', v[1], 0, Number.MAX_SAFE_INTEGER) }
      if (v.length === 3) {
        if (typeof v[2] !== 'string') badField('revocation.reason', 'must be text')
        rv.reason = v[2]
      }
      u.revocation = rv
      return
    }
    case 'vehicle':
      u.vehicle = decodeVehicle(v)
  }
}

/**
 * Maps a decoded signed-part array to named fields (type checks only; see file doc). Byte
 * strings in `v` may be views of the caller's input: every one kept is copied.
 */
export function fromWire (v: unknown): UnsignedEnvelope {
  if (!Array.isArray(v)) throw new C5Error('ENVELOPE_MALFORMED', 'the signed part must be an array', { details: { field: 'signedPart' } })
  // Version first: another version may have another layout.
  if (v[0] !== ENVELOPE_VERSION) throw new C5Error('ENVELOPE_BAD_VERSION', 'unsupported envelope version', { details: { field: 'version', version: typeof v[0] === 'number' ? v[0] : null } })
  if (v.length < REQUIRED_SLOTS || v.length > ALL_SLOTS) throw new C5Error('ENVELOPE_MALFORMED', `the signed part has ${REQUIRED_SLOTS}..${ALL_SLOTS} elements`, { details: { field: 'signedPart', length: v.length } })
  const kind = fromIndex('kind', KINDS, v[1])
  const created = checkUint('created', v[3], 1, Number.MAX_SAFE_INTEGER)
  const ttl = checkUint('ttl', v[4], 1, MAX_TTL_S)
  if (typeof v[5] !== 'string') badField('org', 'must be text')
  const scope = v.length > 8 ? v[8] : []
  const refs = v.length > 9 ? v[9] : []
  if (!Array.isArray(scope) || !scope.every((s) => typeof s === 'string')) badField('scope', 'must be an array of text')
  if (!Array.isArray(refs) || !refs.every((r) => r instanceof Uint8Array)) badField('references', 'must be an array of bytes')
  const u: UnsignedEnvelope = {
    version: ENVELOPE_VERSION,
    kind,
    author: copy(checkBytes('author', v[2])),
    org: v[5],
    created,
    expires: created + ttl * MS_PER_S,
    precedence: fromIndex('precedence', PRECEDENCES, v[6]),
    scope: scope as string[],
    references: (refs as Uint8Array[]).map(copy)
  }
  if (!Number.isSafeInteger(u.expires)) badField('ttl', 'created + ttl exceeds 2^53 ms')
  decodeBody(kind, v[7], u)
  return u
}
