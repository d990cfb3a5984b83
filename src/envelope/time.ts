/**
 * Time checks, separate from decoding because they depend on the receiver's clock
 * (docs/protocol/envelope.md §"Time"). `now` is always injected.
 */
import { C5Error } from '../errors.js'
import { MAX_CLOCK_SKEW_MS } from './constants.js'
import type { UnsignedEnvelope } from './types.js'

export interface TimeCheckOptions {
  /** How far in the future `created` may be (the sender's clock runs ahead). Default 10 min. */
  skewMs?: number
}

/** Throws ENVELOPE_EXPIRED when now ≥ expires, ENVELOPE_FROM_FUTURE when created > now + skew. */
export function checkTimes (env: Pick<UnsignedEnvelope, 'created' | 'expires'>, now: number, options: TimeCheckOptions = {}): void {
  const skewMs = options.skewMs ?? MAX_CLOCK_SKEW_MS
  if (env.created > now + skewMs) {
    throw new C5Error('ENVELOPE_FROM_FUTURE', 'created too far in the future', { details: { field: 'created', created: env.created, now, skewMs } })
  }
  if (now >= env.expires) {
    throw new C5Error('ENVELOPE_EXPIRED', 'envelope expired', { details: { field: 'expires', expires: env.expires, now } })
  }
}
