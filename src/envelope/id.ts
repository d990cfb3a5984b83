/**
 * Envelope ids (docs/protocol/envelope.md §"Id"): digest = sha2-256 of the whole wire bytes
 * (signature included); the text id is that digest as a CIDv1 with the raw codec (0x55),
 * in base32 ("bafkrei…").
 */
import { hash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import { C5Error } from '../errors.js'
import { DIGEST_BYTES } from './constants.js'

export const RAW_CODEC = 0x55
export const SHA2_256_CODE = 0x12
/** Longest text id we accept: a base32 CIDv1 of a sha2-256 digest is 59 characters. */
const MAX_ID_CHARS = 128

export function envelopeDigest (bytes: Uint8Array): Uint8Array {
  // One-shot crypto.hash: no Hash object per message (~0.5 µs less than createHash).
  return new Uint8Array(hash('sha256', bytes, 'buffer'))
}

/** CIDv1 header: version 1, codec raw, multihash sha2-256, digest length 32 (all 1-byte varints). */
const CID_PREFIX = Uint8Array.from([0x01, RAW_CODEC, SHA2_256_CODE, DIGEST_BYTES])
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const BASE32_CODES = Uint8Array.from(BASE32_ALPHABET, c => c.charCodeAt(0))

/**
 * RFC 4648 base32, lower case, no padding: the multibase 'b' encoding. Hand-written because
 * ids are computed on every decode (ingest hot path) and this is ~10× faster than going
 * through CID objects; a test checks it against multiformats' CID.toString().
 */
function base32 (bytes: Uint8Array): string {
  // Into a byte buffer, then one latin1 string: concatenating 59 one-character strings was
  // the largest allocation on the ingest path.
  const out = Buffer.allocUnsafe(Math.ceil(bytes.length * 8 / 5))
  let n = 0
  let buffer = 0
  let bits = 0
  for (const b of bytes) {
    buffer = (buffer << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[n++] = BASE32_CODES[(buffer >>> bits) & 31]
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) out[n++] = BASE32_CODES[(buffer << (5 - bits)) & 31]
  return out.toString('latin1', 0, n)
}

export function idFromDigest (digest: Uint8Array): string {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_BYTES) {
    throw new C5Error('ENVELOPE_BAD_FIELD', `a digest is ${DIGEST_BYTES} bytes`, { details: { field: 'digest' } })
  }
  const bytes = new Uint8Array(CID_PREFIX.length + DIGEST_BYTES)
  bytes.set(CID_PREFIX, 0)
  bytes.set(digest, CID_PREFIX.length)
  return 'b' + base32(bytes)
}

/** The 32-byte digest inside a text id; ENVELOPE_BAD_FIELD for anything but a raw sha2-256 CIDv1. */
export function digestFromId (text: string): Uint8Array {
  const bad = (cause?: unknown): never => { throw new C5Error('ENVELOPE_BAD_FIELD', 'not an envelope id (CIDv1, raw, sha2-256)', { cause, details: { field: 'id' } }) }
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ID_CHARS) bad()
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (cause) {
    return bad(cause)
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== SHA2_256_CODE || cid.multihash.digest.length !== DIGEST_BYTES) bad()
  // Only the canonical spelling: one id, one string (ids are store and API keys).
  if (cid.toString() !== text) bad()
  return new Uint8Array(cid.multihash.digest)
}
