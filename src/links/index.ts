/**
 * Links: one interface for every medium that carries frames between two nodes — libp2p
 * streams, in-memory pairs, (later) KISS radio and bundle files. Contract and rules:
 * docs/protocol/links.md §1; every adapter passes test/links/compliance.ts.
 *
 * The libp2p adapter and host live in './libp2p/index.js' (imported separately: it loads
 * the libp2p stack).
 *
 * @example
 * import { memoryLinkPair } from './links/index.js'
 * const [a, b] = memoryLinkPair({ maxFrameBytes: 4096, latencyMs: 20 })
 * await a.send(Uint8Array.of(1))
 * for await (const f of b.frames()) { … }
 */
export { DEFAULT_MAX_FRAME_BYTES, type Link, type SendOptions, type RadioPort } from './types.js'
export { memoryLinkPair, DEFAULT_QUEUE_FRAMES, type MemoryLinkOptions } from './memory/index.js'
export { systemClock, type LinkClock } from './clock.js'
export { FrameQueue, FRAME_OVERHEAD_BYTES, type FrameQueueInit } from './frame-queue.js'
