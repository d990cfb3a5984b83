/**
 * The send side of a session: the send loop (priority queue → bandwidth budget → link),
 * roster-first, and queuing messages for push and transfer (docs/protocol/sync.md
 * §4.6 "Priority", §4.7 "Budget…", §4.1 (roster first)).
 */
import { createHash } from 'node:crypto'
import { C5Error, isC5Error } from '../errors.js'
import { PRECEDENCES, precedenceRank, type Precedence } from '../envelope/types.js'
import type { BacklogEntry } from './offer-backlog.js'
import { encodeFrame } from './frames.js'
import { idKey } from './bounded-set.js'
import type { QueuedMessage } from './queue.js'
import { isLive, queueControl, type Ctx } from './session-context.js'
import { asC5, startRound } from './session-rounds.js'
import { PUSH_INLINE_MAX_QUEUED, PUSH_INLINE_URGENT_MAX_BYTES, RESEND_AFTER_MS } from './constants.js'
import { mayTransmit, noteTransmitted } from './session-credit.js'

const FRAME_HEADER_BYTES = 2

/**
 * Queues ROSTER when ours is newer than what the peer is known to hold, so it leaves before
 * any message it might authorise (control frames precede every MSG).
 */
export function ensureRosterFirst (ctx: Ctx): void {
  if (ctx.phase !== 'ready') return
  const r = ctx.components.roster()
  if (r.bytes === undefined || r.version <= ctx.peerRosterVersion) return
  ctx.peerRosterVersion = r.version
  // The roster envelope is also a stored message: don't offer it again as a MSG.
  ctx.peerHas.set(idKey(new Uint8Array(createHash('sha256').update(r.bytes).digest())), { via: 'sent', at: ctx.components.clock.now() })
  queueControl(ctx, { type: 'roster', envelope: r.bytes })
}

export interface OutgoingMessage {
  id: Uint8Array
  precedence: Precedence
  created: number
  bytes?: Uint8Array
}

/**
 * Queues a MSG unless it is already queued, the peer received it from us (or gave it to
 * us), or — when offering — we sent it less than RESEND_AFTER_MS ago (it may be in flight).
 * Returns true when queued.
 */
export function queueMessage (ctx: Ctx, m: OutgoingMessage, mode: 'push' | 'offer'): boolean {
  if (!isLive(ctx)) return false
  const key = idKey(m.id)
  if (ctx.queue.hasMessage(key)) return false
  const known = ctx.peerHas.get(key)
  if (known !== undefined) {
    if (mode === 'push' || known.via === 'received') return false
    if (known.via === 'sent' && ctx.components.clock.now() - known.at < RESEND_AFTER_MS) return false
  }
  ensureRosterFirst(ctx)
  const q: QueuedMessage = { id: m.id, key, rank: precedenceRank(m.precedence), timestamp: m.created, push: mode === 'push' }
  // Bytes stay inline only for a short queue: a long one holds ids (bounded memory). Urgent
  // pushes keep theirs within a byte budget: they leave before the store may have them.
  if (m.bytes !== undefined && (ctx.queue.messageCount < PUSH_INLINE_MAX_QUEUED ||
    (q.rank <= 1 && ctx.queue.inlineBytes + m.bytes.length <= PUSH_INLINE_URGENT_MAX_BYTES))) q.bytes = m.bytes
  const evict = (e: QueuedMessage): void => {
    // It left the queue unsent: the peer may lack it; it waits in the backlog.
    ctx.peerHas.delete(e.key)
    toBacklog(ctx, { id: e.id, key: e.key, precedence: PRECEDENCES[e.rank] ?? 'routine', created: e.timestamp })
  }
  if (!ctx.queue.pushMessage(q, evict)) {
    // Full of messages at least as urgent: it waits in the backlog (bytes dropped, fetched
    // when it is sent).
    toBacklog(ctx, { id: m.id, key, precedence: m.precedence, created: m.created })
    return false
  }
  ctx.peerHas.set(key, { via: 'sent', at: ctx.components.clock.now() })
  ctx.stats.queued = ctx.queue.messageCount
  ctx.wake()
  return true
}

function toBacklog (ctx: Ctx, e: BacklogEntry): void {
  // Past the backlog's bound, the round after the drain finds what is still missing.
  if (!ctx.backlog.add(e)) ctx.roundAfterDrain = true
  ctx.stats.backlog = ctx.backlog.size
}

/** Moves backlog entries into the queue once it has drained to half (most urgent first). */
function refill (ctx: Ctx): void {
  const q = ctx.queue
  if (ctx.backlog.size === 0 || q.messageCount * 2 > q.capacity) return
  while (q.messageCount < q.capacity) {
    const e = ctx.backlog.take()
    if (e === undefined) break
    queueMessage(ctx, e, 'offer')
  }
  ctx.stats.backlog = ctx.backlog.size
}

