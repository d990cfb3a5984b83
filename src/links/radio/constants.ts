/**
 * Constants of the radio link layer (docs/protocol/links.md §7). Units are in the names;
 * timers that depend on the channel's speed are in "frame times" (the airtime of one
 * largest frame on this port), so the same layer works at 1200 and 9600 bit/s.
 */

/** High nibble of the first byte of every radio frame. */
export const RADIO_FRAME_VERSION = 1
/** Low nibble: frame types. */
export const TYPE_DATA = 0
export const TYPE_DATA_PADDED = 1
export const TYPE_NACK = 2
export const TYPE_STATUS = 3

/** Direwolf refuses frames shorter than an AX.25 header: shorter radio frames are padded. */
export const MIN_FRAME_BYTES = 15
/** version/type, src tag, stream, seq, flags. */
export const DATA_HEADER_BYTES = 7
/** The first fragment of a packet also names its destination. */
export const DST_BYTES = 2
/** The destination "every station": shared frames, beacons. */
export const BROADCAST_TAG = 0xffff

/** Lanes: 0 control, then one per precedence (1 flash … 4 routine). */
export const LANE_CONTROL = 0
export const LANES = 5

/** Packet kinds (first fragment). */
export const KIND_FRAME = 0
export const KIND_HELLO = 1
export const KIND_CLOSE = 2
export const KIND_ABORT = 3

export const SEQ_MODULO = 65_536
/** A seq further than this from the expected one is a new stream, not a gap. */
export const MAX_GAP_FRAMES = 512
/** Ranges in one NACK, and seqs per range. */
export const MAX_NACK_RANGES = 16
export const MAX_NACK_RUN = 256

/** Default radio frame size: right for 1200-bit/s AFSK (about 2 s of air per frame). */
export const DEFAULT_RADIO_FRAME_BYTES = 256
/** Never above this: 1,023 bytes fit Direwolf's KISS buffer even with every byte escaped. */
export const MAX_RADIO_FRAME_BYTES = 1023
/** Smallest useful radio frame (header, destination and some payload). */
export const MIN_RADIO_FRAME_BYTES = 32

/** Largest Link frame on a radio link: one largest envelope (64 KiB) plus the sync header. */
export const DEFAULT_RADIO_LINK_MAX_FRAME_BYTES = 65_536 + 64
/** Largest packet accepted after reassembly and inflation (a Link frame or a hello). */
export const MAX_PACKET_BYTES = DEFAULT_RADIO_LINK_MAX_FRAME_BYTES + 64

/** Sent frames kept for retransmission on a NACK. */
export const RETRANSMIT_BUFFER_BYTES = 64 * 1024
/** Frames from one sender held past a gap, waiting for the missing ones. */
export const REORDER_BUFFER_BYTES = 32 * 1024
/** Bytes one link may have queued for the air before `send` waits (≈ 15 h at 1200 bit/s). */
export const LINK_QUEUE_BYTES = 8 * 1024 * 1024
/** Bytes a link's receive buffer holds; past it the link aborts (the air cannot hold a sender back). */
export const LINK_RECEIVE_BYTES = 1024 * 1024

/** Shared frames remembered as carried (heard or sent), for dedup. */
export const SHARED_MEMORY_IDS = 8192
/** An offered shared frame carried less than this many frame times ago is not sent again. */
export const REOFFER_AFTER_FRAMES = 20

/** Wait before NACKing a gap, in frame times (× a random factor in [0.5, 1.5)). */
export const NACK_DELAY_FRAMES = 1
/** Wait for the repair before NACKing again: this many frame times plus one per missing frame. */
export const NACK_RETRY_FRAMES = 4
/** NACKs for one gap before it counts as lost beyond repair. */
export const MAX_NACK_ATTEMPTS = 6
/** A seq retransmitted is not retransmitted again for this many frame times (NACKs of several receivers). */
export const RETRANSMIT_HOLDOFF_FRAMES = 2
/**
 * After a burst, STATUS (the last seq) follows once the queue has stayed empty this many
 * frame times, and again at the later marks while it stays empty: a burst's last frame and
 * its first STATUS may both be lost.
 */
export const STATUS_AFTER_IDLE_FRAMES = [0.5, 4, 16]

/** Hello: beacon period, and its jitter. */
export const BEACON_INTERVAL_MS = 10 * 60_000
/** A station that hears a beacon opens a link after a random wait up to this many frame times. */
export const OPEN_JITTER_FRAMES = 2
/** An open without reply is retried after this many frame times. */
export const OPEN_RETRY_FRAMES = 30
/** After a link ends, wait at least this long before opening again (doubles to the max). */
export const REOPEN_MIN_BACKOFF_MS = 30_000
export const REOPEN_MAX_BACKOFF_MS = 10 * 60_000
/** A close waits this long for the peer's CLOSE before the link ends anyway. */
export const CLOSE_TIMEOUT_FRAMES = 60
/** How far a hello's time may be from ours. */
export const HELLO_MAX_SKEW_MS = 10 * 60_000
/** Station ids: 1–16 of A–Z, 0–9, "-", "/" (call signs such as XE1ABC-2, or C5-YUC). */
export const STATION_ID_PATTERN = /^[A-Z0-9/-]{1,16}$/
