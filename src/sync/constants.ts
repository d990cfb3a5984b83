/**
 * Sync protocol constants (docs/protocol/sync.md §5 "Constants"). Units are in the names.
 */

/** The sync wire format version: the first byte of every frame. */
export const SYNC_FRAME_VERSION = 1
/** The session protocol version carried in HELLO. Peers with another version are refused. */
export const SYNC_PROTOCOL_VERSION = 1
/** libp2p protocol id the node registers for sync streams. */
export const SYNC_PROTOCOL_ID = '/c5mesh/sync/1.0.0'

/** Message ids on the wire: raw 32-byte sha2-256 digests of the envelope bytes. */
export const ID_BYTES = 32
/** Node keys in HELLO: raw 32-byte Ed25519 public keys. */
export const NODE_KEY_BYTES = 32
/** HELLO nonce: breaks the initiator tie when neither side names its key. */
export const NONCE_BYTES = 8

/** Most ids in one WANT frame (32 B each → 32 KiB of ids). */
export const MAX_WANT_IDS = 1024
/** Longest ERROR code string, UTF-8 bytes. */
export const MAX_ERROR_CODE_BYTES = 64
/** Longest ERROR text, UTF-8 bytes. */
export const MAX_ERROR_TEXT_BYTES = 512
/** Largest varint accepted: 9 bytes carry 63 bits; values above 2^53 − 1 are refused. */
export const MAX_VARINT_BYTES = 9

/** How long to wait for the peer's HELLO before giving up. */
export const HELLO_TIMEOUT_MS = 30_000
/** Default pause between two reconciliation rounds started by the initiator. */
export const RECONCILE_INTERVAL_MS = 60_000
/** How long the running round may go without a RECON frame either way before the session is aborted. */
export const ROUND_TIMEOUT_MS = 120_000
/** Largest reconciliation engine message reassembled from RECON fragments (bounds memory per peer). */
export const MAX_RECON_MESSAGE_BYTES = 16 * 1024 * 1024
/** Most engine messages one round may take in either direction before it is refused. */
export const MAX_ROUND_TRIPS = 64
/** Fewest milliseconds between two rounds this side starts (its own pacing). */
export const MIN_ROUND_INTERVAL_MS = 1_000
/**
 * Rounds the peer may start: one per MIN_ROUND_INTERVAL_MS on average, with this burst to
 * absorb arrival jitter. Past it the session ends with SYNC_LIMIT_EXCEEDED (each round costs
 * a scan of our items).
 */
export const PEER_ROUND_BURST = 10
/** After sending an id, a reconciliation `have` for it is not resent for this long (it may be in flight). */
export const RESEND_AFTER_MS = 30_000

/** Ban once the sum of penalties for rejected messages reaches this. */
export const BAN_THRESHOLD = 10
/** Ids remembered per session as "the peer has it" (oldest forgotten first; ~200 B each). */
export const MAX_PEER_HAS = 20_000
/** A pushed message keeps its bytes in the queue only while fewer than this many MSGs wait (else fetched at send time). */
export const PUSH_INLINE_MAX_QUEUED = 256
/**
 * …except flash and immediate pushes, which keep their bytes while the queue's inline bytes
 * stay under this: they leave at once, often before the store has finished writing them
 * (a push follows ingest's admission, not its write), so fetching them would miss.
 */
export const PUSH_INLINE_URGENT_MAX_BYTES = 8 * 1024 * 1024
/** Most ids one round may ask for (WANT); the rest wait for the next round, started when the queue drains. */
export const MAX_NEED_PER_ROUND = 50_000
/** Most bytes of control frames waiting to leave; past it the peer is not reading (SYNC_LIMIT_EXCEEDED). */
export const MAX_CONTROL_QUEUE_BYTES = 32 * 1024 * 1024
/**
 * A frame the link has not taken for this long means the peer is not reading: the session
 * ends (SYNC_TIMEOUT) rather than hold its queue and budgets for a peer that never reads.
 * Long enough for a slow radio channel to clear a few frames.
 */
