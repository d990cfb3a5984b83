/**
 * Store defaults and on-disk constants (docs/protocol/store.md). Units are in the names.
 */

/** Version of the on-disk layout described in docs/protocol/store.md. */
export const STORE_SCHEMA_VERSION = 1

/**
 * How long an expired message's digest is kept as a tombstone after its `expires`:
 * long enough that a peer that was offline for weeks cannot bring the message back
 * (DESIGN.md, "Duplicates and replays").
 */
export const TOMBSTONE_GRACE_MS = 30 * 24 * 60 * 60 * 1000

/** Messages read per nextv and getMany by scanKindBatches (bounds its memory). */
export const SCAN_BATCH_MESSAGES = 512
/** Batches whose records are being read while the caller works (scanKindBatches): reads overlap decoding. */
export const SCAN_READ_AHEAD = 3

/** Query result sizes. */
export const QUERY_LIMIT_DEFAULT = 100
export const QUERY_LIMIT_MAX = 10_000

/**
 * Group commit: sync puts arriving within this window after the first one share one synced
 * batch. 0 means "the same turn of the event loop" (setImmediate).
 */
export const GROUP_COMMIT_WINDOW_MS = 0

/** After a failed write, the store tries to reopen LevelDB at most this often (on a write). */
export const WRITE_FAULT_RETRY_MS = 5_000

/**
 * A group starts writing as soon as this many writes are waiting, without waiting for the
 * window. Why: everything a busy node ingests in one turn of the event loop would otherwise
 * wait for one batch that starts only after the turn, so the main thread would idle while
 * LevelDB writes; written in slices, the next slice is verified while the last is written
 * (bench/ingest: 512 ingests in flight).
 */
export const GROUP_COMMIT_MAX_MEMBERS = 64

/** Expired messages removed per atomic batch by the sweeper (bounds memory per batch). */
export const SWEEP_BATCH_MESSAGES = 256

/** Default period of the expiry sweeper. */
export const SWEEP_INTERVAL_MS = 60_000

/** Meta values: names and sizes (the signed roster is the largest expected value). */
export const META_NAME_MAX_CHARS = 128
export const META_VALUE_MAX_BYTES = 4 * 1024 * 1024

/** Peer records: bounds so a misbehaving peer cannot grow a record without limit. */
export const PEER_ADDRS_MAX = 32
export const PEER_ADDR_MAX_CHARS = 1024

/** Message record source label, e.g. "peer:12D3Koo…": bounded so a record stays small. */
export const SOURCE_MAX_BYTES = 1024

/** sha2-256 digests. */
export const DIGEST_BYTES = 32
