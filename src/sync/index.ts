/**
 * Sync: the transport-agnostic c5mesh sync protocol (docs/protocol/sync.md) and its pure
 * reconciliation engine (src/sync/reconcile, docs/protocol/reconcile.md).
 *
 * A session runs over any Link (libp2p stream, KISS radio, memory pair) against injected
 * components — the node's composition root wires the store and the one ingest path:
 * HELLO both ways, ROSTER first when ours is newer, reconciliation rounds (RECON … DONE),
 * transfer (MSG for what the peer lacks, WANT for what we lack), pushes of new messages,
 * periodic rounds, a priority queue (control, then flash → routine, oldest first) under a
 * bandwidth budget, peer scoring with bans, and clean shutdown.
 *
 * @example
 * const session = createSyncSession(link, {
 *   items: async () => store.syncItems(clock.now()), // unexpired, sorted by (created, id)
 *   status: (id) => store.status(id),
 *   get: async (id) => {
 *     const e = (await store.get(id))?.envelope
 *     return e && { bytes: e.bytes, precedence: e.precedence, expires: e.expires, created: e.created }
 *   },
 *   ingest: (bytes, source) => node.ingest(bytes, source),
 *   roster: () => ({ version: roster.version, bytes: roster.envelopeBytes }),
 *   clock                                           // { now() } (+ setTimeout/clearTimeout for virtual time)
 * }, { nodeKey, reconcileIntervalMs: 60_000, bytesPerSecond: 150, onEvent })
 * node.on('message', (env) => session.notifyNew(env)) // push to this peer unless it has it
 * session.start()
 * const end = await session.done                     // { reason, code? }
 */
export { createSyncSession, CLOSE_FLUSH_TIMEOUT_MS } from './session.js'
export type {
  SyncSession, SyncSessionOptions, SyncComponents, SyncClock, StoredMessage, PushMessage, SessionEnd, EndReason,
  SyncEvent, SyncStats, FrameCounters, ReconcilerFactory
} from './session-types.js'
export {
  encodeFrame, decodeFrame, peekFrameType, FRAME_TYPE_BYTES, FRAME_TYPES, DEFAULT_FRAME_LIMITS,
  type SyncFrame, type FrameType, type FrameLimits, type HelloFrame, type RosterFrame, type ReconFrame, type WantFrame,
  type MsgFrame, type DoneFrame, type ErrorFrame, type ByeFrame
} from './frames.js'
export { encodeVarint, readVarint, writeVarint, varintLength } from './varint.js'
export { OutgoingQueue, type QueuedMessage, type QueueEntry } from './queue.js'
export { TokenBucket, type TokenBucketOptions } from './budget.js'
export { PENALTY_PER_REJECT } from './session-receive.js'
export {
  SYNC_FRAME_VERSION, SYNC_PROTOCOL_VERSION, SYNC_PROTOCOL_ID, ID_BYTES, NODE_KEY_BYTES, NONCE_BYTES, MAX_WANT_IDS,
  MAX_ERROR_CODE_BYTES, MAX_ERROR_TEXT_BYTES, MAX_VARINT_BYTES, HELLO_TIMEOUT_MS, RECONCILE_INTERVAL_MS, ROUND_TIMEOUT_MS,
  MAX_ROUND_TRIPS, MAX_RECON_MESSAGE_BYTES, MIN_ROUND_INTERVAL_MS, PEER_ROUND_BURST, RESEND_AFTER_MS, BAN_THRESHOLD,
  MAX_PEER_HAS, MAX_QUEUED_MESSAGES, MAX_CONTROL_QUEUE_BYTES, MAX_NEED_PER_ROUND, PUSH_INLINE_MAX_QUEUED, RECEIVE_MESSAGES_PER_S, RECEIVE_BURST_MESSAGES
} from './constants.js'
export { createReconciler } from './reconcile/index.js'
export type { SyncItem, Reconciler, ReconcileStep } from './types.js'
