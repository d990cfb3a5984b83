/**
 * In-memory link pairs: two connected Links in one process, for tests and the simulator
 * (docs/protocol/links.md §2). Frames are copied on send, delivered in order, and each
 * direction has a bounded buffer, so a fast sender waits for a slow reader (backpressure).
 * Optional shaping — a one-way latency and a bandwidth in bytes per second — runs on an
 * injected clock so the simulator can use virtual time.
 *
 * @example
 * const [a, b] = memoryLinkPair({ maxFrameBytes: 1024 })
 * await a.send(new Uint8Array([1, 2, 3]))
 * for await (const frame of b.frames()) { console.log(frame); break }
 * await a.close()
 */
import { C5Error } from '../../errors.js'
import { DEFAULT_MAX_FRAME_BYTES, type Link } from '../types.js'
import { systemClock, type LinkClock } from '../clock.js'
import { FrameQueue, FRAME_OVERHEAD_BYTES } from '../frame-queue.js'

/** Per-direction buffer, in frames of the largest size (plus overhead), unless set. */
export const DEFAULT_QUEUE_FRAMES = 4

export interface MemoryLinkOptions {
  /** Largest frame either side may send (default DEFAULT_MAX_FRAME_BYTES). */
  maxFrameBytes?: number
  /** Bytes buffered per direction before `send` waits (default 4 × (maxFrameBytes + overhead)). */
  queueBytes?: number
  /** Bandwidth of each direction; frames take `bytes / bytesPerSecond` to leave (default: unlimited). */
  bytesPerSecond?: number
  /** One-way delay added to every frame, in ms (default 0). */
  latencyMs?: number
  /** Time source for shaping (default: the wall clock). */
  clock?: LinkClock
  /** Labels the two ends report as `remote` (default 'memory:a' / 'memory:b'). */
  names?: [string, string]
  /** Keys the two ends report as `remoteKey` (a's key, b's key); default undefined. */
  keys?: [Uint8Array | undefined, Uint8Array | undefined]
}

interface Shared { closed: boolean }

interface Direction {
  /** The receiving end's buffer. */
  queue: FrameQueue
  /** When the previous frame finished leaving (bandwidth shaping). */
  lastDepartAt: number
}

/** Two Links joined back to back: what `a` sends, `b` receives, and the reverse. */
export function memoryLinkPair (options: MemoryLinkOptions = {}): [Link, Link] {
  const maxFrameBytes = positiveInt('maxFrameBytes', options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES)
  const queueBytes = positiveInt('queueBytes', options.queueBytes ?? DEFAULT_QUEUE_FRAMES * (maxFrameBytes + FRAME_OVERHEAD_BYTES))
  if (queueBytes < maxFrameBytes + FRAME_OVERHEAD_BYTES) {
    throw new C5Error('LINK_BAD_ARGUMENT', `queueBytes must hold one largest frame: at least ${maxFrameBytes + FRAME_OVERHEAD_BYTES}`)
  }
  const bytesPerSecond = options.bytesPerSecond === undefined ? undefined : positiveNumber('bytesPerSecond', options.bytesPerSecond)
  const latencyMs = options.latencyMs === undefined ? 0 : nonNegativeNumber('latencyMs', options.latencyMs)
  const clock = options.clock ?? systemClock
  const shaped = bytesPerSecond !== undefined || latencyMs > 0
  const [nameA, nameB] = options.names ?? ['memory:a', 'memory:b']
  const [keyA, keyB] = options.keys ?? [undefined, undefined]

  const shared: Shared = { closed: false }
  const toA: Direction = { queue: new FrameQueue({ capacityBytes: queueBytes, clock }), lastDepartAt: 0 }
  const toB: Direction = { queue: new FrameQueue({ capacityBytes: queueBytes, clock }), lastDepartAt: 0 }
  const shaping = shaped ? { clock, bytesPerSecond, latencyMs } : undefined
  const a = new MemoryLink({ remote: nameB, remoteKey: keyB, maxFrameBytes, shared, inbox: toA, outbox: toB, shaping })
  const b = new MemoryLink({ remote: nameA, remoteKey: keyA, maxFrameBytes, shared, inbox: toB, outbox: toA, shaping })
  return [a, b]
}

