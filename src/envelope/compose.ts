/**
 * composeEnvelope: the convenience most callers want (CLI `send`, API, CAP import, acks and
 * receipts from the node): fills version, author, created, expires and precedence, then signs.
 */
import { C5Error } from '../errors.js'
import { keyId, type KeyPair } from '../identity/keys.js'
import { signEnvelope } from './codec.js'
import type { EnvelopeLimits } from './limits.js'
import { derivePrecedence } from './precedence.js'
import { checkTextRules } from './text-rules.js'
import { ENVELOPE_VERSION, type Envelope, type Kind, type Precedence, type UnsignedEnvelope } from './types.js'

/** Default time-to-live when neither `ttlS` nor `expires` is given: 7 days. */
export const DEFAULT_TTL_S = 7 * 24 * 60 * 60

/** Precedence of kinds without CAP content (docs/protocol/envelope.md §"Precedence"). */
export const KIND_PRECEDENCE: Readonly<Record<Exclude<Kind, 'alert' | 'bulletin'>, Precedence>> = Object.freeze({
  roster: 'immediate', // trust changes must travel before what they authorise or revoke
  revocation: 'immediate',
  ack: 'priority', // the originator's delivery matrix waits on it
  receipt: 'routine',
  // A stolen-vehicle report must reach every hotlist within seconds, behind alerts of
  // immediate danger (docs/protocol/plates.md §"Precedence").
  vehicle: 'priority'
})

export type ComposeFields =
  Omit<UnsignedEnvelope, 'version' | 'author' | 'created' | 'expires' | 'precedence' | 'scope' | 'references'> & {
    precedence?: Precedence
    scope?: string[]
    references?: Uint8Array[]
    /** Time-to-live in whole seconds (default DEFAULT_TTL_S). */
    ttlS?: number
    /** Absolute expiry, ms since the epoch; must be created + whole seconds. Overrides ttlS. */
    expires?: number
  }

export interface ComposeOptions {
  /** ms since the epoch (the injected clock). */
  now: number
  /** 'keyId' (8 bytes, compact; the roster resolves it) or 'key' (32 bytes). Default 'keyId'. */
  authorForm?: 'keyId' | 'key'
  limits?: Partial<EnvelopeLimits>
}

export function defaultPrecedence (fields: Pick<UnsignedEnvelope, 'kind' | 'content'>): Precedence {
  if (fields.kind === 'alert' || fields.kind === 'bulletin') return derivePrecedence(fields.content?.urgency, fields.content?.severity)
  return KIND_PRECEDENCE[fields.kind] ?? 'routine'
}

export function composeEnvelope (fields: ComposeFields, keyPair: Pick<KeyPair, 'publicKey' | 'privateKey'>, options: ComposeOptions): Envelope {
  if (!Number.isSafeInteger(options.now) || options.now <= 0) {
    throw new C5Error('ENVELOPE_BAD_FIELD', 'now must be a positive integer (ms)', { details: { field: 'created' } })
  }
  const authorForm = options.authorForm ?? 'keyId'
  if (authorForm !== 'keyId' && authorForm !== 'key') {
    throw new C5Error('ENVELOPE_BAD_FIELD', "authorForm is 'keyId' or 'key'", { details: { field: 'author' } })
  }
  const { ttlS, expires, precedence, scope, references, ...rest } = fields
  const created = options.now
  const u: UnsignedEnvelope = {
    ...rest,
    version: ENVELOPE_VERSION,
    author: authorForm === 'key' ? Uint8Array.from(keyPair.publicKey) : keyId(keyPair.publicKey),
    created,
    expires: expires ?? created + (ttlS ?? DEFAULT_TTL_S) * 1000,
    precedence: precedence ?? defaultPrecedence(fields),
    scope: scope ?? [],
    references: references ?? []
  }
  checkTextRules(u)
  return signEnvelope(u, keyPair.privateKey, options.limits)
}
