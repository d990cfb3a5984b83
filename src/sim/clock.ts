/**
 * Virtual time for the simulator: a clock whose timers fire in simulated time, as fast as
 * the machine can run them, and in one order for a given history — the basis of a
 * deterministic run. It is every kind of clock the node's modules take (src/util/clock.ts
 * Clock with timers, the sync session's SyncClock, the links' LinkClock).
 *
 * The driver (`runUntil`) fires timers one at a time, earliest first (ties in the order
 * they were set), and after each lets the process settle: every promise, microtask and
 * setImmediate that the callback set off runs before virtual time moves on. That works
 * because nothing in the simulated path does real I/O or waits on a real timer: the store is
 * in memory (memory-level answers through microtasks), signatures are verified inline.
 * With the store on disk, `ioPending` tells the driver that LevelDB still has work out.
 *
 * @example
 * const clock = new VirtualClock(Date.UTC(2023, 9, 25))
 * clock.setTimeout(() => console.log('an hour later', clock.now()), 3_600_000)
 * await clock.runUntil(clock.now() + 86_400_000) // a simulated day, in milliseconds of wall time
 */
import { C5Error } from '../errors.js'

interface Timer { at: number, seq: number, fn: () => void, cancelled: boolean }

/** Settling rounds (setImmediate turns) after which the driver gives up: something spins. */
export const MAX_SETTLE_TURNS = 1_000_000

export interface VirtualClockOptions {
  /** Whether real I/O of the simulated path (a store on disk) is still under way. */
  ioPending?: () => boolean
}

/** True while setImmediate callbacks other than the driver's are queued. */
function immediatesQueued (): boolean {
  return process.getActiveResourcesInfo().includes('Immediate')
}

const turn = async (): Promise<void> => { await new Promise<void>(resolve => { setImmediate(resolve) }) }

export class VirtualClock {
  #now: number
  #seq = 0
  #heap: Timer[] = []
  #fired = 0
  readonly #ioPending: (() => boolean) | undefined

  constructor (startMs: number, options: VirtualClockOptions = {}) {
    if (!Number.isSafeInteger(startMs)) throw new C5Error('CONFIG_INVALID', 'a virtual clock starts at an integer time (ms)')
    this.#now = startMs
    this.#ioPending = options.ioPending
  }

  /** The virtual time, ms since the epoch (bound, so it can be passed around as `now`). */
  readonly now = (): number => this.#now

  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    // Whole milliseconds, rounded up, as Node's timers: the time is always an integer
    // (the store and the envelope checks take integer times).
    const delay = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 0
    const t: Timer = { at: this.#now + delay, seq: this.#seq++, fn, cancelled: false }
    this.#push(t)
    return t
  }

  readonly clearTimeout = (handle: unknown): void => {
    if (handle !== null && typeof handle === 'object' && 'cancelled' in handle) (handle as Timer).cancelled = true
  }

  readonly sleep = async (ms: number): Promise<void> => {
    await new Promise<void>(resolve => { this.setTimeout(resolve, ms) })
  }

  /** Timers fired so far (the simulator's event count). */
  get fired (): number { return this.#fired }

  /** When the next live timer is due, if any. */
  nextAt (): number | undefined {
    this.#dropCancelled()
    return this.#heap[0]?.at
  }

  /** Lets everything the last step set off run (promises, microtasks, immediates, disk I/O). */
  async settle (): Promise<void> {
    for (let turns = 0; turns < MAX_SETTLE_TURNS; turns++) {
      await turn()
      if (!immediatesQueued() && this.#ioPending?.() !== true) return
    }
    throw new C5Error('SIM_STALLED', `the simulated path did not settle after ${MAX_SETTLE_TURNS} turns of the event loop (something in it spins)`)
  }

  /**
   * Fires every timer due up to `untilMs` (settling after each), then sets the time to
   * `untilMs`. `onStep` runs after each timer, e.g. for a progress bar; returning false
   * stops the run early (the time is then that of the last timer).
   */
  async runUntil (untilMs: number, onStep?: () => boolean | undefined): Promise<void> {
    await this.settle()
    for (;;) {
      const next = this.nextAt()
      if (next === undefined || next > untilMs) break
      const t = this.#pop()
      this.#now = Math.max(this.#now, t.at)
      this.#fired++
      t.fn()
      await this.settle()
      if (onStep?.() === false) return
    }
    if (untilMs > this.#now) this.#now = untilMs
  }

  #dropCancelled (): void {
    while (this.#heap.length > 0 && this.#heap[0].cancelled) this.#pop()
  }

  // A binary min-heap on (at, seq): equal times fire in the order they were set.
  #less (a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq) }

  #push (t: Timer): void {
    const h = this.#heap
    h.push(t)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.#less(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  #pop (): Timer {
    const h = this.#heap
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.#less(h[l], h[m])) m = l
        if (r < h.length && this.#less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
  }
}
