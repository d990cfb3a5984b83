/**
 * Contracts of the durable message store (docs/protocol/store.md).
 */
import type { AbstractBatchOperation } from 'abstract-level'
import type { Envelope, Kind, Precedence } from '../envelope/types.js'
import type { SyncItem } from '../sync/types.js'

/** `now`, and timers when the caller injects them (src/util/clock.ts). */
export type { Clock } from '../util/clock.js'
import type { Clock } from '../util/clock.js'
import type { RootDb } from './layout.js'

/** A message as the store returns it. */
export interface StoredMessage {
  envelope: Envelope
  /** When this node first stored it, ms since the Unix epoch. */
  received: number
  /** Where it came from: 'local', 'peer:<PeerId>', 'radio:<call>', 'file:<name>'. */
  source: string
}

export interface PutMeta { received: number, source: string }

/** One raw LevelDB batch operation, addressed to one of the store's sublevels. */
export type BatchOp = AbstractBatchOperation<any, any, any>

export interface PutOptions {
  /** Durable (fsync) before the promise resolves; concurrent sync puts share one fsync. */
  sync?: boolean
  /** More operations committed in the same atomic batch (e.g. a new roster's meta write). */
  extra?: BatchOp[]
  /**
   * The caller has itself computed `env.digest` from `env.bytes` (ingest does, once per
   * message), so the store need not hash the bytes again to refuse a mismatched pair.
   */
  digestChecked?: boolean
}

export type MessageStatus = 'stored' | 'tombstone' | undefined

export interface QueryOptions {
  kind?: Kind
  org?: string
  /** The envelope's author field as stored: a 32-byte key or an 8-byte key id. */
  author?: Uint8Array
  precedence?: Precedence
  /** Messages that reference this 32-byte digest (updates, cancels, acks, receipts). */
  references?: Uint8Array
  /** created >= since (ms). */
  since?: number
  /** created <= until (ms). */
  until?: number
  /** Default QUERY_LIMIT_DEFAULT, at most QUERY_LIMIT_MAX. */
  limit?: number
  /** 'newest' (default): created descending. 'urgent': precedence rank, then newest. */
  order?: 'newest' | 'urgent'
  /**
   * Paging ('newest' order only): only entries strictly after this one in the scan, i.e.
   * (created, digest) below it — the last entry of the previous page.
   */
  before?: { created: number, digest: Uint8Array }
}

export interface StoreStats {
  /** Messages stored (expired ones count until the sweeper removes them). */
  messages: number
  /** Synced LevelDB batches written (one fsync each, shared by a group of writes). */
  syncWrites: number
  /** Writes carried by synced batches (syncPuts / syncWrites = the group commit factor). */
  syncPuts: number
  /** Unsynced batches written (each may carry several grouped writes). */
  writes: number
  /** Corrupt records seen (and skipped) by queries and sweeps since open. */
  corruptSkipped: number
  /** Totals of all sweeps since open. */
  swept: number
  tombstonesDropped: number
  /** Failed LevelDB writes since open, and reopens that cleared them. */
  writeFaults: number
  writeFaultsCleared: number
  /** While writes are failing: since when (ms) and why. */
  writeFault?: { since: number, reason: string }
}

export interface SweepResult { expired: number, tombstonesDropped: number }

export interface PeerRecord {
  /** The peer's Ed25519 public key, lowercase hex. */
  key: string
  /** Multiaddrs (text) where it was last reachable. */
  addrs: string[]
  lastSeen?: number
  lastConnected?: number
  failures?: number
}

export interface PeerBook {
  get: (keyHex: string) => Promise<PeerRecord | undefined>
  put: (record: PeerRecord) => Promise<void>
  list: () => Promise<PeerRecord[]>
  delete: (keyHex: string) => Promise<void>
}

/** A meta value: raw bytes (e.g. signed roster bytes) or any JSON value. */
export type MetaValue = Uint8Array | null | boolean | number | string | MetaValue[] | { [k: string]: MetaValue }

export interface MetaBook {
  get: (name: string) => Promise<MetaValue | undefined>
  put: (name: string, value: MetaValue, options?: { sync?: boolean }) => Promise<void>
  /** Batch operations writing `value` under `name`, for put(env, meta, { extra }). */
  ops: (name: string, value: MetaValue) => BatchOp[]
  /** Batch operations deleting `name`. */
  delOps: (name: string) => BatchOp[]
  /** Deletes `name` (absent: nothing happens). */
  del: (name: string, options?: { sync?: boolean }) => Promise<void>
  /** Every entry whose name starts with `prefix` (not "_"), in name order. */
  list: (prefix: string) => Promise<Array<{ name: string, value: MetaValue }>>
}

