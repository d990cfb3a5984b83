/**
 * A cap on concurrent expensive requests (listings, details, matrices): at most `max` run
 * at once and `queue` wait; past that, or after waiting `waitMs`, API_BUSY (503, with
 * Retry-After). Cheap routes (health, status, posts) never wait behind them. Written here
 * because it is a dozen lines: a counter, a queue and a timer.
 */
import { C5Error } from '../errors.js'
import { timersOf, type Clock } from '../util/clock.js'

export interface Gate {
  run: <T>(work: () => Promise<T>) => Promise<T>
  stats: () => { running: number, waiting: number, refused: number }
}

export function createGate (max: number, queue: number, waitMs: number, clockIn?: Clock): Gate {
  const clock = timersOf(clockIn, { unref: true })
  let running = 0
  let refused = 0
  const waiting: Array<{ go: () => void, timer: unknown }> = []
  const busy = (): C5Error => { refused++; return new C5Error('API_BUSY', `the node is answering ${max} queries already; try again in a moment`) }

  async function acquire (): Promise<void> {
    if (running < max) { running++; return }
    if (waiting.length >= queue) throw busy()
    await new Promise<void>((resolve, reject) => {
      const entry = {
        go: () => { clock.clearTimeout(entry.timer); running++; resolve() },
        timer: clock.setTimeout(() => { waiting.splice(waiting.indexOf(entry), 1); reject(busy()) }, waitMs) as unknown
      }
      waiting.push(entry)
    })
  }
  function release (): void {
    running--
    waiting.shift()?.go()
  }
  return {
    async run (work) {
      await acquire()
      try { return await work() } finally { release() }
    },
    stats: () => ({ running, waiting: waiting.length, refused })
  }
}
