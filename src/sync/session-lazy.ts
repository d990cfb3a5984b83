/**
 * Lazy push (docs/protocol/sync.md §4.9), after Plumtree (Leitão et al., "Epidemic Broadcast
 * Trees", 2007). Flooding sends every message over every link: on the 32-state topology
 * ~105 copies per alert where 31 would reach everyone. Each session starts by pushing
 * eagerly; a peer that receives duplicates answers PRUNE, and from then on the link is lazy
 * BOTH ways: each side only ANNOUNCES new ids to the other (IHAVE, batched). As in Plumtree,
 * pruning both ways keeps the eager links one connected graph (a duplicate shows a cycle;
 * dropping one of its links disconnects nothing), so it converges to a spanning tree that
 * carries every source's messages; pruning one way only left each node its own choice of
 * in-links, and the union often missed some source (~30% of alerts needed a repair). With
 * many sources a link that loses the race for one source may win it for another, so a link
 * is pruned only after PRUNE_AFTER_DUPLICATES duplicates in a row with no first delivery
 * between them. A peer that hears of an id by IHAVE and has not received it after a wait
 * (LAZY_WANT_DELAY_MS, longer under load and after premature asks) asks for it (WANT); if
 * the answer is the first copy, the tree was broken and it re-grafts the link (GRAFT, eager
 * both ways again); if it is a duplicate, the eager copy was only late. Flash messages are always
 * pushed eagerly on every link: for them speed beats bytes. Reconciliation still runs on
 * every (re)connect and periodically, so lazy push can delay a message, never lose it.
 */
import { BoundedIdMap, idKey } from './bounded-set.js'
import { FEATURE_LAZY_PUSH, LAZY_WANT_BACKOFF_HALF_LIFE_MS, IHAVE_FLUSH_HOPS, IHAVE_FLUSH_MIN_MS, IHAVE_FLUSH_MS, LAZY_WANT_DELAY_MS, LAZY_WANT_HOPS, LAZY_WANT_MAX_BACKOFF, LAZY_WANT_MAX_DELAY_MS, MAX_LAZY_PENDING, PRUNE_AFTER_DUPLICATES } from './constants.js'
import type { GraftFrame, IhaveFrame, PruneFrame } from './frames.js'
import { isLive, queueControl, type Ctx } from './session-context.js'
import type { IngestResult } from '../node/types.js'
import type { Precedence } from '../envelope/types.js'

export interface LazyState {
  /** Whether we push MSGs to the peer (false after its PRUNE, true again after its GRAFT). */
  eagerToPeer: boolean
  /** Whether we asked the peer to stop pushing to us (so one PRUNE per prune). */
  prunedPeer: boolean
  /** Duplicates received from the peer since its last first delivery. */
  duplicateStreak: number
  /** Ids waiting to leave in the next IHAVE. */
  announce: Uint8Array[]
  flushScheduled: boolean
  /** Ids the peer announced that we lack: key → cancel of the WANT timer. */
  pending: Map<string, () => void>
  /** Ids asked for after their wait ran out, until their MSG comes (oldest forgotten first). */
  wanted: BoundedIdMap<true>
  /**
   * Multiplies the wait before asking (1 … LAZY_WANT_MAX_BACKOFF): doubled when a WANT's
   * answer comes as a duplicate (the eager copy was merely late: the wait was too short),
   * halved when it brings the first copy (the wait was needed); between changes it decays
   * toward 1 with half-life LAZY_WANT_BACKOFF_HALF_LIFE_MS (see currentBackoff).
   */
  backoff: number
  /** When `backoff` was last set (clock ms). */
  backoffAt: number
}

export function createLazyState (): LazyState {
  return { eagerToPeer: true, prunedPeer: false, duplicateStreak: 0, announce: [], flushScheduled: false, pending: new Map(), wanted: new BoundedIdMap(MAX_LAZY_PENDING), backoff: 1, backoffAt: 0 }
}

/** Both sides announced lazy push in their HELLO. */
export function lazyNegotiated (ctx: Ctx): boolean {
  return ctx.options.lazyPush && ctx.peer !== undefined && (ctx.peer.features & FEATURE_LAZY_PUSH) !== 0
}

/**
 * For a push: true when the message is only announced (IHAVE) to this peer; false when the
 * caller should push it as a MSG.
 */
export function announceInstead (ctx: Ctx, id: Uint8Array, precedence: Precedence): boolean {
  if (!lazyNegotiated(ctx) || ctx.lazy.eagerToPeer || precedence === 'flash') return false
  if (ctx.peerHas.get(idKey(id)) !== undefined) return true // it has it: nothing to say
  ctx.lazy.announce.push(id)
  if (ctx.lazy.announce.length >= ctx.limits.maxWantIds) flushAnnounce(ctx)
  else if (!ctx.lazy.flushScheduled) {
    ctx.lazy.flushScheduled = true
    ctx.schedule(ihaveFlushMs(ctx), () => { flushAnnounce(ctx) })
  }
  return true
}

/** The IHAVE window (§4.10): IHAVE_FLUSH_MS, or shorter on a node that ingests quickly. */
export function ihaveFlushMs (ctx: Ctx): number {
  const ingestMs = ctx.components.ingestMs?.()
  if (ingestMs === undefined) return IHAVE_FLUSH_MS
  return Math.min(IHAVE_FLUSH_MS, Math.max(IHAVE_FLUSH_MIN_MS, IHAVE_FLUSH_HOPS * ingestMs))
}

