/**
 * One link interface for every medium (libp2p stream, KISS radio, bundle file, memory pair).
 * A link carries whole frames (opaque bytes) in order, in both directions. The sync
 * protocol (src/sync) runs over any Link; every adapter passes the shared compliance suite
 * in test/links/compliance.ts.
 */
export interface Link {
  /** Stable label of the remote end for logs and counters, e.g. a PeerId string or "radio:XE1ABC-2". */
  readonly remote: string
  /** The remote node's 32-byte Ed25519 key when the link authenticated it (libp2p/Noise); else undefined. */
  readonly remoteKey?: Uint8Array
  /** Largest frame this link carries in one `send`, in bytes. */
  readonly maxFrameBytes: number
  /** True once closed or aborted, by either side. */
  readonly closed: boolean
  /**
   * Sends one frame. Resolves when the link has accepted it (applies backpressure).
   * Throws C5Error LINK_FRAME_TOO_LARGE (frame > maxFrameBytes, nothing sent) or LINK_CLOSED.
   * `rank` and `share` are hints for links on a shared medium (SendOptions); others ignore them.
   */
  send (frame: Uint8Array, options?: SendOptions): Promise<void>
  /**
   * The remote's frames in order. One consumer only. Ends when the link closes cleanly;
   * throws LINK_ABORTED (with the cause) when it breaks, LINK_FRAME_TOO_LARGE when the remote
   * sends an oversize frame (the link is then aborted).
   */
  frames (): AsyncIterable<Uint8Array>
  /** Graceful close: frames already sent are delivered, then both sides see the end. */
  close (): Promise<void>
  /** Immediate teardown; both sides' `frames()` end with LINK_ABORTED. */
  abort (reason?: Error): void
}

/**
 * Options of `Link.send`. `rank` and `share` matter only on a shared medium (a radio
 * channel, docs/protocol/links.md §1.1): there one transmission reaches every listener, so a
 * frame any listener may take goes on the air once for all of the node's links, and frames
 * are ordered by urgency across them. Point-to-point links ignore both.
 */
export interface SendOptions {
  signal?: AbortSignal
  /**
   * The precedence rank of the message this frame carries (0 flash … 3 routine). Absent: a
   * control frame, which goes before every message frame.
   */
  rank?: number
  /**
   * The frame is not for this peer alone (a MSG or a ROSTER): a shared medium sends it once,
   * to every listener. 'push' — a newly received message: not sent again if the medium
   * already carried it. 'offer' — an answer (WANT, reconciliation): not sent again if the
   * medium carried it moments ago.
   */
  share?: 'push' | 'offer'
}

/**
 * A station's access to a shared radio channel: a TNC behind KISS (src/links/kiss) or the
 * in-memory channel (src/links/broadcast). Every frame transmitted is heard by every other
 * station in range, or lost there; never corrupted (the modem checks the CRC), never
 * duplicated. One frame is on the air at a time (docs/protocol/links.md §7).
 */
export interface RadioPort {
  /** For logs: "kiss-tcp:127.0.0.1:8001", "memory:b". */
  readonly label: string
  /** Largest frame the modem carries, in bytes. */
  readonly maxFrameBytes: number
  /** Bits per second on the air. */
  readonly bitRate: number
  /** How long transmitting this frame keeps the channel, ms (key-up included). */
  airtimeMs: (frame: Uint8Array) => number
  /**
   * Transmits one frame; resolves once it has left the air (the caller paces on it: a frame
   * waiting here is still the caller's to reorder). One call at a time. LINK_FRAME_TOO_LARGE
   * over maxFrameBytes; LINK_CLOSED after close.
   */
  transmit: (frame: Uint8Array) => Promise<void>
  /** The frames heard, in order of reception. One consumer; ends on close. */
  frames: () => AsyncIterable<Uint8Array>
  close: () => Promise<void>
}

/** Default largest frame on stream links (libp2p, memory): one max envelope plus headers. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024