/** The send loop: one frame at a time, control first, within the bandwidth budget. */
export async function runSender (ctx: Ctx, waitForWork: () => Promise<void>): Promise<void> {
  // Once ending, nothing more leaves through the queue: BYE or ERROR is the last frame.
  while (isLive(ctx)) {
    refill(ctx)
    const head = ctx.queue.peek()
    // Before the HELLO exchange completes only control frames (our HELLO) may leave.
    if (head === undefined || (head.kind === 'message' && ctx.phase !== 'ready')) {
      if (head === undefined && ctx.roundAfterDrain && ctx.phase === 'ready') {
        // A round left ids unoffered or unasked (queue full, need cap): reconcile again now.
        ctx.roundAfterDrain = false
        void startRound(ctx).catch(e => { ctx.fail(asC5(e)) })
        continue
      }
      await waitForWork()
      continue
    }
    let frame: Uint8Array
    if (head.kind === 'control') {
      frame = head.frame
    } else {
      const m = head.message
      if (m.bytes === undefined) {
        // Fetched only when it reaches the head, so a long queue holds ids, not envelopes.
        const stored = await ctx.components.get(m.id)
        if (stored === undefined) {
          // Expired meanwhile — or a push whose write has not finished: forget that the peer
          // was sent it, so the round after the drain offers it again rather than never.
          ctx.peerHas.delete(m.key)
          ctx.roundAfterDrain = true
          dropIfHead(ctx, m)
          continue
        }
        m.bytes = stored.bytes
        continue // re-peek: something more urgent may have arrived meanwhile
      }
      if (m.bytes.length + FRAME_HEADER_BYTES > ctx.link.maxFrameBytes) {
        ctx.stats.oversizeDropped++
        ctx.log('sync.oversize', { bytes: m.bytes.length })
        dropIfHead(ctx, m)
        continue
      }
      frame = encodeFrame({ type: 'msg', envelope: m.bytes }, ctx.limits)
      // Past the receiver's credit, wait (a CREDIT, or a more urgent message, wakes us).
      if (!mayTransmit(ctx, m.rank, frame.length)) { await waitForWork(); continue }
    }
    const delayMs = ctx.bandwidth.delayFor(frame.length)
    if (delayMs > 0) { await ctx.sleep(delayMs); continue } // re-peek after the wait
    if (!isLive(ctx)) return
    ctx.queue.shift()
    ctx.stats.queued = ctx.queue.messageCount
    ctx.bandwidth.take(frame.length)
    const type = head.kind === 'control' ? head.type : 'msg'
    try {
      // One send at a time: sendFinal waits for this before BYE/ERROR.
      // Hints for a shared medium (radio, docs/protocol/links.md §1.1); other links ignore them.
      ctx.inflight = ctx.link.send(frame, head.kind === 'control'
        ? (head.type === 'roster' ? { share: 'push' } : {})
        : { rank: head.message.rank, share: head.message.push === true ? 'push' : 'offer' })
      // A peer that never reads is cut off after a bound (its queue, backlog and budgets
      // would otherwise be held for it forever).
      const stalled = ctx.schedule(ctx.options.sendStallTimeoutMs, () => {
        ctx.fail(new C5Error('SYNC_TIMEOUT', `the peer has not read for ${Math.round(ctx.options.sendStallTimeoutMs / 1000)} s`))
      })
      try { await ctx.inflight } finally { stalled() }
    } catch (e) {
      if (!isLive(ctx)) return
      const err = isC5Error(e) ? e : new C5Error('LINK_CLOSED', 'link send failed', { cause: e })
      ctx.end({ reason: err.code === 'LINK_CLOSED' ? 'closed' : 'aborted', code: err.code, error: err })
      return
    }
    ctx.stats.sent[type].frames++
    ctx.stats.sent[type].bytes += frame.length
    if (type === 'msg') {
      ctx.stats.messagesSent++
      noteTransmitted(ctx, frame.length)
      if (head.kind === 'message') ctx.components.sent?.(head.message.id)
    }
    if (type === 'recon') {
      ctx.stats.reconcileBytesSent += frame.length
      ctx.touchRound() // progress: the round timeout counts from the last RECON in or out
    }
  }
}

function dropIfHead (ctx: Ctx, m: QueuedMessage): void {
  const head = ctx.queue.peek()
  if (head?.kind === 'message' && head.message === m) ctx.queue.shift()
  ctx.stats.queued = ctx.queue.messageCount
}