function flushAnnounce (ctx: Ctx): void {
  ctx.lazy.flushScheduled = false
  // Ids the peer came to hold while they waited (it pushed or announced them to us) are
  // not announced: often none is left, and no frame leaves at all.
  const ids = ctx.lazy.announce.filter(id => ctx.peerHas.get(idKey(id)) === undefined)
  ctx.lazy.announce = []
  if (ids.length > 0 && isLive(ctx)) queueControl(ctx, { type: 'ihave', ids })
}

/** After ingesting a MSG from the peer: stop its timer; a duplicate prunes the link. */
export function noteReceived (ctx: Ctx, id: Uint8Array, result: IngestResult): void {
  const key = idKey(id)
  ctx.lazy.pending.get(key)?.()
  ctx.lazy.pending.delete(key)
  if (ctx.lazy.wanted.has(key)) {
    ctx.lazy.wanted.delete(key)
    if (result.ok) {
      // The eager paths really missed it: the wait was needed, and this link goes back into
      // the tree (eager both ways).
      setBackoff(ctx, currentBackoff(ctx) / 2)
      if (ctx.lazy.prunedPeer) {
        ctx.lazy.prunedPeer = false
        ctx.lazy.eagerToPeer = true
        queueControl(ctx, { type: 'graft' })
      }
    } else if (result.code === 'INGEST_DUPLICATE') {
      // The eager copy was only late: wait longer next time, and keep the link lazy.
      setBackoff(ctx, currentBackoff(ctx) * 2)
    }
  }
  if (result.ok) { ctx.lazy.duplicateStreak = 0; return }
  if (!lazyNegotiated(ctx) || result.code !== 'INGEST_DUPLICATE' || ctx.lazy.prunedPeer) return
  if (++ctx.lazy.duplicateStreak < PRUNE_AFTER_DUPLICATES) return
  ctx.lazy.prunedPeer = true
  ctx.lazy.eagerToPeer = false // the link is lazy both ways (symmetric, as in Plumtree)
  ctx.lazy.duplicateStreak = 0
  queueControl(ctx, { type: 'prune' })
}

/**
 * The backoff now: it halves every LAZY_WANT_BACKOFF_HALF_LIFE_MS since it was last set, so
 * the late copies of a burst do not slow the repairs of the quiet hours after it.
 */
function currentBackoff (ctx: Ctx): number {
  const { backoff, backoffAt } = ctx.lazy
  if (backoff <= 1) return 1
  const elapsed = Math.max(0, ctx.components.clock.now() - backoffAt)
  return Math.max(1, backoff * 2 ** (-elapsed / LAZY_WANT_BACKOFF_HALF_LIFE_MS))
}

function setBackoff (ctx: Ctx, value: number): void {
  ctx.lazy.backoff = Math.min(LAZY_WANT_MAX_BACKOFF, Math.max(1, value))
  ctx.lazy.backoffAt = ctx.components.clock.now()
}

/** How long to wait for the eager copy of an announced id before asking for it (§4.10). */
export function lazyWantDelayMs (ctx: Ctx): number {
  const ingestMs = ctx.components.ingestMs?.() ?? 0
  const base = Math.max(LAZY_WANT_DELAY_MS, LAZY_WANT_HOPS * ingestMs)
  return Math.min(LAZY_WANT_MAX_DELAY_MS, base * currentBackoff(ctx))
}

export async function onIhave (ctx: Ctx, f: IhaveFrame): Promise<void> {
  const now = ctx.components.clock.now()
  const delayMs = lazyWantDelayMs(ctx)
  for (const id of f.ids) {
    const key = idKey(id)
    ctx.peerHas.set(key, { via: 'received', at: now }) // it holds it: never push it back
    if (ctx.lazy.pending.has(key) || ctx.lazy.pending.size >= MAX_LAZY_PENDING) continue
    // In memory when the node can (an IHAVE must not hold the reader for a disk read); a
    // tombstoned id is found out when the timer fires (wantMissing checks status).
    const holds = ctx.components.holds
    if (holds !== undefined ? holds(id) : await ctx.components.status(id) !== undefined) continue
    ctx.lazy.pending.set(key, ctx.schedule(delayMs, () => { void wantMissing(ctx, key, id) }))
  }
}

/** The eager path did not bring it in time: ask this peer, and make the link eager again. */
async function wantMissing (ctx: Ctx, key: string, id: Uint8Array): Promise<void> {
  ctx.lazy.pending.delete(key)
  // Arrived meanwhile by another path, even if its ingest (verify, write) is still under way.
  if (!isLive(ctx) || ctx.components.holds?.(id) === true || await ctx.components.status(id) !== undefined) return
  ctx.peerHas.delete(key) // so our own rounds do not count on it either way
  // GRAFT waits for the answer: only a WANT that brings the first copy re-grafts the link
  // (under load most misses are merely late, and re-grafting on each fed the load).
  queueControl(ctx, { type: 'want', ids: [id] })
  ctx.lazy.wanted.set(key, true)
}

export function onPrune (ctx: Ctx, _f: PruneFrame): void {
  if (!lazyNegotiated(ctx)) return
  // Lazy both ways: the peer announces to us too, and a miss on our side re-grafts.
  ctx.lazy.eagerToPeer = false
  ctx.lazy.prunedPeer = true
  ctx.lazy.duplicateStreak = 0
}

export function onGraft (ctx: Ctx, _f: GraftFrame): void {
  ctx.lazy.eagerToPeer = true
  ctx.lazy.prunedPeer = false
}
