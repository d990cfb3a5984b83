/**
 * Quotas: their defaults and the pure rules every node applies alike (docs/protocol/
 * roster.md §Quotas). They depend only on signed content — author, org, created, kind,
 * precedence, lifetime, size — and on the roster, never on arrival order:
 *
 * - **Lifetime**: `expires − created` at most the limit for the kind and precedence.
 * - **Rate**: messages are counted per author key and per org in windows of `created`
 *   time (windows start at multiples of windowMs). Within a window, messages are taken in
 *   (created, id) order; a message is admissible when it and those before it stay within
 *   the window's message and byte limits. So the admissible ones are a prefix, the same on
 *   every node once it holds the same messages: a node that learns of an earlier message
 *   evicts the last one that no longer fits.
 */
import type { Kind, Precedence } from '../envelope/types.js'
import type { Quotas, RateQuota } from './types.js'

export const DEFAULT_QUOTA_WINDOW_MS = 60 * 60_000
/**
 * Per author key per hour: above a node's receipts in a crisis (one batch per precedence
 * every 2 s: 3,600 an hour for two precedences) and an LPR system's hit alerts; an insider
 * flood (54,100 bulletins in 45 s, issue 13) stops at this.
 */
export const DEFAULT_AUTHOR_QUOTA: Readonly<RateQuota> = Object.freeze({ messages: 10_000, bytes: 64 * 1024 * 1024 })
/** Per org per hour (several operators and the node together). */
export const DEFAULT_ORG_QUOTA: Readonly<RateQuota> = Object.freeze({ messages: 30_000, bytes: 256 * 1024 * 1024 })
const DAY_MS = 24 * 60 * 60_000
/**
 * Longest lifetimes by default. Alerts are not limited beyond the envelope's own 400 days:
 * a stolen-vehicle report stays active until the vehicle is recovered.
 */
export const DEFAULT_MAX_LIFETIME_MS: Readonly<Partial<Record<Kind, number>>> = Object.freeze({
  bulletin: 30 * DAY_MS, ack: 30 * DAY_MS, receipt: 30 * DAY_MS
})
/** Authority envelopes are never counted or limited by quotas. */
export const UNQUOTED_KINDS: ReadonlySet<Kind> = new Set(['roster', 'revocation'])

export interface ResolvedQuotas {
  windowMs: number
  perAuthor: RateQuota
  perOrg: RateQuota
  /** The longest lifetime for this kind and precedence, ms; undefined: no quota limit. */
  maxLifetimeMs: (kind: Kind, precedence: Precedence) => number | undefined
}

export function resolveQuotas (q: Quotas | undefined): ResolvedQuotas {
  const life = q?.maxLifetimeMs
  return {
    windowMs: q?.windowMs ?? DEFAULT_QUOTA_WINDOW_MS,
    perAuthor: q?.perAuthor ?? DEFAULT_AUTHOR_QUOTA,
    perOrg: q?.perOrg ?? DEFAULT_ORG_QUOTA,
    maxLifetimeMs: (kind, precedence) => {
      if (UNQUOTED_KINDS.has(kind)) return undefined
      const set = life?.[kind]
      // A kind the roster names is limited as it says (a precedence it omits: no limit).
      if (set !== undefined) return set[precedence]
      return DEFAULT_MAX_LIFETIME_MS[kind]
    }
  }
}

/** The window a `created` time falls in (its start, ms). */
export function windowOf (created: number, windowMs: number): number {
  return created - (created % windowMs)
}

export interface WindowEntry { created: number, key: string, bytes: number }

/** (created, id) order: the order in which a window's messages are admitted. */
export function entryBefore (a: WindowEntry, b: WindowEntry): boolean {
  return a.created !== b.created ? a.created < b.created : a.key < b.key
}

/**
 * How many of a window's entries (sorted by entryBefore) are admissible: the longest
 * prefix within both limits.
 */
export function admissiblePrefix (entries: readonly WindowEntry[], limit: RateQuota): number {
  let bytes = 0
  for (let i = 0; i < entries.length; i++) {
    bytes += entries[i].bytes
    if (i + 1 > limit.messages || bytes > limit.bytes) return i
  }
  return entries.length
}
