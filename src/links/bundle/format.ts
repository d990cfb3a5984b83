/**
 * Byte layouts of a bundle file (docs/protocol/bundle.md §2–3): the signed header, the
 * records, the end marker and the signed trailer. Pure: bytes in, values out.
 *
 *   bundle  = header record* end trailer
 *   header  = "C5MB" 01 bodyLen:varint body signature:64
 *   record  = C5 len:varint(≥1) tag:4 envelope:len
 *   end     = C5 00
 *   trailer = count:varint recordsDigest:32 signature:64
 */
import { createHash, hash } from 'node:crypto'
import { C5Error } from '../../errors.js'
import { verify as verifySignature } from '../../identity/index.js'
import { varintLength, writeVarint } from '../../sync/varint.js'
import {
  ANSWERS_MAX, BUNDLE_HEADER_DOMAIN, BUNDLE_ID_BYTES, BUNDLE_MAGIC, BUNDLE_TRAILER_DOMAIN, BUNDLE_VERSION, DIGEST_BYTES,
  HEADER_MAX_BYTES, KEY_BYTES, MANIFEST_MAGIC, NONCE_BYTES, ORG_MAX_BYTES, RECORD_MARKER, RECORD_MAX_BYTES, RECORD_TAG_BYTES, SIGNATURE_BYTES
} from './constants.js'

/** One manifest a bundle answers: whose, of when, and what it carries for it. */
export interface BundleAnswer {
  /** The manifest owner's node key. */
  owner: Uint8Array
  /** The manifest's `created` (ms). */
  manifestCreated: number
  /** Messages in this bundle that the manifest's owner lacked. */
  messages: number
  /** True when the coded symbols decoded the exact difference; false when ranges decided (a superset). */
  exact: boolean
}

export interface BundleHeaderFields {
  /** The exporting node's Ed25519 key (it signs header and trailer). */
  exporter: Uint8Array
  /** The exporter's org as it says (informational: the roster is what counts). */
  org: string
  created: number
  nonce: Uint8Array
  /** Records announced (the progress bar's total; a truncated file has fewer). */
  count: number
  /** Only messages created at or after this time (ms); 0 = no time filter. */
  since: number
  answers: BundleAnswer[]
}

export interface DecodedHeader extends BundleHeaderFields {
  /** The whole header, signature included. */
  bytes: Uint8Array
  signature: Uint8Array
  /** sha2-256 of `bytes`: what the trailer signature binds to. */
  digest: Uint8Array
  /** Hex of the digest's first 16 bytes: the bundle's id. */
  id: string
}

export interface Trailer { count: number, recordsDigest: Uint8Array, signature: Uint8Array }

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

