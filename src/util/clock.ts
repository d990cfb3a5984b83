/**
 * Time for every module of the node's path: a clock that says what time it is and, when it
 * carries them, starts and cancels timers. The daemon uses the wall clock and Node's timers
 * (the defaults); the simulator injects a virtual clock (src/sim/clock.ts) whose timers fire
 * in virtual time, so that nothing in the simulated path reads the wall clock or waits on a
 * real timer. A module given a clock without timers falls back to Node's (tests that only
 * fix `now`).
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now: () => number
  /** Runs `fn` after `ms` of this clock's time; the handle is for clearTimeout. */
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

/** A clock that certainly has timers (what modules use after `timersOf`). */
export interface TimerClock {
  now: () => number
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

/** Node's timer, optionally not keeping the process alive (periodic housekeeping). */
function realSetTimeout (fn: () => void, ms: number, unref: boolean): unknown {
  const t = setTimeout(fn, ms)
  if (unref) t.unref()
  return t
}

const realClearTimeout = (h: unknown): void => { clearTimeout(h as ReturnType<typeof setTimeout>) }

/** The wall clock and Node's timers. */
export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => realSetTimeout(fn, ms, false),
  clearTimeout: realClearTimeout
}

/**
 * The clock's own timers, or Node's when it has none. With `unref`, Node's timers do not
 * keep the process alive (a virtual clock's timers are the simulator's business).
 */
export function timersOf (clock: Clock | undefined, options: { unref?: boolean } = {}): TimerClock {
  const now = clock?.now ?? systemClock.now
  if (clock?.setTimeout !== undefined && clock.clearTimeout !== undefined) {
    return { now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }
  }
  const unref = options.unref === true
  return { now, setTimeout: (fn, ms) => realSetTimeout(fn, ms, unref), clearTimeout: realClearTimeout }
}
