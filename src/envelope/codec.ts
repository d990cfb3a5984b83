/**
 * The wire codec (docs/protocol/envelope.md): wire = signedPart || signature(64), where
 * signedPart is one canonical DAG-CBOR item and the Ed25519 signature covers
 * DOMAIN_TAG || signedPart — the exact bytes that travel, never a re-encoding.
 */
import * as dagCbor from '@ipld/dag-cbor'
import { KeyObject } from 'node:crypto'
import { C5Error } from '../errors.js'
import { keyId, sign, verify } from '../identity/keys.js'
import { AUTHOR_KEY_BYTES, DOMAIN_TAG, SIGNATURE_BYTES } from './constants.js'
import { envelopeDigest, idFromDigest } from './id.js'
import { resolveLimits, type EnvelopeLimits } from './limits.js'
import { decodeSignedPart } from './prescan.js'
import { fromWire, toWire } from './schema.js'
import { bytesEqual } from './check.js'
import type { Envelope, UnsignedEnvelope } from './types.js'

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** Validates `u` (C5Error on any bad field) and returns its canonical signed part. */
export function encodeSignedPart (u: UnsignedEnvelope, limits?: Partial<EnvelopeLimits>): Uint8Array {
  const L = resolveLimits(limits)
  const encoded = dagCbor.encode(toWire(u, L))
  // cborg may hand back a Buffer on Node; callers get a plain Uint8Array view (no copy).
  const bytes = new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength)
  if (bytes.length + SIGNATURE_BYTES > L.maxBytes) {
    throw new C5Error('ENVELOPE_TOO_LARGE', `envelope would be ${bytes.length + SIGNATURE_BYTES} bytes (max ${L.maxBytes})`, { details: { field: 'envelope', size: bytes.length + SIGNATURE_BYTES, max: L.maxBytes } })
  }
  return bytes
}

/**
 * Deep equality of two wire values (arrays, integers, text, bytes, null).
 *
 * Why this equals comparing encodings: the pre-scan admits only definite-length arrays,
 * minimal-length integers and lengths, valid UTF-8 text without a leading byte-order mark,
 * bytes and null. Over that subset DAG-CBOR decoding is one-to-one (the BOM is the one
 * thing the decoder's TextDecoder would drop, so the pre-scan refuses it), hence two
 * admitted byte strings are equal exactly when their decoded values are. A differential
 * property test (test/envelope/canonical.test.ts) holds this against the re-encoding.
 */
export function sameWireValue (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameWireValue(a[i], b[i])) return false
    return true
  }
  if (a instanceof Uint8Array) return b instanceof Uint8Array && bytesEqual(a, b)
  // Numbers and strings compared by value above; -0 and NaN cannot come from the pre-scanned
  // subset, and anything else (undefined, bigint from toWire) is a mismatch.
  return false
}

/**
 * DOMAIN_TAG || signedPart of wire bytes: what the signature covers. Decoded envelopes keep
 * their bytes right after a copy of the tag (decodeEnvelope), so this is usually a view.
 */
function payloadOf (bytes: Uint8Array): Uint8Array {
  const end = bytes.length - SIGNATURE_BYTES
  const at = bytes.byteOffset - DOMAIN_TAG.length
  if (at >= 0) {
    const before = new Uint8Array(bytes.buffer, at, DOMAIN_TAG.length + end)
    let tagged = true
    for (let i = 0; i < DOMAIN_TAG.length; i++) if (before[i] !== DOMAIN_TAG[i]) { tagged = false; break }
    if (tagged) return before
  }
  return concat(DOMAIN_TAG, bytes.subarray(0, end))
}

/** The bytes the signature covers (for verifiers, e.g. worker threads). */
export function signingPayload (env: Pick<Envelope, 'bytes'>): Uint8Array {
  return payloadOf(env.bytes)
}

/**
 * Validates and signs. Returns the envelope as a receiver will decode it (coordinates
 * rounded to micro-degrees, radii to metres, empty optional lists dropped).
 */
export function signEnvelope (u: UnsignedEnvelope, privateKey: KeyObject, limits?: Partial<EnvelopeLimits>): Envelope {
  if (!(privateKey instanceof KeyObject) || privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new C5Error('IDENTITY_KEY_INVALID', 'signEnvelope needs an Ed25519 private KeyObject (identity/keyPairFromSeed)')
  }
  const signed = encodeSignedPart(u, limits)
  const signature = sign(privateKey, concat(DOMAIN_TAG, signed))
  return decodeEnvelope(concat(signed, signature), limits)
}