export function sha256 (...parts: Uint8Array[]): Uint8Array {
  // One part (every record): the one-shot hash, cheaper than a Hash object per record.
  const d = parts.length === 1 ? hash('sha256', parts[0], 'buffer') : parts.reduce((h, p) => h.update(p), createHash('sha256')).digest()
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

export function hex (b: Uint8Array): string { return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') }

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/**
 * Reads an unsigned LEB128 varint (docs/protocol/reconcile.md §3: at most 8 bytes, ≤ 2^53 − 1,
 * minimal) from buf[at..end): [value, next offset], 'short' when the bytes end inside it, or
 * 'bad'. No exceptions: the reader probes many offsets of a damaged file.
 */
export function readVarintAt (buf: Uint8Array, at: number, end: number): [number, number] | 'short' | 'bad' {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (at + i >= end) return 'short'
    const b = buf[at + i]
    value += (b & 0x7f) * scale
    if (value > Number.MAX_SAFE_INTEGER) return 'bad'
    if ((b & 0x80) === 0) return b === 0 && i > 0 ? 'bad' : [value, at + i + 1]
    scale *= 128
  }
  return 'bad'
}

/** A cursor over a complete byte string that throws `code` on anything malformed. */
export class Cursor {
  pos = 0
  constructor (readonly buf: Uint8Array, readonly what: string, readonly end = buf.length) {}
  fail (message: string): never { throw new C5Error('BUNDLE_CORRUPT', `${this.what}: ${message}`, { details: { offset: this.pos } }) }
  varint (field: string): number {
    const r = readVarintAt(this.buf, this.pos, this.end)
    if (typeof r === 'string') this.fail(`${field} is not a valid varint`)
    this.pos = r[1]
    return r[0]
  }
  bytes (n: number, field: string): Uint8Array {
    if (this.pos + n > this.end) this.fail(`${field} runs past the end`)
    const out = this.buf.slice(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  u8 (field: string): number { return this.bytes(1, field)[0] }
  /** u8 length, then UTF-8. */
  text (field: string): string {
    const b = this.bytes(this.u8(`${field} length`), field)
    try { return fromUtf8.decode(b) } catch { return this.fail(`${field} is not UTF-8`) }
  }
}

function checkTime (v: number, field: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new C5Error('BUNDLE_CORRUPT', `${field} must be a non-negative integer (ms)`)
}

function encodeBody (f: BundleHeaderFields): Uint8Array {
  if (f.exporter.length !== KEY_BYTES || f.nonce.length !== NONCE_BYTES) throw new C5Error('BUNDLE_CORRUPT', 'exporter key or nonce of the wrong size')
  const org = utf8.encode(f.org)
  if (org.length > ORG_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `org longer than ${ORG_MAX_BYTES} bytes`)
  if (f.answers.length > ANSWERS_MAX) throw new C5Error('BUNDLE_CORRUPT', `a bundle answers at most ${ANSWERS_MAX} manifests`)
  for (const v of [f.created, f.count, f.since]) checkTime(v, 'created, count and since')
  const parts: Uint8Array[] = [f.exporter, varint(f.created), f.nonce, varint(f.count), varint(f.since), Uint8Array.of(org.length), org, varint(f.answers.length)]
  for (const a of f.answers) {
    if (a.owner.length !== KEY_BYTES) throw new C5Error('BUNDLE_CORRUPT', 'answer owner key of the wrong size')
    parts.push(a.owner, varint(a.manifestCreated), varint(a.messages), Uint8Array.of(a.exact ? 1 : 0))
  }
  return concat(parts)
}

export function varint (v: number): Uint8Array {
  const out = new Uint8Array(varintLength(v))
  writeVarint(out, 0, v)
  return out
}

/** The header's bytes, signed by `sign` (Ed25519 over BUNDLE_HEADER_DOMAIN ‖ the bytes before the signature). */
export function encodeHeader (f: BundleHeaderFields, sign: (data: Uint8Array) => Uint8Array): Uint8Array {
  const body = encodeBody(f)
  if (body.length > HEADER_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `header body larger than ${HEADER_MAX_BYTES} bytes`)
  const signed = concat([BUNDLE_MAGIC, Uint8Array.of(BUNDLE_VERSION), varint(body.length), body])
  return concat([signed, sign(concat([BUNDLE_HEADER_DOMAIN, signed]))])
}

/**
 * What the first bytes of a file say. 'short' = not enough bytes yet to tell. Throws
 * BUNDLE_FOREIGN (another format, or a manifest), BUNDLE_BAD_VERSION, BUNDLE_CORRUPT.
 * On success: the header's total length.
 */
export function headerLength (buf: Uint8Array, end: number, name = 'the file'): number | 'short' {
  const have = Math.min(end, 4)
  for (let i = 0; i < have; i++) {
    if (buf[i] !== BUNDLE_MAGIC[i]) {
      const manifest = have === 4 && MANIFEST_MAGIC.every((b, k) => buf[k] === b)
      throw new C5Error('BUNDLE_FOREIGN', manifest
        ? `${name} is a c5mesh manifest, not a bundle (give it to "c5mesh bundle export --for")`
        : `${name} is not a c5mesh bundle (it starts with ${hex(buf.subarray(0, have))}, not "C5MB")`)
    }
  }
  if (end < 5) return 'short'
  if (buf[4] !== BUNDLE_VERSION) throw new C5Error('BUNDLE_BAD_VERSION', `${name} is a c5mesh bundle of version ${buf[4]}; this build reads version ${BUNDLE_VERSION} (upgrade c5mesh)`)
  const r = readVarintAt(buf, 5, end)
  if (r === 'short') return 'short'
  if (r === 'bad' || r[0] > HEADER_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `${name}: the header length is unreadable`)
  return r[1] + r[0] + SIGNATURE_BYTES
}

/** Decodes a complete header (headerLength() bytes). Throws BUNDLE_CORRUPT. */
export function decodeHeader (bytes: Uint8Array): DecodedHeader {
  const total = headerLength(bytes, bytes.length)
  if (total === 'short' || total !== bytes.length) throw new C5Error('BUNDLE_CORRUPT', 'header of the wrong length')
  const r = readVarintAt(bytes, 5, bytes.length) as [number, number]
  const c = new Cursor(bytes, 'bundle header', r[1] + r[0])
  c.pos = r[1]
  const exporter = c.bytes(KEY_BYTES, 'exporter')
  const created = c.varint('created')
  const nonce = c.bytes(NONCE_BYTES, 'nonce')
  const count = c.varint('count')
  const since = c.varint('since')
  const org = c.text('org')
  const n = c.varint('answer count')
  if (n > ANSWERS_MAX) c.fail(`more than ${ANSWERS_MAX} answers`)
  const answers: BundleAnswer[] = []
  for (let i = 0; i < n; i++) {
    const owner = c.bytes(KEY_BYTES, 'answer owner')
    const manifestCreated = c.varint('answer manifest time')
    const messages = c.varint('answer messages')
    const flags = c.u8('answer flags')
    if (flags > 1) c.fail('answer flags other than 0 or 1')
    answers.push({ owner, manifestCreated, messages, exact: flags === 1 })
  }
  if (c.pos !== c.end) c.fail('bytes left over in the header body')
  const signature = bytes.slice(c.end, c.end + SIGNATURE_BYTES)
  const whole = new Uint8Array(bytes)
  const digest = sha256(whole)
  return { exporter, org, created, nonce, count, since, answers, bytes: whole, signature, digest, id: hex(digest.subarray(0, BUNDLE_ID_BYTES)) }
}

/** True when the header's signature verifies for the exporter key it names. */
export function verifyHeader (h: DecodedHeader): boolean {
  const signed = h.bytes.subarray(0, h.bytes.length - SIGNATURE_BYTES)
  return verifySignature(h.exporter, concat([BUNDLE_HEADER_DOMAIN, signed]), h.signature)
}

/** Marker, length and tag of the record carrying `envelope` (whose sha2-256 is `digest`). */
export function recordHead (envelope: Uint8Array, digest: Uint8Array): Uint8Array {
  if (envelope.length < 1 || envelope.length > RECORD_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `a record carries 1…${RECORD_MAX_BYTES} bytes`)
  const out = new Uint8Array(1 + varintLength(envelope.length) + RECORD_TAG_BYTES)
  out[0] = RECORD_MARKER
  const o = writeVarint(out, 1, envelope.length)
  out.set(digest.subarray(0, RECORD_TAG_BYTES), o)
  return out
}

/** What the trailer's signature covers: domain ‖ header digest ‖ count ‖ records digest. */
function trailerSigned (headerDigest: Uint8Array, count: number, recordsDigest: Uint8Array): Uint8Array {
  return concat([BUNDLE_TRAILER_DOMAIN, headerDigest, varint(count), recordsDigest])
}

/** End marker and trailer. `recordsDigest` = sha2-256 of every record byte between header and end marker. */
export function encodeEnd (headerDigest: Uint8Array, count: number, recordsDigest: Uint8Array, sign: (data: Uint8Array) => Uint8Array): Uint8Array {
  return concat([Uint8Array.of(RECORD_MARKER, 0), varint(count), recordsDigest, sign(trailerSigned(headerDigest, count, recordsDigest))])
}

/** Parses a trailer at buf[at..end): the trailer and its length, 'short', or 'bad'. */
export function readTrailerAt (buf: Uint8Array, at: number, end: number): { trailer: Trailer, next: number } | 'short' | 'bad' {
  const r = readVarintAt(buf, at, end)
  if (typeof r === 'string') return r
  const next = r[1] + DIGEST_BYTES + SIGNATURE_BYTES
  if (next > end) return 'short'
  return {
    trailer: { count: r[0], recordsDigest: buf.slice(r[1], r[1] + DIGEST_BYTES), signature: buf.slice(r[1] + DIGEST_BYTES, next) },
    next
  }
}

export function verifyTrailer (header: DecodedHeader, t: Trailer): boolean {
  return verifySignature(header.exporter, trailerSigned(header.digest, t.count, t.recordsDigest), t.signature)
}