export interface MessageStore {
  open: () => Promise<void>
  /** Idempotent. Any later call fails with STORE_CLOSED. */
  close: () => Promise<void>
  /**
   * 'stored', 'tombstone' or undefined. With `hint.expires` (the message's own expiry, from
   * its envelope) a message past every sweep is answered from memory, without a read.
   */
  status: (digest: Uint8Array, hint?: { expires: number }) => Promise<MessageStatus>
  /** Whether the store holds this digest now (in memory, no read): status() === 'stored'. */
  holds: (digest: Uint8Array) => boolean
  /**
   * status() when memory can answer it ('unknown' when a read is needed): with the expiry
   * of a message newer than every sweep, always. Ingest's duplicate check, without a turn
   * through the event loop.
   */
  peekStatus: (digest: Uint8Array, expires?: number) => MessageStatus | 'unknown'
  put: (env: Envelope, meta: PutMeta, options?: PutOptions) => Promise<void>
  /** By CID text, 64-char hex digest or 32-byte digest. STORE_CORRUPT on a bad record. */
  get: (idOrDigest: string | Uint8Array) => Promise<StoredMessage | undefined>
  query: (options?: QueryOptions) => Promise<StoredMessage[]>
  /**
   * Every stored record of one kind, oldest created first, expired ones included until
   * swept (the caller judges expiry), in batches (one await per batch): the digest (key)
   * and the envelope bytes, undecoded (a view into the record; a bulk reader decodes only
   * what it needs; unreadable records are skipped and counted). Memory: one batch at a
   * time. Rebuilds the hotlist.
   */
  scanKindBatches: (kind: Kind) => AsyncIterable<Array<{ digest: Uint8Array, bytes: Uint8Array }>>
  /**
   * A stored message's created time and precedence, from memory (no read); undefined when
   * not stored. Sync orders what it offers and answers by precedence with it.
   */
  syncMeta: (digest: Uint8Array) => { created: number, precedence: Precedence } | undefined
  /**
   * A stored message's envelope bytes as they were received, not decoded (a bundle export
   * copies them; the importer checks everything). STORE_CORRUPT on an unreadable record.
   */
  getBytes: (digest: Uint8Array) => Promise<Uint8Array | undefined>
  /** Unexpired stored messages sorted by (timestamp, id): the set reconciliation works on. */
  syncItems: (now: number) => SyncItem[]
  count: () => number
  stats: () => StoreStats
  sweep: (now?: number) => Promise<SweepResult>
  /**
   * Removes stored messages before their expiry — a revocation made them invalid — leaving
   * tombstones until their own expiry + grace, so they never come back. Returns how many it
   * removed (unknown digests are skipped). One synced batch.
   */
  discard: (digests: Uint8Array[]) => Promise<number>
  /**
   * Tombstones messages that were refused, not stored (a verified message over its quota),
   * so a peer that offers them again is answered "known" and reconciliation does not fetch
   * them again. Stored or already tombstoned digests are skipped. Returns how many it wrote.
   */
  tombstone: (entries: Array<{ digest: Uint8Array, expires: number }>) => Promise<number>
  readonly peers: PeerBook
  readonly meta: MetaBook
}

export interface StoreInit {
  /** The LevelDB folder (also the store's name in error messages when `db` is given). */
  path: string
  /**
   * Time, and the timers of the write-fault retry and of a group-commit window: with a
   * virtual clock (the simulator) the store starts no real timer. Default: wall clock.
   */
  clock?: Clock
  /**
   * Makes the database instead of LevelDB at `path`: the simulator passes an in-memory one
   * (memory-level), the same instance at each open, so a node's store survives a restart.
   */
  db?: () => RootDb
  options?: {
    tombstoneGraceMs?: number
    groupCommitWindowMs?: number
    /** How long after a failed write (or reopen) the store tries again (default WRITE_FAULT_RETRY_MS). */
    writeFaultRetryMs?: number
  }
  /** Decodes stored envelope bytes; defaults to the envelope codec's decodeEnvelope. */
  decode?: (bytes: Uint8Array) => Envelope
}
