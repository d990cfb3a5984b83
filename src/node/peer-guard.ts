/**
 * What a node remembers about each peer key across sessions (docs/PROTOCOL.md §7 "Bans,
 * scores and per-key budgets"). A session's own limits reset when the peer opens a new
 * one — a peer could open 41 sessions a second and start every budget afresh — so
 * everything that must bound a peer lives here, keyed by its node key:
 *
 * - a **score**: points for every refused message that is evidence against the peer and
 *   for every protocol violation that ended a session, halving every SCORE_HALF_LIFE_MS (an
 *   honest peer's rare faults fade); at BAN_THRESHOLD the peer is banned;
 * - **bans**, for BAN_DURATION_MS, persisted in the store's meta book so a restart does not
 *   lift them, and reported once;
 * - a **session-open rate**: SESSION_OPENS_BURST opens, then one per SESSION_OPEN_INTERVAL_MS;
 * - **shared budgets** handed to every session of the key: the receive rate, the rounds
 *   the peer may start, the reconciliation bytes we send it.
 *
 * Pure bookkeeping on an injected clock; the peering layer acts on its answers.
 */
import { TokenBucket } from '../sync/budget.js'
import { PEER_ROUND_BURST, MIN_ROUND_INTERVAL_MS, RECEIVE_BURST_MESSAGES, RECEIVE_MESSAGES_PER_S } from '../sync/constants.js'
import type { SessionBudgets } from '../sync/session-types.js'
import type { MetaBook, MetaValue } from '../store/types.js'

/** Points at which a peer is banned (a session's own threshold is the same). */
export const BAN_THRESHOLD = 10
/** How long a ban lasts. */
export const BAN_DURATION_MS = 10 * 60_000
/** A peer's score halves this often. */
export const SCORE_HALF_LIFE_MS = 60 * 60_000
/** Points for a refused message that is evidence against the peer (sync.md §4.7). */
export const POINTS_PER_FAULT = 1
/**
 * Points for a protocol violation that ended a session (a malformed or unexpected frame, a
 * broken limit): two within about half an hour (the score halves hourly) ban the peer.
 */
export const POINTS_PER_VIOLATION = 6
/** Session codes that are the peer's protocol violations when we ended the session with them. */
export const VIOLATION_CODES: ReadonlySet<string> = new Set(['SYNC_MALFORMED', 'SYNC_BAD_VERSION', 'SYNC_UNEXPECTED', 'SYNC_LIMIT_EXCEEDED', 'LINK_FRAME_TOO_LARGE'])
/** Sessions a key may open at once, then one per SESSION_OPEN_INTERVAL_MS. */
export const SESSION_OPENS_BURST = 6
export const SESSION_OPEN_INTERVAL_MS = 10_000
/**
 * Reconciliation bytes we send one key, and that it sends us (each way its own bucket): a
 * burst that holds a LIST of a large store (an honest catch-up needs one), refilled slowly,
 * so a peer claiming huge differences, or sending huge lists, round after round gets one
 * large exchange, not one a second.
 */
export const RECON_BYTES_BURST = 16 * 1024 * 1024
export const RECON_BYTES_PER_S = 32 * 1024
/** The meta record that keeps bans across restarts. */
export const META_BANS = 'peer.bans'

export interface Ban { until: number, code: string }

export interface PeerGuard {
  isBanned: (keyHex: string) => boolean
  /** Adds points; returns the ban when this crossed the threshold (it is then recorded). */
  penalise: (keyHex: string, points: number, code: string) => Ban | undefined
  /** Bans now (e.g. a session's own threshold); returns the ban, or undefined if one was already in force. */
  ban: (keyHex: string, code: string) => Ban | undefined
  /** Whether the key may open another session now (takes one open from its budget). */
  mayOpenSession: (keyHex: string) => boolean
  /** The budgets every session of this key shares. */
  budgetsFor: (keyHex: string) => SessionBudgets
  score: (keyHex: string) => number
  bans: () => Array<{ key: string } & Ban>
  /** Loads the bans persisted in the meta book (call once at start). */
  restore: () => Promise<void>
  /** Resolves when the last change to the bans is written. */
  saved: () => Promise<void>
}

