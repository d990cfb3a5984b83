/**
 * A bounded, single-consumer queue of frames: the receive buffer behind every Link adapter
 * (docs/protocol/links.md §1). It counts bytes, not frames — each frame costs its length
 * plus FRAME_OVERHEAD_BYTES, so a peer streaming empty frames is bounded too.
 *
 * Ending is either clean (`end()`: queued frames are still delivered, then iteration stops)
 * or an abort (`fail(err)`: queued frames are dropped, iteration throws `err` at once).
 */
import type { LinkClock } from './clock.js'

/** Book-keeping cost of one queued frame beyond its bytes (array slot, object, view). */
export const FRAME_OVERHEAD_BYTES = 64

interface Entry { frame: Uint8Array, cost: number, deliverAt: number }

export interface FrameQueueInit {
  /** Most bytes (frames' lengths + overhead) held at once; a single frame always fits. */
  capacityBytes: number
  /** Called when the consumer takes a frame and the queue drops to half capacity or less. */
  onLowWater?: () => void
  /** Needed only when frames carry a `deliverAt` in the future (shaped links). */
  clock?: LinkClock
}

export class FrameQueue {
  readonly capacityBytes: number
  #entries: Entry[] = []
  #head = 0
  #queuedBytes = 0
  #ended = false
  #error: Error | undefined
  #wakers: Array<() => void> = []
  readonly #onLowWater: (() => void) | undefined
  readonly #clock: LinkClock | undefined

  constructor (init: FrameQueueInit) {
    this.capacityBytes = init.capacityBytes
    this.#onLowWater = init.onLowWater
    this.#clock = init.clock
  }

  get queuedBytes (): number { return this.#queuedBytes }
  get length (): number { return this.#entries.length - this.#head }
  /** True once `end()` or `fail()` was called. */
  get finished (): boolean { return this.#ended || this.#error !== undefined }
  get error (): Error | undefined { return this.#error }

  static cost (frame: Uint8Array): number { return frame.byteLength + FRAME_OVERHEAD_BYTES }

  /** True when a frame of this cost may be pushed now without passing capacity. */
  hasSpace (cost: number): boolean {
    return this.length === 0 || this.#queuedBytes + cost <= this.capacityBytes
  }

  /** Appends a frame (the caller keeps within capacity, or the adapter pauses its source). */
  push (frame: Uint8Array, deliverAt = 0): void {
    if (this.finished) return
    const cost = FrameQueue.cost(frame)
    this.#entries.push({ frame, cost, deliverAt })
    this.#queuedBytes += cost
    this.#wake()
  }

  /** Waits until `hasSpace(cost)`; rejects with the queue's error if it fails first. */
  async waitForSpace (cost: number, signal?: AbortSignal): Promise<void> {
    while (!this.hasSpace(cost)) {
      if (this.#error !== undefined) throw this.#error
      if (this.#ended) return
      await this.#changed(signal)
    }
  }

  /** Clean end: frames already queued are delivered first. */
  end (): void {
    if (this.finished) return
    this.#ended = true
    this.#wake()
  }

  /** Abort: queued frames are dropped and the consumer sees `err`. */
  fail (err: Error): void {
    if (this.#error !== undefined) return
    this.#error = err
    this.#entries = []
    this.#head = 0
    this.#queuedBytes = 0
    this.#wake()
  }

  /** The frames in order; ends after `end()`, throws after `fail()`. */
  async * frames (): AsyncGenerator<Uint8Array> {
    while (true) {
      if (this.#error !== undefined) throw this.#error
      if (this.length > 0) {
        const entry = this.#entries[this.#head]
        if (entry.deliverAt > 0 && this.#clock !== undefined) {
          const wait = entry.deliverAt - this.#clock.now()
          if (wait > 0) {
            await this.#raceFailure(this.#clock.sleep(wait))
            continue
          }
        }
        this.#take()
        yield entry.frame
        continue
      }
      if (this.#ended) return
      await this.#changed()
    }
  }

  #take (): void {
    const entry = this.#entries[this.#head]
    this.#head++
    this.#queuedBytes -= entry.cost
    // Compact now and then so the array does not grow with every frame ever queued.
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head)
      this.#head = 0
    }
    this.#wake()
    if (this.#onLowWater !== undefined && this.#queuedBytes * 2 <= this.capacityBytes) this.#onLowWater()
  }

  #wake (): void {
    const wakers = this.#wakers
    this.#wakers = []
    for (const w of wakers) w()
  }

  async #changed (signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(signal?.reason) }
      this.#wakers.push(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Resolves when `p` does, or as soon as the queue fails (shaped delays must not outlive an abort). */
  async #raceFailure (p: Promise<void>): Promise<void> {
    let settled = false
    const failed = new Promise<void>(resolve => {
      const waker = (): void => {
        if (this.#error !== undefined) resolve()
        else if (!settled) this.#wakers.push(waker)
      }
      this.#wakers.push(waker)
    })
    try {
      await Promise.race([p, failed])
    } finally {
      settled = true
    }
  }
}
