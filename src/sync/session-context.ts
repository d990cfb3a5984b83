/**
 * The shared state of one session, passed to the small modules that implement it
 * (session-send, session-receive, session-rounds). Not exported from the package.
 */
import type { LazyState } from './session-lazy.js'
import type { CreditState } from './session-credit.js'
import type { OfferBacklog } from './offer-backlog.js'
import { C5Error } from '../errors.js'
import type { Link } from '../links/types.js'
import type { TokenBucket } from './budget.js'
import type { BoundedIdMap } from './bounded-set.js'
import { encodeFrame, type FrameLimits, type HelloFrame, type SyncFrame } from './frames.js'
import type { OutgoingQueue } from './queue.js'
import type { Reconciler } from './types.js'
import type { ReconcilerFactory, SessionEnd, SyncComponents, SyncEvent, SyncStats } from './session-types.js'

export interface ResolvedOptions {
  nodeKey?: Uint8Array
  nonce: Uint8Array
  reconcileIntervalMs: number
  helloTimeoutMs: number
  roundTimeoutMs: number
  sendStallTimeoutMs: number
  banThreshold: number
  createReconciler: ReconcilerFactory
  source: string
  /** Largest reassembled engine message accepted from the peer. */
  maxReconMessageBytes: number
  /** Most bytes of control frames waiting to leave. */
  maxControlQueueBytes: number
  /** Offer lazy push (§4.9) in HELLO; it is used when the peer offers it too. */
  lazyPush: boolean
  onEvent?: (event: SyncEvent) => void
}

/** Why the peer is believed to hold an id: it sent it, we sent it (at `at`), or a round showed it. */
export interface PeerHas { via: 'received' | 'sent' | 'reconciled', at: number }

export interface Round {
  round: number
  reconciler: Reconciler
  /** RECON frames received in this round. */
  trips: number
  have: number
  need: number
  cancelTimeout?: () => void
}

export type Phase = 'new' | 'hello' | 'ready' | 'ending' | 'ended'

export interface Ctx {
  link: Link
  components: SyncComponents
  options: ResolvedOptions
  limits: FrameLimits
  phase: Phase
  peer?: HelloFrame
  initiator: boolean
  /** The highest roster version the peer is known to hold (its HELLO, or what we sent it). */
  peerRosterVersion: number
  /** The roster version the peer itself announced (HELLO) or proved (a ROSTER it sent us). */
  peerClaimedRoster: number
  queue: OutgoingQueue
  /** Offers waiting for room in the queue, most urgent first (offer-backlog.ts). */
  backlog: OfferBacklog
  bandwidth: TokenBucket
  receiveRate: TokenBucket
  /** Bytes of RECON we may still send this peer (shared per key), if limited. */
  reconBytes?: TokenBucket
  /** Bytes of RECON the peer may still send us (shared per key), if limited. */
  reconBytesIn?: TokenBucket
  peerHas: BoundedIdMap<PeerHas>
  /** Lazy push state (session-lazy.ts). */
  lazy: LazyState
  /** Credit flow control state (session-credit.ts). */
  credit: CreditState
  stats: SyncStats
  myRound?: Round
  peerRound?: Round
  /** Highest round number the peer has started (−1: none). */
  lastPeerRound: number
  nextRound: number
  /** When this side last started a round (pacing, MIN_ROUND_INTERVAL_MS). */
  lastMyRoundAt: number
  cancelPacedRound?: () => void
  /** Rounds the peer may start (PEER_ROUND_BURST, one per MIN_ROUND_INTERVAL_MS). */
  peerRounds: TokenBucket
  resyncPending: boolean
  /** A round could not offer or ask for everything: start another when the queue drains. */
  roundAfterDrain: boolean
  /** True while startRound awaits the item list (a second start becomes pending). */
  roundStarting: boolean
  cancelPeriodic?: () => void
  cancelHelloTimeout?: () => void
  /** RECON fragments received so far (§4.4 "RECON fragments"). */
  reassembly?: { round: number, senderInitiated: boolean, parts: Uint8Array[], bytes: number }
  /** The send loop's link.send in progress, if any. */
  inflight?: Promise<void>
  /** Wakes the send loop (new work, phase change). */
  wake: () => void
  /** Runs `fn` after `ms` on the session clock; the returned function cancels. Cleared at the end. */
  schedule: (ms: number, fn: () => void) => () => void
  /** Resolves after `ms`, or when the session ends. */
  sleep: (ms: number) => Promise<void>
  /** Ends the session once; later calls are ignored. */
  end: (end: SessionEnd) => void
  /** A protocol violation or local failure: ERROR to the peer (best effort), then abort. */
  fail: (error: C5Error, reason?: 'error' | 'banned') => void
  emit: (event: SyncEvent) => void
  /** Restarts the running round's idle timeout (a RECON frame went out or came in). */
  touchRound: () => void
  log: (event: string, fields?: Record<string, unknown>) => void
}

export function isLive (ctx: Ctx): boolean {
  return ctx.phase !== 'ending' && ctx.phase !== 'ended'
}

/** Encodes and queues a control frame (HELLO, ROSTER, RECON, WANT, DONE). */
export function queueControl (ctx: Ctx, frame: SyncFrame): void {
  if (!isLive(ctx)) return
  const bytes = encodeFrame(frame, ctx.limits)
  // Our control frames answer the peer's; one that never reads would make them pile up.
  // (One frame is always accepted into an empty queue.)
  const queued = ctx.queue.controlBytes
  if (queued > 0 && queued + bytes.length > ctx.options.maxControlQueueBytes) {
    ctx.fail(new C5Error('SYNC_LIMIT_EXCEEDED', `over ${ctx.options.maxControlQueueBytes} bytes of control frames waiting: the peer is not reading`))
    return
  }
  ctx.queue.pushControl(frame.type, bytes)
  ctx.wake()
}