export interface PeerGuardOptions {
  now: () => number
  /** Where bans persist (the store's meta book); absent: in memory only. */
  meta?: MetaBook
  banMs?: number
  receiveMessagesPerS?: number
  receiveBurstMessages?: number
  onError?: (err: unknown) => void
}

interface KeyState { score: number, at: number, opens: TokenBucket, budgets?: SessionBudgets }

export function createPeerGuard (options: PeerGuardOptions): PeerGuard {
  const { now } = options
  const banMs = options.banMs ?? BAN_DURATION_MS
  const keys = new Map<string, KeyState>()
  const banned = new Map<string, Ban>()

  async function restore (): Promise<void> {
    const loaded = await options.meta?.get(META_BANS).catch(() => undefined)
    if (loaded === undefined || loaded === null || typeof loaded !== 'object' || Array.isArray(loaded) || loaded instanceof Uint8Array) return
    for (const [k, v] of Object.entries(loaded)) {
      const b = v as { until?: unknown, code?: unknown }
      // A record that is not what we wrote is ignored, never trusted: a ban is only ever lost.
      if (typeof b?.until === 'number' && b.until > now() && /^[0-9a-f]{64}$/.test(k)) banned.set(k, { until: b.until, code: typeof b.code === 'string' ? b.code : 'SYNC_PEER_BANNED' })
    }
  }

  let writing: Promise<void> = Promise.resolve()
  function persist (): void {
    const meta = options.meta
    if (meta === undefined) return
    const t = now()
    const value: Record<string, MetaValue> = {}
    for (const [k, b] of banned) if (b.until > t) value[k] = { until: b.until, code: b.code }
    // Writes in order, so the last one holds the latest set.
    writing = writing.then(async () => { await meta.put(META_BANS, value, { sync: true }) }).catch(err => { options.onError?.(err) })
  }

  function state (keyHex: string): KeyState {
    let s = keys.get(keyHex)
    if (s === undefined) {
      s = { score: 0, at: now(), opens: new TokenBucket({ ratePerS: 1000 / SESSION_OPEN_INTERVAL_MS, burst: SESSION_OPENS_BURST, now }) }
      keys.set(keyHex, s)
    }
    return s
  }

  function decayed (s: KeyState): number {
    const t = now()
    s.score *= 2 ** (-Math.max(0, t - s.at) / SCORE_HALF_LIFE_MS)
    s.at = t
    return s.score
  }

  function isBanned (keyHex: string): boolean {
    const b = banned.get(keyHex)
    if (b === undefined) return false
    if (b.until > now()) return true
    banned.delete(keyHex)
    persist()
    return false
  }

  function ban (keyHex: string, code: string): Ban | undefined {
    if (isBanned(keyHex)) return undefined
    const b = { until: now() + banMs, code }
    banned.set(keyHex, b)
    const s = state(keyHex)
    s.score = 0 // a fresh start once the ban is over
    persist()
    return b
  }

  return {
    isBanned,
    ban,
    penalise (keyHex, points, code) {
      const s = state(keyHex)
      if (decayed(s) + points < BAN_THRESHOLD) { s.score += points; return undefined }
      return ban(keyHex, code)
    },
    mayOpenSession (keyHex) {
      const b = state(keyHex).opens
      if (b.delayFor(1) > 0) return false
      b.take(1)
      return true
    },
    budgetsFor (keyHex) {
      const s = state(keyHex)
      s.budgets ??= {
        receive: new TokenBucket({ ratePerS: options.receiveMessagesPerS ?? RECEIVE_MESSAGES_PER_S, burst: options.receiveBurstMessages ?? RECEIVE_BURST_MESSAGES, now }),
        peerRounds: new TokenBucket({ ratePerS: 1000 / MIN_ROUND_INTERVAL_MS, burst: PEER_ROUND_BURST, now }),
        reconBytes: new TokenBucket({ ratePerS: RECON_BYTES_PER_S, burst: RECON_BYTES_BURST, now }),
        reconBytesIn: new TokenBucket({ ratePerS: RECON_BYTES_PER_S, burst: RECON_BYTES_BURST, now })
      }
      return s.budgets
    },
    score: keyHex => { const s = keys.get(keyHex); return s === undefined ? 0 : decayed(s) },
    bans: () => { const t = now(); return [...banned].filter(([, b]) => b.until > t).map(([key, b]) => ({ key, ...b })) },
    restore,
    saved: async () => { await writing }
  }
}
