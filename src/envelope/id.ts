/**
 * Envelope ids (docs/protocol/envelope.md §"Id"): digest = sha2-256 of the whole wire bytes
 * (signature included); the text id is that digest as a CIDv1 with the raw codec (0x55),
 * in base32 ("bafkrei…").
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { C5Error } from '../errors.js'
import { DIGEST_BYTES } from './constants.js'

export const RAW_CODEC = 0x55
export const SHA2_256_CODE = 0x12
/** Longest text id we accept: a base32 CIDv1 of a sha2-256 digest is 59 characters. */
const MAX_ID_CHARS = 128

export function envelopeDigest (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest())
}

export function idFromDigest (digest: Uint8Array): string {
  if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_BYTES) {
    throw new C5Error('ENVELOPE_BAD_FIELD', `a digest is ${DIGEST_BYTES} bytes`, { details: { field: 'digest' } })
  }
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, digest)).toString()
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
