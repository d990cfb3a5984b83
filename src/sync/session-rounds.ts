/**
 * Reconciliation rounds (docs/protocol/sync.md §4.3 "Reconciliation rounds"). A round is started by
 * one side (the initiator of that round) with a fresh engine over its current unexpired
 * items; the other side answers with its own engine. Both act on the `have` (queue MSG)
 * and `need` (send WANT) lists their engine reports; queueMessage's dedup rules stop an id
 * crossing twice. The initiator ends the round with DONE.
 */
import { C5Error } from '../errors.js'
import type { DoneFrame, ReconFrame } from './frames.js'
import { idKey } from './bounded-set.js'
import { isLive, queueControl, type Ctx, type Round } from './session-context.js'
import { queueMessage, type OutgoingMessage } from './session-send.js'
import { precedenceRank } from '../envelope/types.js'
import { ID_BYTES, MAX_NEED_PER_ROUND, MAX_ROUND_TRIPS, MIN_ROUND_INTERVAL_MS } from './constants.js'
import type { ReconcileStep } from './types.js'

const FRAME_HEADER_BYTES = 2
const WANT_COUNT_VARINT_MAX_BYTES = 3
/** version + type + flags + round varint (at most 9 bytes). */
const RECON_HEADER_MAX_BYTES = FRAME_HEADER_BYTES + 1 + 9

/** Starts a round now, or marks one pending if ours is still running. */
export async function startRound (ctx: Ctx): Promise<void> {
  if (ctx.phase !== 'ready') return
  if (ctx.myRound !== undefined || ctx.roundStarting) { ctx.resyncPending = true; return }
  // Pace our own rounds so an honest peer never trips its round limit.
  const waitMs = ctx.lastMyRoundAt + MIN_ROUND_INTERVAL_MS - ctx.components.clock.now()
  if (waitMs > 0) {
    if (ctx.cancelPacedRound === undefined) {
      ctx.cancelPacedRound = ctx.schedule(waitMs, () => {
        ctx.cancelPacedRound = undefined
        void startRound(ctx).catch(e => ctx.fail(asC5(e)))
      })
    }
    return
  }
  ctx.lastMyRoundAt = ctx.components.clock.now()
  ctx.roundStarting = true
  try {
    const items = await ctx.components.items()
    if (ctx.phase !== 'ready') return
    const round: Round = { round: ctx.nextRound++, reconciler: ctx.options.createReconciler(items), trips: 0, have: 0, need: 0 }
    ctx.myRound = round
    ctx.touchRound()
    sendRecon(ctx, true, round.round, round.reconciler.initiate())
    ctx.stats.reconcileRoundTrips++
  } finally {
    ctx.roundStarting = false
  }
}

/** Queues one engine message as RECON frames, fragmented to fit the link's frames. */
export function sendRecon (ctx: Ctx, senderInitiated: boolean, round: number, message: Uint8Array): void {
  const room = ctx.limits.maxFrameBytes - RECON_HEADER_MAX_BYTES
  if (room < 1) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'frames too small for RECON')
  // What we send a peer key in reconciliation is budgeted across its sessions (§4.7): one
  // large answer (a LIST of our store) fits the burst; a peer that keeps claiming huge
  // differences is cut off rather than answered with megabytes every round.
  const budget = ctx.reconBytes
  if (budget !== undefined) {
    if (budget.delayFor(message.length) > 0) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'reconciliation budget for this peer exhausted', { details: { bytes: message.length } })
    budget.take(message.length)
  }
  let at = 0
  do {
    const end = Math.min(message.length, at + room)
    queueControl(ctx, { type: 'recon', senderInitiated, round, more: end < message.length, message: message.subarray(at, end) })
    at = end
  } while (at < message.length)
}

/**
 * Reassembles fragments. A peer's queue sends one message's fragments back to back, so one
 * buffer suffices; anything interleaved is malformed; the total is capped.
 */
