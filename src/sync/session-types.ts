/**
 * Contracts of a sync session (docs/protocol/sync.md §4 "Session"). A session runs the sync
 * protocol over one Link against injected components; it imports no store, ingest or
 * libp2p code — the node's composition root wires the real ones.
 */
import type { C5Error } from '../errors.js'
import type { Kind, Precedence } from '../envelope/types.js'
import type { IngestResult } from '../node/types.js'
import type { FrameType, HelloFrame } from './frames.js'
import type { Reconciler, SyncItem } from './types.js'
import type { TokenBucket } from './budget.js'

/** What `components.get` returns for a stored message. */
export interface StoredMessage {
  bytes: Uint8Array
  precedence: Precedence
  /** ms since the epoch. */
  expires: number
  /** The envelope's created time, ms since the epoch: transfer goes oldest first. */
  created: number
}

/** Time and timers. Tests and the simulator inject a manual clock. */
export interface SyncClock {
  now: () => number
  /** Defaults to the global setTimeout / clearTimeout. */
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

export interface SyncComponents {
  /** The current unexpired set, sorted by (timestamp, id). */
  items: () => Promise<SyncItem[]>
  status: (id: Uint8Array) => Promise<'stored' | 'tombstone' | undefined>
  /**
   * Optional: whether the id is stored or being ingested right now (from any peer),
   * answered from memory (no store read). Lazy push uses it (§4.10): an announcement never
   * waits on the disk, and an id that arrived by another path but is still being verified
   * is not asked for again. Without it, `status` is awaited.
   */
  holds?: (id: Uint8Array) => boolean
  /**
   * Optional: a recent typical time, ms, for this node to ingest a message from a peer (its
   * load). Lazy push waits longer before asking for an announced id when it is high (§4.10).
   */
  ingestMs?: () => number
  get: (id: Uint8Array) => Promise<StoredMessage | undefined>
  /**
   * Optional: told after a MSG carrying this id was handed to the link (the node's outbox
   * stops marking a message composed here as "not yet sent", src/node/outbox.ts).
   */
  sent?: (id: Uint8Array) => void
  /**
   * Optional: a stored message's precedence and created time, from memory (no read). With
   * it, what a round offers and what a WANT asks for are queued most urgent first without
   * reading every message (§4.6); without it, `get` is awaited for each id.
   */
  meta?: (id: Uint8Array) => { precedence: Precedence, created: number } | undefined
  /**
   * The node's single ingest path; never throws (src/node/types.ts). A MSG's `digest` (its
   * sync id, computed by the session) is passed along, so the node can tell which ids are
   * being ingested (see `holds`).
   */
  ingest: (bytes: Uint8Array, source: string, digest?: Uint8Array) => Promise<IngestResult>
  /** The current roster: its version and its roster-kind envelope bytes, to resend. */
  roster: () => { version: number, bytes?: Uint8Array }
  clock: SyncClock
  log?: (event: string, fields: Record<string, unknown>) => void
}

export type ReconcilerFactory = (items: SyncItem[]) => Reconciler

/**
 * Budgets shared by every session with one peer key (src/node/peer-guard.ts), so opening a
 * new session does not start them afresh. Each defaults to a session-local bucket.
 */
export interface SessionBudgets {
  /** MSGs received (receiveMessagesPerS / receiveBurstMessages). */
  receive?: TokenBucket
  /** Rounds the peer starts (one per MIN_ROUND_INTERVAL_MS, PEER_ROUND_BURST). */
  peerRounds?: TokenBucket
  /** Bytes of reconciliation messages we send the peer (none by default: unlimited). */
  reconBytes?: TokenBucket
  /** Bytes of reconciliation messages the peer sends us (each costs decoding and set work). */
  reconBytesIn?: TokenBucket
}

export interface SyncSessionOptions {
  /** This node's 32-byte key, sent in HELLO and used to elect the initiator. */
  nodeKey?: Uint8Array
  /** 8 random bytes for HELLO (default: crypto random). Tests fix it. */
  nonce?: Uint8Array
  /** Pause between the initiator's rounds; 0 disables periodic rounds (default RECONCILE_INTERVAL_MS). */
  reconcileIntervalMs?: number
  helloTimeoutMs?: number
  roundTimeoutMs?: number
  /** How long a frame may wait for the link to take it before the peer counts as not reading (default SEND_STALL_TIMEOUT_MS). */
  sendStallTimeoutMs?: number
  /** Ban when the penalty sum reaches this (default BAN_THRESHOLD). */
  banThreshold?: number
  /** Outgoing bandwidth budget, bytes/s (default unlimited) and burst (default: 1 s of rate, at least one frame). */
  bytesPerSecond?: number
  burstBytes?: number
  /** Per-peer receive rate (messages/s) and burst; past it, reading pauses (backpressure). */
  receiveMessagesPerS?: number
  receiveBurstMessages?: number
  maxQueuedMessages?: number
  /** Most offers waiting for room in the queue (default MAX_OFFER_BACKLOG). */
  maxOfferBacklog?: number
  /** MSG ingests run at once per session (default MAX_INGESTS_IN_FLIGHT; 1 = strictly one by one). */
  maxIngestsInFlight?: number
  maxPeerHas?: number
  maxWantIds?: number
  /** Largest reassembled reconciliation message from the peer (default MAX_RECON_MESSAGE_BYTES). */
  maxReconMessageBytes?: number
  /** Most bytes of control frames waiting to leave (default MAX_CONTROL_QUEUE_BYTES). */
  maxControlQueueBytes?: number
  /** Offer lazy push (IHAVE/PRUNE/GRAFT, §4.9) in HELLO (default true). */
  lazyPush?: boolean
  /** Budgets shared with the other sessions of the same peer key. */
  budgets?: SessionBudgets
  /** The reconciliation engine (default: src/sync/reconcile). */
  createReconciler?: ReconcilerFactory
  /** Source label given to ingest (default `peer:${link.remote}`). */
  source?: string
  onEvent?: (event: SyncEvent) => void
  signal?: AbortSignal
}

export type EndReason = 'stopped' | 'bye' | 'closed' | 'aborted' | 'error' | 'remote-error' | 'banned'

/** How a session ended. `done` always resolves with this (it never rejects). */
export interface SessionEnd {
  reason: EndReason
  /** Error code: ours for 'error'/'banned'/'aborted', the peer's for 'remote-error'. */
  code?: string
  error?: C5Error
}

export type SyncEvent =
  | { type: 'hello', peer: HelloFrame, initiator: boolean }
  | { type: 'reconciled', round: number, role: 'initiator' | 'responder', have: number, need: number }
  | { type: 'received', id: Uint8Array, result: IngestResult }
  | { type: 'banned', remote: string, remoteKey?: Uint8Array, penalty: number, lastCode: string }
  /** A refusal that is evidence against the peer (each one adds to its score, §4.7). */
  | { type: 'fault', code: string, points: number }
  | { type: 'end', end: SessionEnd }

/** A message to push (notifyNew): a decoded Envelope, or just what the queue needs. */
export interface PushMessage {
  /** The envelope's 32-byte sha2-256 digest (its sync id). */
  digest: Uint8Array
  bytes: Uint8Array
  precedence: Precedence
  /** ms since the epoch (default: now). */
  created?: number
  /** A 'roster' envelope travels as a ROSTER frame, ahead of every MSG. */
  kind?: Kind
}

export interface FrameCounters { frames: number, bytes: number }

export interface SyncStats {
  sent: Record<FrameType, FrameCounters>
  received: Record<FrameType, FrameCounters>
  messagesSent: number
  messagesReceived: number
  messagesAccepted: number
  /** INGEST_DUPLICATE / INGEST_TOMBSTONED: not the peer's fault. */
  messagesKnown: number
  messagesRejected: number
  penalty: number
  reconcileBytesSent: number
  reconcileBytesReceived: number
  /** RECON frames sent by this side as a round's initiator (one per round trip). */
  reconcileRoundTrips: number
  roundsCompleted: number
  /** WANT ids not answered: unknown here, or the outgoing queue was full. */
  wantIgnored: number
  /** Messages not sent because they did not fit in a frame. */
  oversizeDropped: number
  queued: number
  /** Offers waiting for room in the queue (the backlog, §4.6). */
  backlog: number
}

export interface SyncSession {
  /** Sends HELLO and starts the receive and send loops. */
  start: () => void
  /** Clean shutdown: BYE, close, timers cleared. Resolves when ended. */
  stop: () => Promise<SessionEnd>
  /** Resolves once when the session ends, for any reason. Never rejects. */
  readonly done: Promise<SessionEnd>
  stats: () => SyncStats
  /** Pushes a newly ingested message at once, unless the peer is known to have it. */
  notifyNew: (message: PushMessage) => void
  /** Starts a reconciliation round now (or right after the running one). */
  resync: () => void
}
