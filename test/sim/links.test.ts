/**
 * The simulator's link models on the virtual clock: latency, bandwidth, loss (as time and
 * bytes: the links stay reliable), a shared medium, backpressure on radio-like classes, and
 * a rogue's oversized frame refused by the receiving end.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/sim/clock.js'
import { BUILTIN_LINK_CLASSES, type LinkClass } from '../../src/sim/link-classes.js'
import { emptyCounters, Medium, simLinkPair, type LinkCounters } from '../../src/sim/medium.js'
import { seededRandom } from '../../src/sim/random.js'

const KEY = new Uint8Array(32)
const plain = (o: Partial<LinkClass>): LinkClass => ({ ...BUILTIN_LINK_CLASSES.internet, jitterMs: 0, loss: 0, headerBytes: 0, keyupMs: 0, ...o })

function pair (cls: LinkClass, clock: VirtualClock, media?: [Medium, Medium], random = seededRandom(1)): { a: ReturnType<typeof simLinkPair>[0], b: ReturnType<typeof simLinkPair>[1], counters: LinkCounters } {
  const counters = emptyCounters()
  const [a, b] = simLinkPair({ clock, random, cls, media: media ?? [new Medium(), new Medium()], names: ['a', 'b'], keys: [KEY, KEY], counters: [counters] })
  return { a, b, counters }
}

/** Arrival times (ms after start) of the frames b receives. */
function arrivals (clock: VirtualClock, b: { frames: () => AsyncIterable<Uint8Array> }, t0: number): number[] {
  const at: number[] = []
  void (async () => { try { for await (const _ of b.frames()) at.push(clock.now() - t0) } catch {} })()
  return at
}

describe('simulated links', () => {
  it('latency and bandwidth: a frame arrives after its transmission time plus the one-way latency', async () => {
    const clock = new VirtualClock(1_000)
    const { a, b } = pair(plain({ latencyMs: 300, bytesPerSecond: 1_000, mtuBytes: 10_000, bufferBytes: 1_000_000 }), clock)
    const at = arrivals(clock, b, 1_000)
    void a.send(new Uint8Array(500)) // 500 ms on the wire
    void a.send(new Uint8Array(250)) // then 250 ms more
    await clock.runUntil(10_000)
    expect(at).toEqual([800, 1_050])
  })

  it('loss costs retransmissions (time and wire bytes), never a frame', async () => {
    const clock = new VirtualClock(0)
    const cls = plain({ latencyMs: 10, bytesPerSecond: 100_000, mtuBytes: 100, loss: 0.3, retryMs: 200, bufferBytes: 1_000_000 })
    const { a, b, counters } = pair(cls, clock, undefined, seededRandom(7))
    const at = arrivals(clock, b, 0)
    for (let i = 0; i < 50; i++) void a.send(new Uint8Array(1_000))
    await clock.runUntil(60_000)
    expect(at).toHaveLength(50)
    // 500 packets at 30 % loss: about 214 retransmissions expected (0.3/0.7 per packet).
    expect(counters.retransmissions).toBeGreaterThan(150)
    expect(counters.retransmissions).toBeLessThan(290)
    expect(counters.wireBytes).toBe(50_000 + counters.retransmissions * 100)
    // Without loss the last frame would arrive at 510 ms; retries delay it.
    expect(at[49]).toBeGreaterThan(700)
  })

  it('MTU and headers: a frame costs a header per packet on the wire', async () => {
    const clock = new VirtualClock(0)
    const { a, counters } = pair(plain({ mtuBytes: 256, headerBytes: 22 }), clock)
    void a.send(new Uint8Array(1_000)) // 4 packets
    await clock.runUntil(1_000)
    expect(counters.wireBytes).toBe(1_000 + 4 * 22)
  })

  it('a shared medium carries one transmission at a time: two links on it take turns', async () => {
    const clock = new VirtualClock(0)
    const medium = new Medium()
    const cls = plain({ latencyMs: 0, bytesPerSecond: 1_000, mtuBytes: 10_000, bufferBytes: 0 })
    const x = pair(cls, clock, [medium, medium])
    const y = pair(cls, clock, [medium, medium])
    const ax = arrivals(clock, x.b, 0)
    const ay = arrivals(clock, y.b, 0)
    void x.a.send(new Uint8Array(1_000))
    void y.a.send(new Uint8Array(1_000))
    void y.b.send(new Uint8Array(1_000)) // the other direction waits too (half duplex)
    await clock.runUntil(10_000)
    expect(ax).toEqual([1_000])
    expect(ay).toEqual([2_000])
    expect(medium.busyMs).toBe(3_000)
  })

  it('with no send buffer (radio), send resolves once the frame is on the air: the queue stays with the sender', async () => {
    const clock = new VirtualClock(0)
    const { a } = pair(plain({ latencyMs: 20, bytesPerSecond: 150, mtuBytes: 256, keyupMs: 300, bufferBytes: 0 }), clock)
    let sentAt = -1
    void a.send(new Uint8Array(150)).then(() => { sentAt = clock.now() })
    await clock.runUntil(5_000)
    expect(sentAt).toBe(1_300) // key-up 300 ms + 150 B at 150 B/s
  })

  it('an oversized frame: refused by send, and a raw one aborts the receiving link (LINK_FRAME_TOO_LARGE)', async () => {
    const clock = new VirtualClock(0)
    const { a, b } = pair(plain({ maxFrameBytes: 1_024 }), clock)
    await expect(a.send(new Uint8Array(1_025))).rejects.toMatchObject({ code: 'LINK_FRAME_TOO_LARGE' })
    let error: unknown
    void (async () => { try { for await (const _ of b.frames()) { /* none */ } } catch (e) { error = e } })()
    void a.sendRaw(new Uint8Array(2_000))
    await clock.runUntil(1_000)
    expect(error).toMatchObject({ code: 'LINK_FRAME_TOO_LARGE' })
    expect(b.closed).toBe(true)
  })

  it('the built-in classes: VSAT ≈ 600 ms round trip; radio-1200 is 150 B/s on a shared half-duplex channel', () => {
    const v = BUILTIN_LINK_CLASSES.vsat
    expect(2 * v.latencyMs).toBe(600)
    expect(BUILTIN_LINK_CLASSES['radio-1200']).toMatchObject({ kind: 'radio', bytesPerSecond: 150, duplex: 'half' })
    expect(BUILTIN_LINK_CLASSES['radio-9600'].bytesPerSecond).toBe(1_200)
  })
})