function reassemble (ctx: Ctx, f: ReconFrame): Uint8Array | undefined {
  // What a peer key sends us in reconciliation is budgeted across its sessions: each byte
  // costs decoding and set work (a 16 MB LIST of random ids is a second of CPU).
  const budget = ctx.reconBytesIn
  if (budget !== undefined) {
    if (budget.delayFor(f.message.length) > 0) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'the peer sends more reconciliation data than its budget', { details: { bytes: f.message.length } })
    budget.take(f.message.length)
  }
  const r = ctx.reassembly
  if (r !== undefined && (r.round !== f.round || r.senderInitiated !== f.senderInitiated)) {
    throw new C5Error('SYNC_MALFORMED', 'RECON fragments interleaved')
  }
  if (r === undefined && !f.more) return f.message
  const parts = r?.parts ?? []
  const bytes = (r?.bytes ?? 0) + f.message.length
  if (bytes > ctx.options.maxReconMessageBytes) {
    throw new C5Error('SYNC_LIMIT_EXCEEDED', `reconciliation message over ${ctx.options.maxReconMessageBytes} bytes`)
  }
  parts.push(f.message.slice())
  if (f.more) {
    ctx.reassembly = { round: f.round, senderInitiated: f.senderInitiated, parts, bytes }
    return undefined
  }
  ctx.reassembly = undefined
  const out = new Uint8Array(bytes)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/**
 * (Re)arms the idle timeout of the round we run: it fires when no RECON frame went either
 * way for roundTimeoutMs, so a slow link with steady progress is not cut off.
 */
export function touchRound (ctx: Ctx): void {
  const round = ctx.myRound
  if (round === undefined) return
  round.cancelTimeout?.()
  round.cancelTimeout = ctx.schedule(ctx.options.roundTimeoutMs, () => {
    ctx.fail(new C5Error('SYNC_TIMEOUT', `reconciliation round ${round.round} made no progress`))
  })
}

export async function onRecon (ctx: Ctx, f: ReconFrame): Promise<void> {
  ctx.touchRound()
  const message = reassemble(ctx, f)
  if (message === undefined) return
  if (f.senderInitiated) {
    await onPeerRound(ctx, f.round, message)
    return
  }
  // A reply in a round we started.
  const round = ctx.myRound
  if (round === undefined || round.round !== f.round) throw new C5Error('SYNC_UNEXPECTED', `RECON for round ${f.round}, which is not running`)
  const step = receive(round, message)
  if (step.reply !== undefined) {
    sendRecon(ctx, true, round.round, step.reply)
    ctx.stats.reconcileRoundTrips++
  }
  await applyLists(ctx, round, step)
  // The engine is done on our side when it decoded (its last reply tells the peer) or when
  // the peer's engine said so; either way nothing more comes in this round.
  if (step.done) finishMyRound(ctx, round)
  else if (step.reply === undefined) throw new C5Error('SYNC_UNEXPECTED', 'reconciliation stalled: no reply and not done')
}

async function onPeerRound (ctx: Ctx, roundNo: number, message: Uint8Array): Promise<void> {
  let round = ctx.peerRound
  if (round === undefined || round.round !== roundNo) {
    // Round numbers of one sender only increase (§4.3).
    if (roundNo <= ctx.lastPeerRound) throw new C5Error('SYNC_UNEXPECTED', `RECON for old round ${roundNo}`)
    ctx.lastPeerRound = roundNo
    // Each new peer round costs a scan of our items: a flood of rounds is refused.
    if (ctx.peerRounds.delayFor(1) > 0) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'peer starts rounds too often')
    ctx.peerRounds.take(1)
    const items = await ctx.components.items()
    round = { round: roundNo, reconciler: ctx.options.createReconciler(items), trips: 0, have: 0, need: 0 }
    ctx.peerRound = round
  }
  const step = receive(round, message)
  if (step.reply !== undefined) sendRecon(ctx, false, round.round, step.reply)
  await applyLists(ctx, round, step)
}

