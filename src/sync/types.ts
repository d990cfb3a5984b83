/**
 * Contracts of the sync layer (docs/PROTOCOL.md §5–6).
 *
 * The reconciliation engine is pure: it holds one side's set of items and turns peer
 * messages into replies plus have/need lists. It does no I/O; a sync session (session.ts)
 * carries its messages inside sync frames over a Link.
 */

/** One unexpired message as reconciliation sees it. Sets are sorted by (timestamp, id). */
export interface SyncItem {
  /** The envelope's `created`, ms since the Unix epoch (64-bit safe: never a 32-bit varint). */
  timestamp: number
  /** The envelope's 32-byte sha2-256 digest. */
  id: Uint8Array
}

export interface ReconcileStep {
  /** Message to send to the peer, if any. */
  reply?: Uint8Array
  /** Ids this side holds that the peer lacks (this side should send them). */
  have: Uint8Array[]
  /** Ids the peer holds that this side lacks (this side should request them). */
  need: Uint8Array[]
  /** True when this side needs nothing more from the peer for this round of reconciliation. */
  done: boolean
}

export interface Reconciler {
  /** The first message; called on the initiating side only. */
  initiate (): Uint8Array
  /** Feeds one peer message. Throws C5Error SYNC_MALFORMED / SYNC_LIMIT_EXCEEDED on bad input. */
  receive (message: Uint8Array): ReconcileStep
}
