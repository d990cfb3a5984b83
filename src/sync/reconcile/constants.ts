/**
 * Constants of the reconciliation engine (docs/protocol/reconcile.md). Units are in the names.
 */

/** First byte of every reconciliation message. */
export const RECONCILE_VERSION = 1

/** Bytes of an id (sha2-256 digest of a signed envelope). */
export const ID_BYTES = 32
/** Bytes of a coded symbol's checksum field (two MurmurHash3 words). */
export const CHECKSUM_BYTES = 8
/** Bytes of one coded symbol on the wire: XOR of ids + XOR of checksums (no count: §Symbols). */
export const SYMBOL_BYTES = ID_BYTES + CHECKSUM_BYTES
/** Bytes of the set digest carried by HELLO and SKETCH (truncated sha2-256). */
export const SET_DIGEST_BYTES = 16
/** Longest accepted varint: 8 bytes carry 56 bits, enough for 2^53 − 1. */
export const MAX_VARINT_BYTES = 8

/** A set this small is sent as a full LIST at once instead of HELLO (cheaper than a sketch). */
export const INLINE_LIST_MAX_ITEMS = 8
/** Buckets per level of the difference-size sketch. */
export const SKETCH_BUCKETS = 32
/** Upper bound of sketch levels accepted or produced. */
export const SKETCH_MAX_LEVELS = 24
/** Upper bound of sketch cells (levels × buckets, 4 bits each) accepted from a peer. */
export const SKETCH_MAX_CELLS = 2048

/** Symbols sent in the first batch = ceil(FIRST_BATCH_PER_DIFF × d̂ + FIRST_BATCH_EXTRA). */
export const FIRST_BATCH_PER_DIFF = 1.8
export const FIRST_BATCH_EXTRA = 6
/** A retry asks for this many times the symbols received so far. */
export const RETRY_GROWTH = 1.5
/** After this many MORE requests without success, the decoder falls back to a full list. */
export const MAX_RETRIES = 3
/**
 * MOREs an encoder answers in one reconciliation. Honest decoders send at most 3, or, when
 * no LIST fits, one per ×1.5 growth up to maxSymbols (log1.5(262,144) ≈ 31).
 */
export const MAX_MORE_SERVED = 40

/** Default upper bound on coded symbols in one reconciliation (40 B each: 10 MiB). */
export const DEFAULT_MAX_SYMBOLS = 262_144
/** Default largest message, sent or accepted: the sync session's reassembly cap. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024
/** Header bytes of a LIST or SYMBOLS message at most: version, type, two 8-byte varints. */
export const MESSAGE_OVERHEAD_MAX_BYTES = 18
/** Default upper bound on the items of a set (ours, or a peer's LIST): 128 MiB of ids. */
export const DEFAULT_MAX_ITEMS = 4_194_304

/** Message type bytes (second byte of every message). */
export const MSG_HELLO = 0x01
export const MSG_SKETCH = 0x02
export const MSG_SYMBOLS = 0x03
export const MSG_MORE = 0x04
export const MSG_LIST = 0x05
export const MSG_LIST_REQUEST = 0x06
export const MSG_DONE = 0x07
