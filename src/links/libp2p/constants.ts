/** Constants of the libp2p link (docs/protocol/links.md §3–5). Units are in the names. */

/** The sync protocol over libp2p streams: unsigned-varint length prefix + frame, repeated. */
export const SYNC_PROTOCOL = '/c5mesh/sync/1.0.0'

/** Kad-DHT in a private namespace, so c5mesh nodes never join (or answer) the public DHT. */
export const DHT_PROTOCOL = '/c5mesh/kad/1.0.0'

/**
 * One sync session per peer pair is the norm; a few spare streams cover a session that is
 * being replaced while the old one closes. Anything beyond is refused by libp2p.
 */
export const MAX_INBOUND_SYNC_STREAMS = 4
export const MAX_OUTBOUND_SYNC_STREAMS = 4

/**
 * Largest Yamux receive window per stream. A paused stream (our reader is behind) buffers
 * at most this much before the sender stops, so it bounds memory per link; it must stay
 * below the stream's maxReadBufferLength (4 MiB in @libp2p/utils) or a paused stream resets.
 */
export const YAMUX_MAX_STREAM_WINDOW_BYTES = 1024 * 1024

/** Frames buffered per link for the reader, in largest frames (plus overhead). */
export const STREAM_QUEUE_FRAMES = 4

/** How long opening a link (dial + protocol negotiation) may take unless a signal says otherwise. */
export const OPEN_LINK_TIMEOUT_MS = 10_000
