import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest'
import { handleLinks, openLink, SYNC_PROTOCOL, YAMUX_MAX_STREAM_WINDOW_BYTES } from '../../src/links/libp2p/index.js'
import { isC5Error } from '../../src/errors.js'
import { encodeVarint } from '../../src/links/libp2p/varint.js'
import { runLinkCompliance } from './compliance.js'
import { makeKeys, startHost, LinkInbox, type TestHost } from './libp2p-helpers.js'

const MAX_FRAME_BYTES = 16 * 1024

// One pair of nodes for the whole compliance suite; every case opens a fresh stream.
let A: TestHost
let B: TestHost
const inboxB = new LinkInbox()

beforeAll(async () => {
  const [ka, kb] = makeKeys(2)
  A = await startHost(ka, [kb.publicKey])
  B = await startHost(kb, [ka.publicKey])
  await handleLinks(B.node, inboxB.push, { maxFrameBytes: MAX_FRAME_BYTES })
})

afterAll(async () => {
  await A?.node.stop()
  await B?.node.stop()
})

runLinkCompliance('libp2p stream over loopback TCP', async () => {
  const a = await openLink(A.node, B.node.getMultiaddrs()[0], { maxFrameBytes: MAX_FRAME_BYTES })
  const b = await inboxB.next()
  return {
    a,
    b,
    keyA: A.key.publicKey,
    keyB: B.key.publicKey,
    cleanup: async () => { a.abort(); b.abort() }
  }
}, {
  propertyRuns: 15,
  backpressureFrames: 256,
  // Structural bound: Yamux window (1 MiB, includes the decoder's partial frame) + the
  // link's queue (4 frames, overshooting by at most one chunk's frames, which the window
  // already bounds) + the sender's one frame past drain. Measured: 67 frames = 1,097,728 B.
  maxBufferedBytes: YAMUX_MAX_STREAM_WINDOW_BYTES + 6 * (MAX_FRAME_BYTES + 64),
  onBackpressure: m => { console.log(`libp2p backpressure: sender stalled after ${m.acceptedFrames} frames = ${m.acceptedBytes} bytes`) }
})

describe('libp2p stream link: hostile or broken remote', () => {
  it('an oversize length prefix is refused before allocating: LINK_FRAME_TOO_LARGE, stream aborted', async () => {
    const conn = await A.node.dial(B.node.getMultiaddrs()[0])
    const raw = await conn.newStream(SYNC_PROTOCOL)
    const b = await inboxB.next()
    const it = b.frames()[Symbol.asyncIterator]()
    // Announce 1 GiB: the reader must refuse from the prefix alone.
    raw.send(encodeVarint(2 ** 30))
    await expect(it.next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_FRAME_TOO_LARGE'))
    expect(b.closed).toBe(true)
    await new Promise<void>(resolve => {
      if (raw.status !== 'open') resolve()
      else raw.addEventListener('close', () => resolve(), { once: true })
    })
    expect(['reset', 'aborted']).toContain(raw.status)
  })

  it('a varint prefix longer than maxFrameBytes needs is refused', async () => {
    const conn = await A.node.dial(B.node.getMultiaddrs()[0])
    const raw = await conn.newStream(SYNC_PROTOCOL)
    const b = await inboxB.next()
    raw.send(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80))
    await expect(b.frames()[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_FRAME_TOO_LARGE'))
  })

  it('a stream that ends inside a frame is LINK_ABORTED (a truncated frame is never delivered)', async () => {
    const conn = await A.node.dial(B.node.getMultiaddrs()[0])
    const raw = await conn.newStream(SYNC_PROTOCOL)
    const b = await inboxB.next()
    raw.send(Uint8Array.of(2, 7, 7, 5, 1, 2))
    await raw.close()
    // Like any abort, frames not yet read may be dropped; what matters is no partial frame and the code.
    const got: number[][] = []
    await expect((async () => { for await (const f of b.frames()) got.push(Array.from(f)) })()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_ABORTED'))
    for (const f of got) expect(f).toEqual([7, 7])
  })

  it('frames split across many tiny writes are reassembled', async () => {
    const conn = await A.node.dial(B.node.getMultiaddrs()[0])
    const raw = await conn.newStream(SYNC_PROTOCOL)
    const b = await inboxB.next()
    const payload = new Uint8Array(300).map((_, i) => i & 0xff)
    const wire = new Uint8Array([...encodeVarint(300), ...payload, 0, ...encodeVarint(1), 9])
    for (const byte of wire) raw.send(Uint8Array.of(byte))
    const it = b.frames()[Symbol.asyncIterator]()
    expect(Array.from((await it.next()).value as Uint8Array)).toEqual(Array.from(payload))
    expect((await it.next()).value).toEqual(new Uint8Array(0))
    expect(Array.from((await it.next()).value as Uint8Array)).toEqual([9])
    b.abort()
  })
})

describe('libp2p stream link: a slow consumer of large frames (issue 13.1)', () => {
  let S: TestHost
  let R: TestHost
  const inbox = new LinkInbox()
  beforeAll(async () => {
    const [ks, kr] = makeKeys(2)
    S = await startHost(ks, [kr.publicKey])
    R = await startHost(kr, [ks.publicKey])
    await handleLinks(R.node, inbox.push) // default frame limit (256 KiB), default queue
  })
  afterAll(async () => {
    await S?.node.stop()
    await R?.node.stop()
  })

  // The bug: the link paused the stream inside the dispatch that `resume()` performs, and
  // resume() then re-armed Yamux's window, so a paused stream kept receiving until its read
  // buffer passed 4 MiB and libp2p aborted it ("Read buffer length … exceeded limit").
  it('200 frames of 64 KiB to a reader slower than the sender all arrive, in order, with no abort', async () => {
    const FRAMES = 200
    const FRAME_BYTES = 64 * 1024
    const a = await openLink(S.node, R.node.getMultiaddrs()[0])
    const b = await inbox.next()
    const sending = (async () => {
      for (let i = 0; i < FRAMES; i++) {
        const f = new Uint8Array(FRAME_BYTES)
        new DataView(f.buffer).setUint32(0, i)
        f.fill(i & 0xff, 4)
        await a.send(f)
      }
      await a.close()
    })().then(() => undefined, (e: unknown) => e) // reported below, never unhandled
    let n = 0
    for await (const f of b.frames()) {
      expect(f.byteLength).toBe(FRAME_BYTES)
      expect(new DataView(f.buffer, f.byteOffset).getUint32(0)).toBe(n)
      expect(f[FRAME_BYTES - 1]).toBe(n & 0xff)
      n++
      // The consumer is slower than the network: each frame costs it a timer turn.
      await new Promise(resolve => setTimeout(resolve, 15))
    }
    expect(await sending).toBeUndefined()
    expect(n).toBe(FRAMES)
    expect(a.closed && b.closed).toBe(true)
  }, 120_000)
})
