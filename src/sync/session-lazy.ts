/**
 * Lazy push (docs/protocol/sync.md §4.9), after Plumtree (Leitão et al., "Epidemic Broadcast
 * Trees", 2007). Flooding sends every message over every link: on the 32-state topology
 * ~105 copies per alert where 31 would reach everyone. Each session starts by pushing
 * eagerly; a peer that receives a duplicate answers PRUNE, and from then on we only ANNOUNCE
 * new ids to it (IHAVE, batched). With many sources a link that loses the race for one
 * source may win it for another, so a link is pruned only after PRUNE_AFTER_DUPLICATES
 * duplicates in a row with no first delivery between them: only links that never win are
 * pruned, and the eager links left still carry every source's messages first. A peer that
 * hears of an id by IHAVE and has not received it LAZY_WANT_DELAY_MS later asks for it
 * (WANT) and re-grafts the link (GRAFT), repairing a broken tree. Flash messages are always
 * pushed eagerly on every link: for them speed beats bytes. Reconciliation still runs on
 * every (re)connect and periodically, so lazy push can delay a message, never lose it.
 */
import { idKey } from './bounded-set.js'
import { FEATURE_LAZY_PUSH, IHAVE_FLUSH_MS, LAZY_WANT_DELAY_MS, MAX_LAZY_PENDING, PRUNE_AFTER_DUPLICATES } from './constants.js'
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
}

export function createLazyState (): LazyState {
  return { eagerToPeer: true, prunedPeer: false, duplicateStreak: 0, announce: [], flushScheduled: false, pending: new Map() }
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
    ctx.schedule(IHAVE_FLUSH_MS, () => { flushAnnounce(ctx) })
  }
  return true
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
  if (result.ok) { ctx.lazy.duplicateStreak = 0; return }
  if (!lazyNegotiated(ctx) || result.code !== 'INGEST_DUPLICATE' || ctx.lazy.prunedPeer) return
  if (++ctx.lazy.duplicateStreak < PRUNE_AFTER_DUPLICATES) return
  ctx.lazy.prunedPeer = true
  ctx.lazy.duplicateStreak = 0
  queueControl(ctx, { type: 'prune' })
}

export async function onIhave (ctx: Ctx, f: IhaveFrame): Promise<void> {
  const now = ctx.components.clock.now()
  for (const id of f.ids) {
    const key = idKey(id)
    ctx.peerHas.set(key, { via: 'received', at: now }) // it holds it: never push it back
    if (ctx.lazy.pending.has(key) || ctx.lazy.pending.size >= MAX_LAZY_PENDING) continue
    // In memory when the node can (an IHAVE must not hold the reader for a disk read); a
    // tombstoned id is found out when the timer fires (wantMissing checks status).
    const holds = ctx.components.holds
    if (holds !== undefined ? holds(id) : await ctx.components.status(id) !== undefined) continue
    ctx.lazy.pending.set(key, ctx.schedule(LAZY_WANT_DELAY_MS, () => { void wantMissing(ctx, key, id) }))
  }
}

/** The eager path did not bring it in time: ask this peer, and make the link eager again. */
async function wantMissing (ctx: Ctx, key: string, id: Uint8Array): Promise<void> {
  ctx.lazy.pending.delete(key)
  // Arrived meanwhile by another path, even if its ingest (verify, write) is still under way.
  if (!isLive(ctx) || ctx.components.holds?.(id) === true || await ctx.components.status(id) !== undefined) return
  ctx.peerHas.delete(key) // so our own rounds do not count on it either way
  if (ctx.lazy.prunedPeer) {
    ctx.lazy.prunedPeer = false
    queueControl(ctx, { type: 'graft' })
  }
  queueControl(ctx, { type: 'want', ids: [id] })
}

export function onPrune (ctx: Ctx, _f: PruneFrame): void {
  if (lazyNegotiated(ctx)) ctx.lazy.eagerToPeer = false
}

export function onGraft (ctx: Ctx, _f: GraftFrame): void {
  ctx.lazy.eagerToPeer = true
}