export const SEND_STALL_TIMEOUT_MS = 120_000
/** Most MSG frames waiting in one session's outgoing queue; more offers wait in the backlog. */
export const MAX_QUEUED_MESSAGES = 10_000
/**
 * Most offers (ids) waiting for room in the queue (~100 B each): the rest of a round's
 * `have` list or of a large WANT. Past it, the session reconciles again after the drain.
 */
export const MAX_OFFER_BACKLOG = 200_000
/**
 * MSG ingests one session runs at once (§4.1): ingest waits on the store and on the
 * signature workers, so one at a time queues a busy link's messages behind each other.
 */
export const MAX_INGESTS_IN_FLIGHT = 64
/** Bytes of MSG frames whose ingest is under way per session (one frame always fits). */
export const MAX_INGEST_BYTES_IN_FLIGHT = 1024 * 1024
/** Default per-peer receive rate: messages per second, and the burst allowed. */
export const RECEIVE_MESSAGES_PER_S = 1_000
export const RECEIVE_BURST_MESSAGES = 10_000

/**
 * HELLO feature bit: the sender speaks lazy push (IHAVE / PRUNE / GRAFT, §4.9). Both sides
 * must set it before either sends those frames.
 */
export const FEATURE_LAZY_PUSH = 0x01
/**
 * IHAVE announcements made within this window leave as one frame. Long enough that the
 * peer's own announcement (or push) usually arrives first and ours is dropped: an IHAVE
 * costs a frame, and most of them told the peer what it already had.
 */
export const IHAVE_FLUSH_MS = 100
/**
 * When the node knows its recent ingest time, the window is that many ingest times, between
 * IHAVE_FLUSH_MIN_MS and IHAVE_FLUSH_MS: a quiet mesh repairs a missed message sooner (the
 * window is part of every repair), a loaded one keeps the long window that saves frames.
 */
export const IHAVE_FLUSH_HOPS = 4
export const IHAVE_FLUSH_MIN_MS = 10
/**
 * An id announced by IHAVE and still missing after this long is asked for (WANT): the
 * shortest wait. It grows with the node's load (LAZY_WANT_HOPS) and after premature asks
 * (LAZY_WANT_MAX_BACKOFF).
 */
export const LAZY_WANT_DELAY_MS = 40
/**
 * The wait before a WANT is at least this many times the node's recent ingest time
 * (components.ingestMs): the eager copy may be a few hops behind the announcement, and each
 * hop costs about one ingest. Under load a fixed short wait asks for messages that are
 * merely slow.
 */
export const LAZY_WANT_HOPS = 4
/** The longest wait before asking for an announced id. */
export const LAZY_WANT_MAX_DELAY_MS = 2_000
/** Largest factor by which premature WANTs (answered by a duplicate) stretch the wait. */
export const LAZY_WANT_MAX_BACKOFF = 16
/**
 * The backoff halves every this many ms after it was last changed: a burst's premature asks
 * (measured: a light phase after a loaded one had repairs of ~300 ms, 16 × the wait) must
 * not keep stretching the waits once the load is gone.
 */
export const LAZY_WANT_BACKOFF_HALF_LIFE_MS = 2_000
/**
 * HELLO feature bit: the sender speaks credit flow control (CREDIT, §4.11). Both sides must
 * set it; then MSG frames other than flash wait for credit from the receiver.
 */
export const FEATURE_CREDIT = 0x02
/**
 * Bytes of MSG frames a sender may have unacknowledged by CREDIT (§4.11). The receiver
 * consumes at its ingest rate; everything beyond this waits in the sender's priority queue,
 * so a flash alert (which never waits for credit) is behind at most this much on the way.
 * At a loaded receiver's 1,000 small messages a second (~400 KB/s) that is ~0.3 s.
 */
export const CREDIT_WINDOW_BYTES = 128 * 1024
/** The receiver returns credit once this many MSG bytes were consumed… */
export const CREDIT_GRANT_BYTES = 32 * 1024
/** …or this long after the first unreturned byte (a quiet link returns the rest). */
export const CREDIT_GRANT_DELAY_MS = 20
/** Most announced-but-missing ids a session waits on (memory bound against IHAVE floods). */
export const MAX_LAZY_PENDING = 4_096
/** Duplicates in a row (no first delivery between them) after which a link is pruned. */
export const PRUNE_AFTER_DUPLICATES = 8