interface MemoryLinkInit {
  remote: string
  remoteKey: Uint8Array | undefined
  maxFrameBytes: number
  shared: Shared
  inbox: Direction
  outbox: Direction
  shaping: { clock: LinkClock, bytesPerSecond: number | undefined, latencyMs: number } | undefined
}

class MemoryLink implements Link {
  readonly remote: string
  readonly remoteKey?: Uint8Array
  readonly maxFrameBytes: number
  readonly #shared: Shared
  readonly #inbox: Direction
  readonly #outbox: Direction
  readonly #shaping: MemoryLinkInit['shaping']

  constructor (init: MemoryLinkInit) {
    this.remote = init.remote
    if (init.remoteKey !== undefined) this.remoteKey = init.remoteKey
    this.maxFrameBytes = init.maxFrameBytes
    this.#shared = init.shared
    this.#inbox = init.inbox
    this.#outbox = init.outbox
    this.#shaping = init.shaping
  }

  get closed (): boolean { return this.#shared.closed }

  async send (frame: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!(frame instanceof Uint8Array)) throw new C5Error('LINK_BAD_ARGUMENT', 'a frame is a Uint8Array')
    if (frame.byteLength > this.maxFrameBytes) {
      throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.byteLength} bytes exceeds ${this.maxFrameBytes}`, { details: { bytes: frame.byteLength, maxFrameBytes: this.maxFrameBytes } })
    }
    this.#assertOpen()
    const copy = frame.slice()
    const queue = this.#outbox.queue
    try {
      await queue.waitForSpace(FrameQueue.cost(copy), options.signal)
    } catch (cause) {
      if (options.signal?.aborted === true && cause === options.signal.reason) throw cause
      throw new C5Error('LINK_CLOSED', 'link closed while the frame waited to be sent', { cause })
    }
    // A close or abort while waiting: the frame was never accepted.
    this.#assertOpen()
    queue.push(copy, this.#deliverAt(copy.byteLength))
  }

  frames (): AsyncIterable<Uint8Array> {
    return this.#inbox.queue.frames()
  }

  async close (): Promise<void> {
    if (this.#shared.closed) return
    this.#shared.closed = true
    // Both directions end after what was already sent (types.ts: "both sides see the end").
    this.#inbox.queue.end()
    this.#outbox.queue.end()
  }

  abort (reason?: Error): void {
    const wasClosed = this.#shared.closed
    this.#shared.closed = true
    const err = new C5Error('LINK_ABORTED', reason?.message ?? 'link aborted', { cause: reason })
    // After a clean close, an abort still tears down whatever is undelivered.
    if (wasClosed && this.#inbox.queue.length === 0 && this.#outbox.queue.length === 0) return
    this.#inbox.queue.fail(err)
    this.#outbox.queue.fail(err)
  }

  #assertOpen (): void {
    if (this.#shared.closed) throw new C5Error('LINK_CLOSED', 'link is closed')
  }

  /** When a frame sent now arrives: after the frames ahead of it leave, its own transmission, and the latency. */
  #deliverAt (bytes: number): number {
    const s = this.#shaping
    if (s === undefined) return 0
    const now = s.clock.now()
    const txMs = s.bytesPerSecond === undefined ? 0 : (bytes * 1000) / s.bytesPerSecond
    const departAt = Math.max(now, this.#outbox.lastDepartAt) + txMs
    this.#outbox.lastDepartAt = departAt
    // deliverAt 0 means "now" to the queue; keep shaped times strictly positive.
    return Math.max(departAt + s.latencyMs, 1)
  }
}

function positiveInt (name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new C5Error('LINK_BAD_ARGUMENT', `${name} must be a positive integer, got ${String(v)}`)
  return v
}

function positiveNumber (name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new C5Error('LINK_BAD_ARGUMENT', `${name} must be a positive number, got ${String(v)}`)
  return v
}

function nonNegativeNumber (name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new C5Error('LINK_BAD_ARGUMENT', `${name} must be a number ≥ 0, got ${String(v)}`)
  return v
}
