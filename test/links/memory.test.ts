import { describe, it, expect } from 'vitest'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { isC5Error } from '../../src/errors.js'
import type { LinkClock } from '../../src/links/clock.js'
import { runLinkCompliance } from './compliance.js'

runLinkCompliance('memory', async () => {
  const [a, b] = memoryLinkPair({ maxFrameBytes: 4096 })
  return { a, b, cleanup: async () => { a.abort() } }
}, { maxBufferedBytes: 4 * (4096 + 64) })

runLinkCompliance('memory with keys', async () => {
  const keyA = new Uint8Array(32).fill(0xaa)
  const keyB = new Uint8Array(32).fill(0xbb)
  const [a, b] = memoryLinkPair({ maxFrameBytes: 512, keys: [keyA, keyB] })
  return { a, b, keyA, keyB, cleanup: async () => { a.abort() } }
}, { propertyRuns: 10 })

/** A virtual clock: time moves only when the test advances it. */
function manualClock (): LinkClock & { advance: (ms: number) => Promise<void>, sleepers: number } {
  let now = 1000
  let sleepers: Array<{ at: number, resolve: () => void }> = []
  return {
    now: () => now,
    sleep: async (ms: number) => { await new Promise<void>(resolve => { sleepers.push({ at: now + ms, resolve }) }) },
    get sleepers () { return sleepers.length },
    advance: async (ms: number) => {
      now += ms
      const due = sleepers.filter(s => s.at <= now)
      sleepers = sleepers.filter(s => s.at > now)
      for (const s of due) s.resolve()
      // let the woken readers run
      for (let i = 0; i < 10; i++) await Promise.resolve()
    }
  }
}

describe('memoryLinkPair shaping (injected clock)', () => {
  it('holds each frame for latencyMs', async () => {
    const clock = manualClock()
    const [a, b] = memoryLinkPair({ latencyMs: 50, clock })
    const it = b.frames()[Symbol.asyncIterator]()
    await a.send(Uint8Array.of(1))
    let got: number[] | undefined
    const p = it.next().then(r => { got = Array.from(r.value as Uint8Array) })
    await clock.advance(49)
    expect(got).toBeUndefined()
    await clock.advance(1)
    await p
    expect(got).toEqual([1])
  })

  it('spaces frames by bytes / bytesPerSecond and keeps their order', async () => {
    const clock = manualClock()
    const [a, b] = memoryLinkPair({ bytesPerSecond: 1000, clock })
    await a.send(new Uint8Array(100)) // leaves at +100 ms
    await a.send(new Uint8Array(200)) // leaves at +300 ms
    const it = b.frames()[Symbol.asyncIterator]()
    const times: Array<[number, number]> = []
    const reading = (async () => {
      for (let i = 0; i < 2; i++) {
        const r = await it.next()
        times.push([(r.value as Uint8Array).byteLength, clock.now()])
      }
    })()
    for (let t = 0; t < 300; t += 10) await clock.advance(10)
    await reading
    expect(times).toEqual([[100, 1100], [200, 1300]])
  })

  it('abort during a shaped delay ends the reader with LINK_ABORTED at once', async () => {
    const clock = manualClock()
    const [a, b] = memoryLinkPair({ latencyMs: 10_000, clock })
    await a.send(Uint8Array.of(1))
    const reading = b.frames()[Symbol.asyncIterator]().next()
    a.abort(new Error('cut'))
    await expect(reading).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_ABORTED'))
  })
})

describe('memoryLinkPair input checks', () => {
  it('refuses bad options with LINK_BAD_ARGUMENT', () => {
    for (const opts of [{ maxFrameBytes: 0 }, { maxFrameBytes: 1.5 }, { latencyMs: -1 }, { bytesPerSecond: 0 }, { maxFrameBytes: 1000, queueBytes: 10 }]) {
      expect(() => memoryLinkPair(opts)).toThrow(expect.objectContaining({ code: 'LINK_BAD_ARGUMENT' }))
    }
  })

  it('refuses a non-Uint8Array frame with LINK_BAD_ARGUMENT', async () => {
    const [a] = memoryLinkPair()
    await expect(a.send('x' as unknown as Uint8Array)).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_BAD_ARGUMENT'))
  })

  it('a send blocked by backpressure can be cancelled by its signal', async () => {
    const [a] = memoryLinkPair({ maxFrameBytes: 100, queueBytes: 200 })
    await a.send(new Uint8Array(100))
    const ctl = new AbortController()
    const p = a.send(new Uint8Array(100), { signal: ctl.signal })
    ctl.abort(new Error('give up'))
    await expect(p).rejects.toThrow('give up')
  })

  it('a send blocked by backpressure fails with LINK_CLOSED when the link aborts', async () => {
    const [a] = memoryLinkPair({ maxFrameBytes: 100, queueBytes: 200 })
    await a.send(new Uint8Array(100))
    const p = a.send(new Uint8Array(100))
    a.abort()
    await expect(p).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_CLOSED'))
  })
})
