/**
 * Sessions against a hand-driven peer: bans, malformed frames, timeouts, rate limits, caps,
 * shutdown and abort. All time is the manual clock's.
 */
import { describe, expect, it } from 'vitest'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { CLOSE_FLUSH_TIMEOUT_MS, createSyncSession } from '../../src/sync/session.js'
import type { SessionEnd, SyncEvent, SyncSessionOptions } from '../../src/sync/session-types.js'
import { TokenBucket } from '../../src/sync/budget.js'
import { encodeVarint } from '../../src/sync/varint.js'
import { PEER_ROUND_BURST } from '../../src/sync/constants.js'
import { alert, author, fakeNode, helloFrame, manualClock, rawPeer, rosterEnvelope, settle, until, T0, type Author } from './session-helpers.js'

function honestWithRaw (opts: SyncSessionOptions = {}, authors: Author[] = []) {
  const clock = manualClock()
  const node = fakeNode(clock, authors)
  const [l, r] = memoryLinkPair()
  const events: SyncEvent[] = []
  const session = createSyncSession(l, node.components, {
    nodeKey: new Uint8Array(32).fill(0xee), reconcileIntervalMs: 0, onEvent: e => events.push(e), ...opts
  })
  const peer = rawPeer(r)
  return { clock, node, session, peer, events }
}

