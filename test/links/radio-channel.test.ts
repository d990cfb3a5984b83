/**
 * The radio link layer on a shared in-memory channel with three or more stations, loss and
 * 1,200-bit/s airtime, on virtual time (no sleeps): links come up, shared frames go on the
 * air once and reach every station, loss is repaired at a cost proportional to it, a flash
 * packet overtakes routine ones after at most the frame on the air, and stations are
 * authenticated by their hellos.
 */
import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { VirtualClock } from '../../src/sim/clock.js'
import { createBroadcastChannel, type BroadcastChannel } from '../../src/links/broadcast/index.js'
import { decodeRadioFrame } from '../../src/links/radio/frame.js'
import { addStation, seeded, type TestStation } from './radio-helpers.js'
import { isC5Error } from '../../src/errors.js'
import { BROADCAST_TAG, KIND_HELLO } from '../../src/links/radio/constants.js'

const T0 = Date.UTC(2026, 10, 28, 3, 0, 0)
const MIN = 60_000

function setup (n: number, opts: { loss?: number, seed?: number, allow?: (name: string) => (key: Uint8Array) => boolean } = {}): { clock: VirtualClock, channel: BroadcastChannel, stations: TestStation[], run: (ms: number) => Promise<void> } {
  const clock = new VirtualClock(T0)
  const random = seeded(opts.seed ?? 7)
  const channel = createBroadcastChannel({ bitRate: 1200, clock, loss: opts.loss ?? 0, random })
  const names = ['a', 'b', 'c', 'd', 'e'].slice(0, n)
  const stations = names.map(name => addStation(channel, name, { clock, random, ...(opts.allow === undefined ? {} : { allowKey: opts.allow(name) }) }))
  for (const s of stations) s.station.start()
  return { clock, channel, stations, run: async (ms: number) => { await clock.runUntil(clock.now() + ms) } }
}

const linkTo = (s: TestStation, other: TestStation): NonNullable<TestStation['links'][number]> => {
  const l = s.links.find(x => x.remote === `radio:${other.name.toUpperCase()}` && !x.ended)
  if (l === undefined) throw new Error(`${s.name} has no link to ${other.name}`)
  return l
}

/** Collects what a link delivers, from now on. */
function collect (link: { frames: () => AsyncIterable<Uint8Array> }): Uint8Array[] {
  const got: Uint8Array[] = []
  void (async () => { try { for await (const f of link.frames()) got.push(f) } catch {} })()
  return got
}

/** Incompressible bytes (so DEFLATE does not shrink what the test sizes). */
const payload = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 32) out.set(createHash('sha256').update(`${seed}/${i}`).digest().subarray(0, Math.min(32, n - i)), i)
  return out
}

