/**
 * The sync protocol's libp2p edge (docs/protocol/links.md §3): `handleLinks` turns every
 * inbound /c5mesh/sync/1.0.0 stream into a Link; `openLink` dials and opens one.
 */
import type { Connection, PeerId, Stream, StreamHandlerOptions } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { C5Error } from '../../errors.js'
import type { Link } from '../types.js'
import { streamLink, type StreamLinkOptions } from './stream-link.js'
import { MAX_INBOUND_SYNC_STREAMS, MAX_OUTBOUND_SYNC_STREAMS, OPEN_LINK_TIMEOUT_MS, SYNC_PROTOCOL } from './constants.js'

/** The part of a libp2p node these helpers use. */
export interface LinkHost {
  handle: (protocol: string, handler: (stream: Stream, connection: Connection) => void | Promise<void>, options?: StreamHandlerOptions) => Promise<void>
  unhandle: (protocol: string) => Promise<void>
  dial: (peer: PeerId | Multiaddr | Multiaddr[], options?: { signal?: AbortSignal }) => Promise<Connection>
}

export interface OpenLinkOptions extends StreamLinkOptions {
  /** Cancels the dial and protocol negotiation (default: OPEN_LINK_TIMEOUT_MS). */
  signal?: AbortSignal
}

function parseAddr (s: string): Multiaddr {
  try {
    return multiaddr(s)
  } catch (cause) {
    throw new C5Error('LINK_BAD_ARGUMENT', `not a multiaddr: ${s}`, { cause })
  }
}

const STREAM_LIMITS = { maxInboundStreams: MAX_INBOUND_SYNC_STREAMS, maxOutboundStreams: MAX_OUTBOUND_SYNC_STREAMS }

/**
 * Dials a peer (PeerId, or a multiaddr — object or string — with /p2p/) and opens a sync
 * stream as a Link.
 * Throws C5Error LINK_REFUSED when the dial or negotiation fails (gater, unreachable,
 * protocol not supported), with the libp2p error as cause.
 */
export async function openLink (node: LinkHost, peer: PeerId | Multiaddr | string, options: OpenLinkOptions = {}): Promise<Link> {
  const target = typeof peer === 'string' ? parseAddr(peer) : peer
  const signal = options.signal ?? AbortSignal.timeout(OPEN_LINK_TIMEOUT_MS)
  let connection: Connection
  let stream: Stream
  try {
    connection = await node.dial(target, { signal })
    stream = await connection.newStream(SYNC_PROTOCOL, { signal, ...STREAM_LIMITS })
  } catch (cause) {
    throw new C5Error('LINK_REFUSED', `cannot open ${SYNC_PROTOCOL} to ${peer.toString()}: ${(cause as Error)?.message ?? String(cause)}`, { cause })
  }
  return streamLink(stream, connection, options)
}

/**
 * Registers the sync protocol handler; each inbound stream becomes a Link given to
 * `onLink`. Returns a function that unregisters it.
 */
export async function handleLinks (node: LinkHost, onLink: (link: Link) => void, options: StreamLinkOptions = {}): Promise<() => Promise<void>> {
  await node.handle(SYNC_PROTOCOL, (stream, connection) => {
    let link: Link
    try {
      link = streamLink(stream, connection, options)
    } catch (err) {
      stream.abort(err as Error)
      return
    }
    try {
      onLink(link)
    } catch (err) {
      // A consumer that cannot take the link must not leave the stream open.
      link.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }, STREAM_LIMITS)
  return async () => { await node.unhandle(SYNC_PROTOCOL) }
}