describe('sync session limits and failures', () => {
  it('bans a peer past the threshold of invalid messages: ERROR SYNC_PEER_BANNED, link aborted, event', async () => {
    const alice = author(); const mallory = author('MX-XXX')
    const t = honestWithRaw({ banThreshold: 3 }, [alice])
    t.session.start()
    await t.peer.send(helloFrame())
    const good = alert(alice, { now: T0, headline: 'ok' })
    await t.peer.send({ type: 'msg', envelope: good.bytes })
    await t.peer.send({ type: 'msg', envelope: good.bytes }) // duplicate: not a fault
    for (let i = 0; i < 2; i++) await t.peer.send({ type: 'msg', envelope: alert(mallory, { now: T0, headline: `x${i}` }).bytes })
    await until(() => t.node.rejected.length === 2)
    expect(t.session.stats().penalty).toBe(2)
    await t.peer.send({ type: 'msg', envelope: Uint8Array.of(0x85, 0x00) }) // undecodable envelope
    const end = await t.session.done
    expect(end).toMatchObject({ reason: 'banned', code: 'SYNC_PEER_BANNED' })
    const banned = t.events.find(e => e.type === 'banned')
    expect(banned).toMatchObject({ type: 'banned', remote: 'memory:b', penalty: 3 })
    expect(await t.peer.ended).toBeDefined()
    expect(t.peer.received.at(-1)).toMatchObject({ type: 'error', code: 'SYNC_PEER_BANNED' })
    expect(t.node.store.size).toBe(1)
    expect(t.session.stats()).toMatchObject({ messagesAccepted: 1, messagesKnown: 1, messagesRejected: 3 })
    expect(t.node.rejected.every(r => r.source === 'peer:memory:b')).toBe(true)
  })

  it('our own store failing (a full disk) costs the peer nothing: no ban, and its messages go through once the store writes again', async () => {
    const alice = author()
    const t = honestWithRaw({ banThreshold: 2 }, [alice])
    const ingest = t.node.components.ingest
    t.node.components.ingest = async () => ({ ok: false, code: 'STORE_WRITE_FAILED', message: 'the store could not write (No space left on device)' })
    t.session.start()
    await t.peer.send(helloFrame())
    for (let i = 0; i < 4; i++) await t.peer.send({ type: 'msg', envelope: alert(alice, { now: T0, headline: `full ${i}` }).bytes })
    await until(() => t.session.stats().messagesRejected === 4)
    expect(t.session.stats().penalty).toBe(0)
    t.node.components.ingest = ingest
    await t.peer.send({ type: 'msg', envelope: alert(alice, { now: T0, headline: 'room again' }).bytes })
    await until(() => t.node.store.size === 1)
    expect(t.events.some(e => e.type === 'banned')).toBe(false)
    t.session.stop()
    expect(await t.session.done).toMatchObject({ reason: 'stopped' })
  })

  it('a roster version claimed in HELLO makes nothing free: a non-member costs; what ingest calls an honest relay costs nothing', async () => {
    const alice = author(); const mallory = author('MX-XXX')
    const t = honestWithRaw({ banThreshold: 100 }, [alice])
    // Ingest says when an honest relay could have sent a refused message (here: headlines
    // starting "late", standing for a message that expired in transit).
    const ingest = t.node.components.ingest
    t.node.components.ingest = async (bytes, source, digest) => {
      const r = await ingest(bytes, source, digest)
      return !r.ok && new TextDecoder().decode(bytes).includes('late') ? { ...r, honestRelay: true } : r
    }
    t.session.start()
    await t.peer.send(helloFrame({ rosterVersion: 7 })) // a roster we do not hold (ours: 0)
    for (let i = 0; i < 5; i++) await t.peer.send({ type: 'msg', envelope: alert(mallory, { now: T0, headline: `r${i}` }).bytes })
    await until(() => t.node.rejected.length === 5)
    expect(t.session.stats().penalty).toBe(5) // before: 0, whatever a flood of non-members
    for (let i = 0; i < 3; i++) await t.peer.send({ type: 'msg', envelope: alert(mallory, { now: T0, headline: `late ${i}` }).bytes })
    await until(() => t.node.rejected.length === 8)
    expect(t.session.stats().penalty).toBe(5)
    // A quota refusal is the author's, never the relay's.
    const ingest2 = t.node.components.ingest
    t.node.components.ingest = async (bytes, source, digest) => new TextDecoder().decode(bytes).includes('cuota') ? { ok: false, code: 'QUOTA_EXCEEDED', message: 'quota' } : await ingest2(bytes, source, digest)
    for (let i = 0; i < 3; i++) await t.peer.send({ type: 'msg', envelope: alert(alice, { now: T0, headline: `cuota ${i}` }).bytes })
    await until(() => t.session.stats().messagesRejected === 11)
    expect(t.session.stats().penalty).toBe(5)
    const tampered = alert(alice, { now: T0, headline: 'original' }).bytes.slice()
    tampered[tampered.length - 1] ^= 0x01 // flip a signature bit
    await t.peer.send({ type: 'msg', envelope: tampered })
    await until(() => t.node.rejected.length === 9)
    expect(t.node.rejected.at(-1)?.code).toBe('ENVELOPE_BAD_SIGNATURE')
    expect(t.session.stats().penalty).toBe(6)
    // A ROSTER frame it sends must be one it verified: refused, it costs.
    await t.peer.send({ type: 'roster', envelope: rosterEnvelope(mallory, 9, T0).bytes })
    await until(() => t.node.rejected.length === 10)
    expect(t.session.stats().penalty).toBe(7)
    await t.session.stop()
  })

  it.each([
    ['garbage bytes', Uint8Array.of(0xde, 0xad), 'SYNC_BAD_VERSION'],
    ['unknown frame type', Uint8Array.of(1, 0x42), 'SYNC_MALFORMED'],
    ['truncated HELLO', Uint8Array.of(1, 1, 1), 'SYNC_MALFORMED'],
    ['huge WANT count', Uint8Array.of(1, 4, ...encodeVarint(2 ** 50)), 'SYNC_LIMIT_EXCEEDED'],
    ['MSG before HELLO', Uint8Array.of(1, 5, 0x85), 'SYNC_UNEXPECTED']
  ])('a malformed frame (%s) ends the session with a code, never a crash', async (_name, bytes, code) => {
    const t = honestWithRaw()
    t.session.start()
    await t.peer.send(bytes)
    expect(await t.session.done).toMatchObject({ reason: 'error', code })
    expect(t.peer.received.find(f => f.type === 'error')).toMatchObject({ code })
    expect(t.clock.pending()).toBe(0)
  })

  it('refuses another protocol version, a second HELLO, and a RECON for a round not running', async () => {
    for (const [frames, code] of [
      [[helloFrame({ protocolVersion: 2 })], 'SYNC_BAD_VERSION'],
      [[helloFrame(), helloFrame()], 'SYNC_UNEXPECTED'],
      [[helloFrame(), { type: 'recon', senderInitiated: false, round: 7, more: false, message: new Uint8Array(1) }], 'SYNC_UNEXPECTED']
    ] as const) {
      const t = honestWithRaw()
      t.session.start()
      for (const f of frames) await t.peer.send(f)
      expect(await t.session.done).toMatchObject({ reason: 'error', code })
    }
  })

  it('times out a round without progress, and refuses oversize, interleaved or too frequent RECON', async () => {
    const t = honestWithRaw({ roundTimeoutMs: 10_000 })
    t.session.start()
    await t.peer.send(helloFrame()) // smaller key: the session initiates a round and waits
    await until(() => t.peer.received.some(f => f.type === 'recon'))
    await t.clock.advance(9_999)
    await t.peer.send({ type: 'recon', senderInitiated: false, round: 0, more: true, message: new Uint8Array(10) }) // progress
    await t.clock.advance(9_999)
    expect(t.session.stats().roundsCompleted).toBe(0)
    await t.clock.advance(1)
    expect(await t.session.done).toMatchObject({ reason: 'error', code: 'SYNC_TIMEOUT' })

    const big = honestWithRaw({ maxReconMessageBytes: 1000 })
    big.session.start()
    await big.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    for (let i = 0; i < 3; i++) await big.peer.send({ type: 'recon', senderInitiated: true, round: 0, more: true, message: new Uint8Array(400) })
    expect(await big.session.done).toMatchObject({ reason: 'error', code: 'SYNC_LIMIT_EXCEEDED' })

    const mixed = honestWithRaw()
    mixed.session.start()
    await mixed.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    await mixed.peer.send({ type: 'recon', senderInitiated: true, round: 0, more: true, message: new Uint8Array(4) })
    await mixed.peer.send({ type: 'recon', senderInitiated: true, round: 1, more: false, message: new Uint8Array(4) })
    expect(await mixed.session.done).toMatchObject({ reason: 'error', code: 'SYNC_MALFORMED' })

    const replay = honestWithRaw()
    replay.session.start()
    await replay.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    const { createReconciler: mk } = await import('../../src/sync/reconcile/index.js')
    await replay.peer.send({ type: 'recon', senderInitiated: true, round: 5, more: false, message: mk([]).initiate() })
    await replay.peer.send({ type: 'done', round: 5 })
    await replay.peer.send({ type: 'recon', senderInitiated: true, round: 4, more: false, message: mk([]).initiate() })
    expect(await replay.session.done).toMatchObject({ reason: 'error', code: 'SYNC_UNEXPECTED' })

    const flood = honestWithRaw()
    flood.session.start()
    await flood.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    const { createReconciler } = await import('../../src/sync/reconcile/index.js')
    for (let round = 0; round <= PEER_ROUND_BURST; round++) {
      await flood.peer.send({ type: 'recon', senderInitiated: true, round, more: false, message: createReconciler([]).initiate() })
    }
    expect(await flood.session.done).toMatchObject({ reason: 'error', code: 'SYNC_LIMIT_EXCEEDED' })
  })

  it('cuts off a peer that keeps starting rounds but never reads (control queue cap)', async () => {
    const clock = manualClock()
    const alice = author()
    const node = fakeNode(clock, [alice])
    for (let i = 0; i < 8; i++) node.put(alert(alice, { now: T0 + i, headline: `c${i}` }))
    // The link buffers about one frame, so what we answer piles up in our control queue.
    const [l, r] = memoryLinkPair({ maxFrameBytes: 64, queueBytes: 128 })
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0, maxControlQueueBytes: 30 })
    session.start()
    const { createReconciler } = await import('../../src/sync/reconcile/index.js')
    const { encodeFrame } = await import('../../src/sync/frames.js')
    // The peer writes but never reads what we send.
    await r.send(encodeFrame(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) })))
    let sent = 0
    for (let round = 0; round < 10 && !r.closed; round++) {
      await r.send(encodeFrame({ type: 'recon', senderInitiated: true, round, more: false, message: createReconciler([]).initiate() })).then(() => sent++, () => {})
      await settle(2)
    }
    expect(sent).toBeLessThan(10)
    expect(await session.done).toMatchObject({ reason: 'error', code: 'SYNC_LIMIT_EXCEEDED' })
  })

  it('stop() never hangs on a peer that stopped reading: BYE waits at most CLOSE_FLUSH_TIMEOUT_MS', async () => {
    const clock = manualClock()
    const alice = author()
    const node = fakeNode(clock, [alice])
    const [l, r] = memoryLinkPair({ maxFrameBytes: 1024, queueBytes: 1088 })
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0 })
    session.start()
    const { encodeFrame } = await import('../../src/sync/frames.js')
    await r.send(encodeFrame(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) })))
    for (let i = 0; i < 20; i++) {
      const e = alert(alice, { now: T0 + i, headline: `s${i}` })
      node.put(e)
      session.notifyNew(e)
    }
    await settle()
    let ended = false
    const stopping = session.stop().then(end => { ended = true; return end })
    await settle()
    expect(ended).toBe(false) // the link is full: BYE waits
    await clock.advance(CLOSE_FLUSH_TIMEOUT_MS)
    expect(await stopping).toMatchObject({ reason: 'stopped' })
    expect(clock.pending()).toBe(0)
  })

  it('refuses a HELLO naming a key other than the one the link authenticated', async () => {
    const clock = manualClock()
    const node = fakeNode(clock, [])
    const [l, r] = memoryLinkPair({ keys: [new Uint8Array(32).fill(0xee), new Uint8Array(32).fill(0x01)] })
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0xee) })
    const peer = rawPeer(r)
    session.start()
    await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0x02) }))
    expect(await session.done).toMatchObject({ reason: 'error', code: 'SYNC_UNEXPECTED' })
  })

  it('times out a silent peer (injected clock) and clears its timers', async () => {
    const t = honestWithRaw({ helloTimeoutMs: 5000 })
    t.session.start()
    await t.clock.advance(4999)
    expect(t.clock.pending()).toBe(1)
    await t.clock.advance(1)
    expect(await t.session.done).toMatchObject({ reason: 'error', code: 'SYNC_TIMEOUT' })
    expect(t.clock.pending()).toBe(0)
  })

  it('rate-limits received messages by pausing reads, then catches up', async () => {
    const alice = author()
    const t = honestWithRaw({ receiveMessagesPerS: 2, receiveBurstMessages: 3 }, [alice])
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) })) // peer initiates: we stay quiet
    for (let i = 0; i < 7; i++) await t.peer.send({ type: 'msg', envelope: alert(alice, { now: T0 + i, headline: `m${i}` }).bytes })
    await settle()
    expect(t.node.store.size).toBe(3)
    await t.clock.advance(1000)
    expect(t.node.store.size).toBe(5)
    await t.clock.advance(1000)
    expect(t.node.store.size).toBe(7)
    await t.session.stop()
  })

  it('caps what a WANT can cost: unknown ids ignored, answers bounded by the queue', async () => {
    const alice = author()
    const t = honestWithRaw({ maxQueuedMessages: 5, bytesPerSecond: 1000, burstBytes: 300 }, [alice])
    for (let i = 0; i < 10; i++) t.node.put(alert(alice, { now: T0 - 100 + i, headline: `h${i}` }))
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    const ids = [...t.node.store.values()].map(e => e.digest)
    const unknown = Array.from({ length: 1000 }, (_, i) => new Uint8Array(32).fill(i % 250).map((b, j) => j === 0 ? i >> 8 : b))
    await t.peer.send({ type: 'want', ids: [...unknown, ...ids] })
    await settle()
    const st = t.session.stats()
    expect(st.wantIgnored).toBeGreaterThanOrEqual(1000)
    expect(st.queued).toBeLessThanOrEqual(5)
    expect(st.wantIgnored + st.queued + st.messagesSent).toBe(1010)
    await t.session.stop()
  })

  it('stop sends BYE and clears every timer; an AbortSignal aborts', async () => {
    const t = honestWithRaw({ reconcileIntervalMs: 60_000 })
    t.session.start()
    await t.peer.send(helloFrame()) // we initiate: a round timeout is pending
    await settle()
    expect(t.clock.pending()).toBeGreaterThan(0)
    expect(await t.session.stop()).toMatchObject({ reason: 'stopped' })
    expect(t.peer.received.at(-1)).toEqual({ type: 'bye' })
    expect(t.clock.pending()).toBe(0)
    expect(await t.peer.ended).toBe('closed')

    const ac = new AbortController()
    const u = honestWithRaw({ signal: ac.signal })
    u.session.start()
    ac.abort()
    expect(await u.session.done).toMatchObject({ reason: 'aborted' })
    expect(await u.peer.ended).toBe('LINK_ABORTED')
  })

  it('validates its inputs with codes', () => {
    const clock = manualClock()
    const node = fakeNode(clock, [])
    const [l] = memoryLinkPair()
    expect(() => createSyncSession(l, node.components, { nodeKey: new Uint8Array(5) })).toThrow(expect.objectContaining({ code: 'SYNC_MALFORMED' }))
    expect(() => createSyncSession(l, { ...node.components, ingest: undefined as never })).toThrow(expect.objectContaining({ code: 'SYNC_MALFORMED' }))
    expect(() => createSyncSession(l, node.components, { banThreshold: -1 })).toThrow(expect.objectContaining({ code: 'SYNC_MALFORMED' }))
    const s = createSyncSession(l, node.components)
    expect(() => s.notifyNew({ digest: new Uint8Array(3), bytes: new Uint8Array(1), precedence: 'flash' })).toThrow(expect.objectContaining({ code: 'SYNC_MALFORMED' }))
  })
})