describe('radio stations on a shared 1,200-bit/s channel (virtual time)', () => {
  it('three stations link pairwise within a minute of starting', async () => {
    const { stations: [a, b, c], run } = setup(3)
    await run(MIN)
    for (const [x, y] of [[a, b], [a, c], [b, c], [b, a], [c, a], [c, b]]) expect(() => linkTo(x, y)).not.toThrow()
    expect(a.station.neighbours().map(n => n.state).sort()).toEqual(['linked', 'linked'])
  })

  it('a shared frame goes on the air once and reaches every station; a second send of it does not transmit', async () => {
    const { stations: [a, b, c, d], run } = setup(4)
    await run(2 * MIN)
    const atB = collect(linkTo(b, a))
    const atC = collect(linkTo(c, a))
    const atD = collect(linkTo(d, a))
    // Each link's peer must first speak on the link before shared frames join it (§1.1).
    for (const x of [b, c, d]) await linkTo(x, a).send(Uint8Array.of(0))
    await linkTo(a, b).send(Uint8Array.of(1))
    await linkTo(a, c).send(Uint8Array.of(1))
    await linkTo(a, d).send(Uint8Array.of(1))
    await run(MIN)
    const before = a.station.stats().sharedSent
    const msg = payload(400, 1)
    await linkTo(a, b).send(msg, { share: 'push', rank: 3 })
    await linkTo(a, c).send(msg, { share: 'push', rank: 3 })
    await linkTo(a, d).send(msg, { share: 'push', rank: 3 })
    await run(MIN)
    expect(a.station.stats().sharedSent - before).toBe(1)
    expect(a.station.stats().sharedDeduped).toBeGreaterThanOrEqual(2)
    for (const got of [atB, atC, atD]) expect(got.filter(f => f.length === 400)).toHaveLength(1)
    // Pushed again later (another session's push): still not on the air again.
    await linkTo(a, c).send(msg, { share: 'push', rank: 3 })
    await run(MIN)
    expect(a.station.stats().sharedSent - before).toBe(1)
  })

  it('with 20 % of frames lost at each receiver, every frame arrives once and in order; repair costs in proportion', async () => {
    const { stations: [a, b, c], run, channel } = setup(3, { loss: 0.2, seed: 3 })
    await run(5 * MIN)
    const atB = collect(linkTo(b, a))
    const atC = collect(linkTo(c, a))
    const sent = Array.from({ length: 30 }, (_, i) => payload(100 + i * 13, i))
    for (const f of sent) { await linkTo(a, b).send(f); await linkTo(a, c).send(f) }
    await run(30 * MIN)
    const hex = (x: Uint8Array): string => Buffer.from(x).toString('hex')
    expect(atB.map(hex)).toEqual(sent.map(hex))
    expect(atC.map(hex)).toEqual(sent.map(hex))
    const s = a.station.stats()
    expect(s.retransmissions).toBeGreaterThan(0)
    // Frames sent again stay in proportion to the loss (20 %, two receivers): well under the frames sent once.
    const lossAtReceivers = channel.stats().b.framesLost + channel.stats().c.framesLost
    expect(s.retransmissions).toBeLessThanOrEqual(lossAtReceivers * 1.5 + 10)
    expect(s.retransmissions).toBeLessThan(s.framesSent * 0.5)
  })

  it('a flash packet queued behind 20 KB of routine ones goes after at most the frame on the air', async () => {
    const { clock, stations: [a, b], run } = setup(2)
    await run(MIN)
    const atB: Array<{ at: number, f: Uint8Array }> = []
    void (async () => { for await (const f of linkTo(b, a).frames()) atB.push({ at: clock.now(), f }) })()
    const link = linkTo(a, b)
    for (let i = 0; i < 20; i++) await link.send(payload(1000, i), { rank: 3 })
    await run(30_000) // routine traffic is on the air
    const queuedAt = clock.now()
    const flash = payload(300, 99)
    await link.send(flash, { rank: 0 })
    await run(60_000)
    const i = atB.findIndex(x => x.f.length === 300)
    expect(i).toBeGreaterThanOrEqual(0)
    const waited = atB[i].at - queuedAt
    // One frame on the air (256 B: 2.1 s) plus the flash's own two frames (~1.6 s + ~0.9 s).
    expect(waited).toBeLessThan(2200 + 2 * 2200)
    // And routine packets remained after it (it overtook them).
    expect(atB.slice(i + 1).some(x => x.f.length === 1000)).toBe(true)
    expect(a.station.stats().queue.routine.packets).toBeGreaterThan(0)
  })

  it('a station whose key the roster refuses is ignored: no link, none of its frames taken', async () => {
    let refusedKey: Uint8Array | undefined
    const { stations: [a, b, c], run } = setup(3, { allow: () => key => refusedKey === undefined || Buffer.compare(key, refusedKey) !== 0 })
    refusedKey = c.key.publicKey
    await run(2 * MIN)
    expect(() => linkTo(a, c)).toThrow()
    expect(() => linkTo(b, c)).toThrow()
    expect(() => linkTo(a, b)).not.toThrow()
    expect(a.station.neighbours().find(n => n.stationId === 'C')?.state).toBe('refused')
    // Its shared frames are not taken either (c links to nobody, so nothing reaches a).
    expect(a.shared).toHaveLength(0)
  })

  it('a revoked station loses its links at the next recheck (the node calls it on a roster change)', async () => {
    let revoked = false
    const { stations: [a, b], run } = setup(2, { allow: name => key => !(revoked && name === 'a' && key.length === 32) })
    await run(MIN)
    const link = linkTo(a, b)
    const it = link.frames()[Symbol.asyncIterator]()
    revoked = true
    a.station.recheck()
    await expect(it.next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_REFUSED'))
    await run(MIN)
    expect(a.station.neighbours()[0].state).toBe('refused')
    // b's side is told (ABORT) and its link ends too.
    expect(b.links.every(l => l.ended)).toBe(true)
  })

  it('a recorded hello replayed on the air is refused, and does not open a link', async () => {
    const { channel, stations: [a, b], run } = setup(2)
    // Record every frame b transmits while it links with a: its beacon, open or reply are in there.
    const recorded: Uint8Array[] = []
    const tap = channel.station('tap')
    void (async () => { for await (const f of tap.frames()) recorded.push(f) })()
    await run(MIN)
    const stopping = b.station.stop() // it waits for its links to close, on virtual time
    await run(MIN)
    await stopping
    const hellos = recorded.map(f => [f, decodeRadioFrame(f)] as const)
      .filter(([, d]) => d.type === 'data' && d.src === b.station.tag && d.first && d.last && d.kind === KIND_HELLO)
    expect(hellos.length).toBeGreaterThanOrEqual(2)
    const badBefore = a.station.stats().badHellos
    // The attacker replays them as a fresh stream (another stream byte), so they are not
    // mere duplicates of frames a already has: they reach the hello checks.
    let k = 0
    for (const [f] of hellos) {
      const forged = Uint8Array.from(f)
      forged[3] = (forged[3] + 1 + k++) & 0xff
      const sent = tap.transmit(forged)
      await run(5000)
      await sent
    }
    await run(MIN)
    expect(a.station.stats().badHellos - badBefore).toBe(hellos.length)
    expect(a.links.filter(l => !l.ended)).toHaveLength(0)
  })

  it('shared frames from a station with no link to us reach onShared (and only from authenticated stations)', async () => {
    const { stations: [a, b], run } = setup(2)
    await run(MIN)
    // b's link to a exists but a has not yet spoken on it: a shared frame goes to onShared.
    await linkTo(b, a).send(payload(200, 5), { share: 'push', rank: 1 })
    await run(MIN)
    expect(a.shared.map(f => f.length)).toEqual([200])
    expect(BROADCAST_TAG).toBe(0xffff)
  })
})