/**
 * Decodes and validates structure, limits and schema — NOT the signature (the author may
 * be a key id that only the roster resolves; see verifyEnvelopeSignature). Throws C5Error:
 * ENVELOPE_TOO_LARGE, _TOO_SHORT, _MALFORMED, _LIMIT_EXCEEDED, _BAD_VERSION, _BAD_FIELD,
 * _NOT_CANONICAL.
 */
/**
 * The fields of an envelope this node's OWN store holds (ingest validated it in full before
 * writing it): structure, limits and types are checked as in decodeEnvelope, but neither the
 * canonical form nor the digest is re-computed — `digest` is the store's key. For bulk reads
 * of trusted records (the hotlist rebuild: 100,000 reports at start); never for bytes from
 * outside. The result has no `bytes` or `signature`.
 */
export function decodeTrustedFields (bytes: Uint8Array, digest: Uint8Array): UnsignedEnvelope & { id: string, digest: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.length <= SIGNATURE_BYTES) throw new C5Error('ENVELOPE_TOO_SHORT', 'not a stored envelope', { details: { field: 'envelope' } })
  const end = bytes.length - SIGNATURE_BYTES
  const u = fromWire(decodeSignedPart(bytes.subarray(0, end), end, resolveLimits(undefined))) as UnsignedEnvelope & { id: string, digest: Uint8Array }
  u.id = idFromDigest(digest)
  u.digest = digest
  return u
}

export function decodeEnvelope (bytes: Uint8Array, limits?: Partial<EnvelopeLimits>, known?: { digestOfBytes?: Uint8Array }): Envelope {
  const L = resolveLimits(limits)
  if (!(bytes instanceof Uint8Array)) throw new C5Error('ENVELOPE_MALFORMED', 'envelope must be bytes', { details: { field: 'envelope' } })
  if (bytes.length > L.maxBytes) throw new C5Error('ENVELOPE_TOO_LARGE', `envelope is ${bytes.length} bytes (max ${L.maxBytes})`, { details: { field: 'envelope', size: bytes.length, max: L.maxBytes } })
  if (bytes.length <= SIGNATURE_BYTES) throw new C5Error('ENVELOPE_TOO_SHORT', 'envelope shorter than its signature plus one byte', { details: { field: 'envelope', size: bytes.length } })
  const end = bytes.length - SIGNATURE_BYTES
  const signedPart = bytes.subarray(0, end)
  const value = decodeSignedPart(signedPart, end, L)
  const u = fromWire(value)
  // Canonical form: one message has exactly one wire form (and one id). toWire runs the full
  // schema and rebuilds the array a sender would encode; comparing it with the decoded array
  // is the same test as re-encoding and comparing bytes (and ~6 µs cheaper), because the
  // pre-scan admits only the one encoding of each value (see sameWireValue).
  if (!sameWireValue(toWire(u, L), value)) {
    throw new C5Error('ENVELOPE_NOT_CANONICAL', 'signed part is not in canonical form', { details: { field: 'signedPart' } })
  }
  // Our own copy, right after a copy of the domain tag: the signing payload (tag || signed
  // part) is then a view of the same memory, not one more copy per message.
  const tagged = new Uint8Array(DOMAIN_TAG.length + bytes.length)
  tagged.set(DOMAIN_TAG, 0)
  tagged.set(bytes, DOMAIN_TAG.length)
  const own = tagged.subarray(DOMAIN_TAG.length)
  // A caller that has just hashed these very bytes (ingest's duplicate check) hands over the
  // sha2-256 it computed (the envelope keeps that very array); nothing else may be passed.
  const digest = known?.digestOfBytes?.length === 32 ? known.digestOfBytes : envelopeDigest(own)
  // u is ours (fromWire built it): completed in place rather than copied.
  const env = u as Envelope
  env.id = idFromDigest(digest)
  env.digest = digest
  env.bytes = own
  env.signature = own.subarray(end)
  return env
}

/**
 * True when `env.signature` is a valid Ed25519 signature by `publicKey` over
 * DOMAIN_TAG || signedPart AND `publicKey` is the envelope's author (equal to a 32-byte
 * author, or hashing to an 8-byte key id). Never throws.
 */
export function verifyEnvelopeSignature (env: Pick<Envelope, 'bytes' | 'author'>, publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== AUTHOR_KEY_BYTES) return false
  if (!(env.bytes instanceof Uint8Array) || env.bytes.length <= SIGNATURE_BYTES || !(env.author instanceof Uint8Array)) return false
  const authorMatches = env.author.length === AUTHOR_KEY_BYTES ? bytesEqual(env.author, publicKey) : bytesEqual(env.author, keyId(publicKey))
  if (!authorMatches) return false
  return verify(publicKey, payloadOf(env.bytes), env.bytes.subarray(env.bytes.length - SIGNATURE_BYTES))
}