describe('sync session: budgets shared across the sessions of one peer key', () => {
  it('reconciliation bytes a peer sends are counted across its sessions: a new session does not start afresh', async () => {
    const clock = manualClock()
    const bucket = new TokenBucket({ ratePerS: 1, burst: 250_000, now: clock.now })
    /** Opens a session and sends fragments until it ends; returns how many it took. */
    const run = async (): Promise<{ end: SessionEnd, fragments: number }> => {
      const node = fakeNode(clock, [author()])
      const [l, r] = memoryLinkPair({ maxFrameBytes: 256 * 1024 })
      const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0, budgets: { reconBytesIn: bucket } })
      let ended: SessionEnd | undefined
      void session.done.then(e => { ended = e })
      const peer = rawPeer(r)
      session.start()
      await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
      let fragments = 0
      // Fragments of one engine message that never ends: each costs the budget.
      while (ended === undefined && fragments < 10) {
        await peer.send({ type: 'recon', senderInitiated: true, round: 0, more: true, message: new Uint8Array(100_000) }).catch(() => {})
        fragments++
        await settle()
      }
      return { end: await session.done, fragments }
    }
    expect(await run()).toMatchObject({ end: { reason: 'error', code: 'SYNC_LIMIT_EXCEEDED' }, fragments: 3 })
    // A new session of the same key: the budget is still spent.
    expect(await run()).toMatchObject({ end: { reason: 'error', code: 'SYNC_LIMIT_EXCEEDED' }, fragments: 1 })
  })
})
