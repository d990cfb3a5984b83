/**
 * The MSG ingests of one session that run at once (docs/protocol/sync.md §4.1, "ready —
 * receiving"). A MSG's ingest (decode, a store look-up, a signature check on a worker, a
 * store write) waits on other threads for most of its time; handled one at a time, a link
 * that carries a few messages a second at a loaded node queues them for seconds. The window
 * lets up to `maxCount` ingests (and `maxBytes` of their frames; one always fits) run
 * together; the receive loop stops reading while it is full, so the link's own
 * backpressure still holds the sender back, and it drains the window before any frame that
 * must follow the MSGs before it (ROSTER, the session's end).
 */
export class IngestWindow {
  readonly maxCount: number
  readonly maxBytes: number
  #running = 0
  #bytes = 0
  #waiters: Array<() => void> = []

  constructor (maxCount: number, maxBytes: number) {
    this.maxCount = maxCount
    this.maxBytes = maxBytes
  }

  get running (): number { return this.#running }

  /**
   * Starts `task` (whose frame is `bytes` long; it must not reject) and resolves once the
   * window has room for another.
   */
  async add (bytes: number, task: () => Promise<void>): Promise<void> {
    this.#running++
    this.#bytes += bytes
    void task().finally(() => {
      this.#running--
      this.#bytes -= bytes
      const waiters = this.#waiters
      this.#waiters = []
      for (const w of waiters) w()
    })
    while (this.#running >= this.maxCount || (this.#running > 0 && this.#bytes >= this.maxBytes)) await this.#changed()
  }

  /** Resolves when every started task has finished. */
  async drain (): Promise<void> {
    while (this.#running > 0) await this.#changed()
  }

  async #changed (): Promise<void> {
    await new Promise<void>(resolve => { this.#waiters.push(resolve) })
  }
}
