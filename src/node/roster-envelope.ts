/**
 * A signed roster travels through the mesh inside a roster-kind envelope (docs/PROTOCOL.md
 * §3). Its authority is the k-of-n anchor signatures in the body, so the envelope's author
 * may be any key, given in full (the receiver may not have a roster to resolve a key id yet).
 */
import { composeEnvelope, MAX_TTL_S } from '../envelope/index.js'
import type { Envelope } from '../envelope/types.js'
import type { KeyPair } from '../identity/index.js'

/** Org written on roster envelopes that a root or a node wraps (an agency-style code). */
export const ROSTER_ENVELOPE_ORG = 'ROSTER'

export function wrapRoster (signedRoster: Uint8Array, author: Pick<KeyPair, 'publicKey' | 'privateKey'>, now: number): Envelope {
  return composeEnvelope({ kind: 'roster', org: ROSTER_ENVELOPE_ORG, roster: signedRoster, ttlS: MAX_TTL_S }, author, { now, authorForm: 'key' })
}
