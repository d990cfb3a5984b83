/**
 * The revocation set: every revocation a node has seen, from roster versions and from
 * revocation envelopes, merged so that a revocation only ever tightens — a later roster that
 * forgets one does not undo it, and for one key the earliest effective time wins
 * (docs/protocol/roster.md §Revocation).
 */
import { C5Error } from '../errors.js'
import { toHex } from '../identity/index.js'
import type { Revocation } from '../envelope/types.js'
import { MAX_STATE_REVOCATIONS } from './constants.js'

export interface RevocationSet {
  /** Merges one revocation; returns true when it changed the set (new key or earlier time). */
  add: (rev: Revocation) => boolean
  /** Would `add` change the set? (no change made) */
  tightens: (rev: Revocation) => boolean
  /** The effective time for this key, or undefined when it is not revoked. */
  effective: (key: Uint8Array) => number | undefined
  /** True when a message created by `key` at time `at` is refused: at ≥ effective. */
  isRevoked: (key: Uint8Array, at: number) => boolean
  list: () => Revocation[]
  size: () => number
  /** How many of these revocations name keys not yet in the set (what `add` would have to make room for). */
  newKeys: (revs: Iterable<Revocation>) => number
}

/** Throws ROSTER_MALFORMED when adding `revs` would take the set past MAX_STATE_REVOCATIONS keys. */
export function checkRoom (set: RevocationSet, revs: Iterable<Revocation>): void {
  if (set.size() + set.newKeys(revs) > MAX_STATE_REVOCATIONS) {
    throw new C5Error('ROSTER_MALFORMED', `more than ${MAX_STATE_REVOCATIONS} revocations`, { details: { limit: MAX_STATE_REVOCATIONS } })
  }
}

export function createRevocationSet (initial: Iterable<Revocation> = []): RevocationSet {
  const byKey = new Map<string, Revocation>()

  function tightens (rev: Revocation): boolean {
    const old = byKey.get(toHex(rev.key))
    return old === undefined || rev.effective < old.effective
  }

  function add (rev: Revocation): boolean {
    if (!tightens(rev)) return false
    const k = toHex(rev.key)
    if (!byKey.has(k) && byKey.size >= MAX_STATE_REVOCATIONS) {
      throw new C5Error('ROSTER_MALFORMED', `more than ${MAX_STATE_REVOCATIONS} revocations`, { details: { limit: MAX_STATE_REVOCATIONS } })
    }
    byKey.set(k, { key: Uint8Array.from(rev.key), effective: rev.effective, ...(rev.reason === undefined ? {} : { reason: rev.reason }) })
    return true
  }

  function effective (key: Uint8Array): number | undefined {
    return byKey.size === 0 ? undefined : byKey.get(toHex(key))?.effective
  }

  for (const r of initial) add(r)

  return {
    add,
    tightens,
    effective,
    isRevoked: (key, at) => {
      const e = effective(key)
      return e !== undefined && at >= e
    },
    list: () => [...byKey.values()].map(r => ({ ...r, key: Uint8Array.from(r.key) })),
    size: () => byKey.size,
    newKeys: revs => {
      const seen = new Set<string>()
      for (const r of revs) {
        const k = toHex(r.key)
        if (!byKey.has(k)) seen.add(k)
      }
      return seen.size
    }
  }
}
