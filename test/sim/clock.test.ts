/** The simulator's virtual clock: order of timers, cancellation, settling between them. */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/sim/clock.js'

describe('VirtualClock', () => {
  it('fires timers earliest first, ties in the order set, and moves time to each', async () => {
    const c = new VirtualClock(1_000)
    const seen: Array<[string, number]> = []
    c.setTimeout(() => seen.push(['b', c.now()]), 50)
    c.setTimeout(() => seen.push(['a', c.now()]), 10)
    c.setTimeout(() => seen.push(['b2', c.now()]), 50)
    const cancelled = c.setTimeout(() => seen.push(['never', c.now()]), 20)
    c.clearTimeout(cancelled)
    c.setTimeout(() => seen.push(['late', c.now()]), 5_000)
    await c.runUntil(2_000)
    expect(seen).toEqual([['a', 1_010], ['b', 1_050], ['b2', 1_050]])
    expect(c.now()).toBe(2_000)
    expect(c.nextAt()).toBe(6_000)
    expect(c.fired).toBe(3)
  })

  it('keeps time in whole milliseconds (fractional delays round up)', async () => {
    const c = new VirtualClock(0)
    let at = -1
    c.setTimeout(() => { at = c.now() }, 0.25)
    await c.runUntil(10)
    expect(at).toBe(1)
  })

  it('lets promises, microtasks and immediates a timer sets off finish before time moves on', async () => {
    const c = new VirtualClock(0)
    const log: string[] = []
    c.setTimeout(() => {
      void (async () => {
        await Promise.resolve()
        await new Promise<void>(resolve => { setImmediate(resolve) })
        await new Promise<void>(resolve => { setImmediate(() => { setImmediate(resolve) }) })
        log.push(`chain done at ${c.now()}`)
        c.setTimeout(() => log.push(`follow-up at ${c.now()}`), 5)
      })()
    }, 10)
    c.setTimeout(() => log.push(`second at ${c.now()}`), 12)
    await c.runUntil(100)
    expect(log).toEqual(['chain done at 10', 'second at 12', 'follow-up at 15'])
  })

  it('sleep resolves after virtual time, not wall time', async () => {
    const c = new VirtualClock(0)
    let woke = false
    void c.sleep(86_400_000).then(() => { woke = true })
    const wall0 = performance.now()
    await c.runUntil(86_400_000)
    expect(woke).toBe(true)
    expect(performance.now() - wall0).toBeLessThan(1_000)
  })
})
