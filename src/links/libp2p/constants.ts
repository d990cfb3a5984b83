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

/**
 * Inbound connections that may be between accept and the end of their upgrade (Noise and
 * Yamux negotiated) at once — libp2p's default is 10, which a dozen idle sockets from an
 * outsider fill (issue 13.6: 15 of 19 roster dials failed). A roster of ~40 nodes all
 * reconnecting after an outage fits several times over. Addresses on the allow list
 * (roster peers' known addresses, config connections.allow) are not counted against it.
 */
export const MAX_PENDING_INBOUND_CONNECTIONS = 128

/**
 * How long an inbound connection may take to finish its upgrade (multistream-select, Noise
 * XX, Yamux: about four round trips) before it is dropped — libp2p's default is 10 s. Four
 * round trips of a 700 ms satellite link fit; an idle socket holds its pending slot at most
 * this long.
 */
export const INBOUND_UPGRADE_TIMEOUT_MS = 5_000

/**
 * New inbound connections per second one remote IP address may open (libp2p's default,
 * kept): with INBOUND_UPGRADE_TIMEOUT_MS it bounds the pending slots one address can hold
 * to 5 × 5 s = 25 of MAX_PENDING_INBOUND_CONNECTIONS. Allowed addresses are exempt.
 */
export const INBOUND_CONNECTIONS_PER_S_PER_HOST = 5
