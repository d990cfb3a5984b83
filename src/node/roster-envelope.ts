/**
 * A signed roster travels through the mesh inside a roster-kind envelope (docs/PROTOCOL.md
 * §3). Its authority is the k-of-n anchor signatures in the body, so the envelope's author
 * may be any key, given in full (the receiver may not have a roster to resolve a key id yet).
 */
import { C5Error } from '../errors.js'
import { KINDS } from '../envelope/types.js'
import { composeEnvelope, decodeEnvelope, DEFAULT_ENVELOPE_LIMITS, MAX_TTL_S, resolveLimits, type EnvelopeLimits } from '../envelope/index.js'
import type { Envelope } from '../envelope/types.js'
import type { KeyPair } from '../identity/index.js'

/** Org written on roster envelopes that a root or a node wraps (an agency-style code). */
export const ROSTER_ENVELOPE_ORG = 'ROSTER'

/**
 * A national roster (~145 bytes a member) does not fit the 64 KiB envelope limit, so
 * roster-kind envelopes get their own, sized to fit one sync frame (256 KiB): about 1,600
 * members. Ingest looks only at the kind byte before the larger limit applies.
 */
export const ROSTER_ENVELOPE_MAX_BYTES = 240 * 1024

export function rosterEnvelopeLimits (base: EnvelopeLimits = DEFAULT_ENVELOPE_LIMITS): EnvelopeLimits {
  return resolveLimits({ ...base, maxBytes: Math.max(base.maxBytes, ROSTER_ENVELOPE_MAX_BYTES), maxStringBytes: Math.max(base.maxStringBytes, ROSTER_ENVELOPE_MAX_BYTES) })
}

export function wrapRoster (signedRoster: Uint8Array, author: Pick<KeyPair, 'publicKey' | 'privateKey'>, now: number): Envelope {
  return composeEnvelope({ kind: 'roster', org: ROSTER_ENVELOPE_ORG, roster: signedRoster, ttlS: MAX_TTL_S }, author, { now, authorForm: 'key', limits: rosterEnvelopeLimits() })
}

const ROSTER_KIND_INDEX = KINDS.indexOf('roster')

/**
 * Whether bytes are a roster-kind envelope, from the first bytes without decoding: the
 * signed part is a CBOR array (0x88–0x8a) whose first two items are version 1 and the kind
 * index (both < 24: one byte each). Anything else is left for the decoder to judge.
 */
export function looksLikeRoster (bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] >= 0x88 && bytes[0] <= 0x8a && bytes[1] === 0x01 && bytes[2] === ROSTER_KIND_INDEX
}

/** decodeEnvelope with the roster-kind allowance; every other kind keeps `limits`. */
export function decodeAnyEnvelope (bytes: Uint8Array, limits: EnvelopeLimits = DEFAULT_ENVELOPE_LIMITS, known?: { digestOfBytes?: Uint8Array }): Envelope {
  if (!(bytes instanceof Uint8Array)) throw new C5Error('ENVELOPE_MALFORMED', 'an envelope is bytes')
  const env = decodeEnvelope(bytes, looksLikeRoster(bytes) ? rosterEnvelopeLimits(limits) : limits, known)
  if (env.kind !== 'roster' && env.bytes.length > limits.maxBytes) {
    throw new C5Error('ENVELOPE_TOO_LARGE', `envelope of ${env.bytes.length} bytes exceeds ${limits.maxBytes}`)
  }
  return env
}