export function onDone (ctx: Ctx, f: DoneFrame): void {
  const round = ctx.peerRound
  if (round === undefined || round.round !== f.round) return // harmless: a round we never joined
  ctx.peerRound = undefined
  ctx.emit({ type: 'reconciled', round: f.round, role: 'responder', have: round.have, need: round.need })
}

function receive (round: Round, message: Uint8Array): ReconcileStep {
  if (++round.trips > MAX_ROUND_TRIPS) throw new C5Error('SYNC_LIMIT_EXCEEDED', `round took more than ${MAX_ROUND_TRIPS} messages`)
  return round.reconciler.receive(message)
}

/**
 * have → MSG; need → WANT. The offers are queued most urgent first (then oldest first): the
 * queue is bounded, and what does not fit waits for the round that follows its drain, so a
 * backlog's flash alerts must be among the first queued, not wherever the engine listed them.
 */
async function applyLists (ctx: Ctx, round: Round, step: ReconcileStep): Promise<void> {
  const offers = await offersOf(ctx, step.have)
  if (!isLive(ctx)) return
  for (const m of offers) {
    if (queueMessage(ctx, m, 'offer')) round.have++
  }
  const want: Uint8Array[] = []
  for (const id of step.need) {
    if (want.length >= MAX_NEED_PER_ROUND) { ctx.roundAfterDrain = true; break }
    if (id.length !== ID_BYTES) throw new C5Error('SYNC_MALFORMED', 'engine reported an id of the wrong size')
    // A tombstoned id would be refused by ingest: don't ask for it.
    if (await ctx.components.status(id) !== undefined) continue
    ctx.peerHas.set(idKey(id), { via: 'reconciled', at: ctx.components.clock.now() })
    want.push(id)
  }
  round.need += want.length
  const perFrame = Math.max(1, Math.min(ctx.limits.maxWantIds,
    Math.floor((ctx.limits.maxFrameBytes - FRAME_HEADER_BYTES - WANT_COUNT_VARINT_MAX_BYTES) / ID_BYTES)))
  for (let i = 0; i < want.length; i += perFrame) queueControl(ctx, { type: 'want', ids: want.slice(i, i + perFrame) })
}

/** The ids we hold with their precedence and created time, most urgent first, then oldest. */
export async function offersOf (ctx: Ctx, ids: Uint8Array[]): Promise<OutgoingMessage[]> {
  const out: OutgoingMessage[] = []
  const meta = ctx.components.meta
  for (const id of ids) {
    const m = meta !== undefined ? meta(id) : await ctx.components.get(id)
    if (m === undefined) continue // expired since the round began
    out.push({ id, precedence: m.precedence, created: m.created })
  }
  out.sort((a, b) => precedenceRank(a.precedence) - precedenceRank(b.precedence) || a.created - b.created)
  return out
}

function finishMyRound (ctx: Ctx, round: Round): void {
  round.cancelTimeout?.()
  ctx.myRound = undefined
  queueControl(ctx, { type: 'done', round: round.round })
  ctx.stats.roundsCompleted++
  ctx.emit({ type: 'reconciled', round: round.round, role: 'initiator', have: round.have, need: round.need })
  if (ctx.resyncPending) {
    ctx.resyncPending = false
    void startRound(ctx).catch(e => ctx.fail(asC5(e)))
  } else {
    schedulePeriodic(ctx)
  }
}

/** Only the elected initiator re-reconciles periodically (one round covers both directions). */
export function schedulePeriodic (ctx: Ctx): void {
  const ms = ctx.options.reconcileIntervalMs
  if (!ctx.initiator || !(ms > 0) || !Number.isFinite(ms)) return
  ctx.cancelPeriodic?.()
  ctx.cancelPeriodic = ctx.schedule(ms, () => {
    ctx.cancelPeriodic = undefined
    void startRound(ctx).catch(e => ctx.fail(asC5(e)))
  })
}

export function asC5 (e: unknown): C5Error {
  // Not the peer's doing: SYNC_INTERNAL never counts against it (src/node/peer-guard.ts).
  return e instanceof C5Error ? e : new C5Error('SYNC_INTERNAL', 'internal failure', { cause: e })
}
