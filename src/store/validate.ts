/**
 * Input checks at the store's entry points. The store trusts neither callers nor disk:
 * arguments that would produce malformed keys are refused with STORE_INVALID_ARGUMENT.
 */
import { createHash } from 'node:crypto'
import { C5Error } from '../errors.js'
import { digestFromId } from '../envelope/id.js'
import { KINDS, PRECEDENCES } from '../envelope/types.js'
import type { Envelope } from '../envelope/types.js'
import { DIGEST_BYTES } from './constants.js'
import type { PutMeta } from './types.js'

function bad (message: string, cause?: unknown): C5Error {
  return new C5Error('STORE_INVALID_ARGUMENT', message, cause === undefined ? {} : { cause })
}

const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isDigest = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.length === DIGEST_BYTES

export function checkDigest (digest: unknown): Uint8Array {
  if (!isDigest(digest)) throw bad(`a digest is ${DIGEST_BYTES} bytes`)
  return digest
}

/** A CID text id ("bafkrei…"), a 64-character hex digest, or a 32-byte digest. */
export function toDigest (idOrDigest: unknown): Uint8Array {
  if (idOrDigest instanceof Uint8Array) return checkDigest(idOrDigest)
  if (typeof idOrDigest !== 'string') throw bad('expected an id (CID text), a hex digest or 32 bytes')
  if (/^[0-9a-f]{64}$/.test(idOrDigest)) return new Uint8Array(Buffer.from(idOrDigest, 'hex'))
  try {
    return digestFromId(idOrDigest)
  } catch (cause) {
    throw bad('not an envelope id', cause)
  }
}

/** The fields the store turns into keys must be well-formed (the codec checks the rest). */
export function checkEnvelope (env: Envelope, digestChecked = false): void {
  if (typeof env !== 'object' || env === null) throw bad('envelope must be an object')
  if (!isDigest(env.digest)) throw bad('envelope digest must be 32 bytes')
  if (!(env.bytes instanceof Uint8Array) || env.bytes.length === 0) throw bad('envelope bytes missing')
  // A record whose bytes do not hash to its key would read back as STORE_CORRUPT: refuse it now.
  if (!digestChecked && !createHash('sha256').update(env.bytes).digest().equals(env.digest)) throw bad('envelope digest is not the sha2-256 of its bytes')
  if (!KINDS.includes(env.kind)) throw bad('envelope kind unknown')
  if (!PRECEDENCES.includes(env.precedence)) throw bad('envelope precedence unknown')
  if (typeof env.org !== 'string' || env.org.length === 0 || env.org.length > 64) throw bad('envelope org invalid')
  if (!(env.author instanceof Uint8Array) || env.author.length === 0 || env.author.length > 64) throw bad('envelope author invalid')
  if (!isTime(env.created) || !isTime(env.expires)) throw bad('envelope created/expires must be non-negative integers (ms)')
  if (!Array.isArray(env.references) || !env.references.every(isDigest)) throw bad('envelope references must be 32-byte digests')
}

export function checkPutMeta (meta: PutMeta): void {
  if (typeof meta !== 'object' || meta === null) throw bad('put meta must be an object')
  if (!isTime(meta.received)) throw bad('received must be a non-negative integer (ms)')
  if (typeof meta.source !== 'string') throw bad('source must be a string')
}
