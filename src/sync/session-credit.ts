/**
 * Credit flow control (docs/protocol/sync.md §4.11). Transport backpressure alone lets a
 * sender fill every buffer between its queue and the receiver's ingest (Yamux window, the
 * link's queue, TCP): a flash alert pushed during a catch-up then waits behind megabytes of
 * routine messages at the receiver's ingest rate — a minute at a loaded node. With credit,
 * a sender keeps at most CREDIT_WINDOW_BYTES of MSG frames unacknowledged; the rest stays
 * in its priority queue, where a flash alert overtakes it. Flash MSGs never wait for credit
 * (they still count), so they are behind at most one window on the way.
 *
 * Used when both HELLOs set FEATURE_CREDIT. The receiver returns credit for every MSG
 * frame it has admitted (past its rate limit, into its ingest window) in CREDIT frames of at
 * least CREDIT_GRANT_BYTES, or after CREDIT_GRANT_DELAY_MS for what a quiet link left over.
 */
import { CREDIT_GRANT_BYTES, CREDIT_GRANT_DELAY_MS, CREDIT_WINDOW_BYTES, FEATURE_CREDIT } from './constants.js'
import type { CreditFrame } from './frames.js'
import { queueControl, type Ctx } from './session-context.js'

export interface CreditState {
  /** Sender: bytes of MSG frames sent and not yet credited back. */
  inFlight: number
  /** Receiver: bytes of MSG frames admitted and not yet credited to the peer. */
  owed: number
  cancelGrant?: () => void
}

export function createCreditState (): CreditState {
  return { inFlight: 0, owed: 0 }
}

/** Both sides offered credit flow control in HELLO. */
export function creditOn (ctx: Ctx): boolean {
  return ctx.peer !== undefined && (ctx.peer.features & FEATURE_CREDIT) !== 0
}

/**
 * Sender: may a MSG frame of `bytes` (precedence rank `rank`, 0 = flash) leave now? Flash
 * always may; others while the window has room (one frame always fits an empty window).
 */
export function mayTransmit (ctx: Ctx, rank: number, bytes: number): boolean {
  if (rank === 0 || !creditOn(ctx)) return true
  const c = ctx.credit
  return c.inFlight === 0 || c.inFlight + bytes <= CREDIT_WINDOW_BYTES
}

/** Sender: a MSG frame left. */
export function noteTransmitted (ctx: Ctx, bytes: number): void {
  if (creditOn(ctx)) ctx.credit.inFlight += bytes
}

/** Sender: the receiver returned credit; a waiting MSG may go. More than we sent is ignored. */
export function onCredit (ctx: Ctx, f: CreditFrame): void {
  ctx.credit.inFlight = Math.max(0, ctx.credit.inFlight - f.bytes)
  ctx.wake()
}

/** Receiver: a MSG frame of `bytes` was admitted (handed to ingest): credit it back. */
export function noteAdmitted (ctx: Ctx, bytes: number): void {
  if (!creditOn(ctx)) return
  const c = ctx.credit
  c.owed += bytes
  if (c.owed >= CREDIT_GRANT_BYTES) { grant(ctx); return }
  c.cancelGrant ??= ctx.schedule(CREDIT_GRANT_DELAY_MS, () => { c.cancelGrant = undefined; grant(ctx) })
}

function grant (ctx: Ctx): void {
  const c = ctx.credit
  c.cancelGrant?.()
  c.cancelGrant = undefined
  if (c.owed === 0) return
  const bytes = c.owed
  c.owed = 0
  queueControl(ctx, { type: 'credit', bytes })
}
