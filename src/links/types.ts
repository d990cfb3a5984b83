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
   */
  send (frame: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
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

/** Default largest frame on stream links (libp2p, memory): one max envelope plus headers. */
export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024
