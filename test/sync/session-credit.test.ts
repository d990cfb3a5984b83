/**
 * Credit flow control (docs/protocol/sync.md §4.11): a sender keeps at most one window of
 * non-flash MSG bytes uncredited, so its backlog waits in its own priority queue where a
 * flash alert overtakes it; the receiver returns credit for what it admits.
 */
import { describe, expect, it } from 'vitest'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { CLOSE_FLUSH_TIMEOUT_MS, createSyncSession } from '../../src/sync/session.js'
import { CREDIT_GRANT_BYTES, CREDIT_GRANT_DELAY_MS, CREDIT_WINDOW_BYTES, FEATURE_CREDIT, FEATURE_LAZY_PUSH, SEND_STALL_TIMEOUT_MS } from '../../src/sync/constants.js'
import { encodeFrame, type SyncFrame } from '../../src/sync/frames.js'
import { alert, author, fakeNode, helloFrame, hex, manualClock, rawPeer, settle, setupPair, sha, T0, until } from './session-helpers.js'

const msgFrames = (frames: SyncFrame[]): Array<Extract<SyncFrame, { type: 'msg' }>> => frames.filter((f): f is Extract<SyncFrame, { type: 'msg' }> => f.type === 'msg')
const frameBytes = (f: SyncFrame): number => encodeFrame(f).length

/** A session holding `n` routine alerts of ~1 KB, facing a raw peer whose HELLO sets `features`, which WANTs them all. */
async function senderFacing (features: number, n: number) {
  const clock = manualClock()
  const alice = author()
  const node = fakeNode(clock, [alice])
  const backlog = Array.from({ length: n }, (_, i) => alert(alice, { now: T0 - 100_000 + i, headline: `boletín ${i}`, description: 'x'.repeat(900), precedence: 'routine' }))
  for (const e of backlog) node.put(e)
  const [l, r] = memoryLinkPair({ maxFrameBytes: 256 * 1024 })
  const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0 })
  node.listeners.push(m => { session.notifyNew(m) })
  const peer = rawPeer(r)
  session.start()
  await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff), features }))
  await until(() => peer.received.some(f => f.type === 'hello'))
  // Ask for the whole backlog (the receiver cannot know what is urgent; the sender orders it).
  for (let i = 0; i < backlog.length; i += 500) await peer.send({ type: 'want', ids: backlog.slice(i, i + 500).map(e => e.digest) })
  return { clock, alice, node, session, peer, backlog }
}

describe('sync session: credit flow control', () => {
  it('a sender stops after one window of routine MSGs until credit returns; a flash alert still goes at once', async () => {
    const t = await senderFacing(FEATURE_CREDIT, 600) // ~600 KB of backlog, > 2 windows
    await until(() => msgFrames(t.peer.received).length > 0)
    await until(() => false, 50).catch(() => {}) // let the sender run until it blocks
    const sent = msgFrames(t.peer.received)
    const sentBytes = sent.reduce((s, f) => s + frameBytes(f), 0)
    expect(sent.length).toBeLessThan(t.backlog.length)
    expect(sentBytes).toBeLessThanOrEqual(CREDIT_WINDOW_BYTES)
    expect(sentBytes + frameBytes(sent[0])).toBeGreaterThan(CREDIT_WINDOW_BYTES) // it used the window

    // A flash alert published now is sent although no credit came back.
    const flash = alert(t.alice, { now: T0, headline: 'sismo', precedence: 'flash' })
    await t.node.components.ingest(flash.bytes, 'local')
    await until(() => msgFrames(t.peer.received).some(f => hex(sha(f.envelope)) === hex(flash.digest)))
    expect(msgFrames(t.peer.received).length).toBe(sent.length + 1)

    // Credit for what was sent lets the rest follow, window by window.
    let credited = 0
    while (msgFrames(t.peer.received).length < t.backlog.length + 1) {
      const all = msgFrames(t.peer.received)
      const total = all.reduce((s, f) => s + frameBytes(f), 0)
      await t.peer.send({ type: 'credit', bytes: total - credited })
      credited = total
      await until(() => msgFrames(t.peer.received).length > all.length || all.length === t.backlog.length + 1)
    }
    const ids = new Set(msgFrames(t.peer.received).map(f => hex(sha(f.envelope))))
    expect(ids.size).toBe(t.backlog.length + 1) // everything, exactly once
    await t.session.stop()
  })

  it('a peer that does not offer credit gets the old behaviour: the whole answer without waiting', async () => {
    const t = await senderFacing(FEATURE_LAZY_PUSH, 600)
    await until(() => msgFrames(t.peer.received).length === t.backlog.length, 2000)
    await t.session.stop()
  })

  it('a receiver returns credit for every MSG byte it admits, in grants of ≥ 32 KiB or after 20 ms', async () => {
    const clock = manualClock()
    const alice = author()
    const node = fakeNode(clock, [alice])
    const [l, r] = memoryLinkPair({ maxFrameBytes: 256 * 1024 })
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0 })
    const peer = rawPeer(r)
    session.start()
    await peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff), features: FEATURE_CREDIT }))
    const sent = Array.from({ length: 100 }, (_, i) => alert(alice, { now: T0 + i, headline: `m${i}`, description: 'y'.repeat(600) }))
    let bytes = 0
    for (const e of sent) { await peer.send({ type: 'msg', envelope: e.bytes }); bytes += frameBytes({ type: 'msg', envelope: e.bytes }) }
    await until(() => node.store.size === 100)
    const credits = (): number[] => peer.received.flatMap(f => f.type === 'credit' ? [f.bytes] : [])
    // Whole grants went out as soon as 32 KiB was owed; the remainder waits for the delay.
    expect(credits().length).toBe(Math.floor(bytes / CREDIT_GRANT_BYTES))
    for (const c of credits()) expect(c).toBeGreaterThanOrEqual(CREDIT_GRANT_BYTES)
    await clock.advance(CREDIT_GRANT_DELAY_MS)
    await until(() => credits().reduce((s, c) => s + c, 0) === bytes)
    await session.stop()
  })

  it('HELLO offers credit flow control (feature bit 0x02)', async () => {
    const clock = manualClock()
    const node = fakeNode(clock, [author()])
    const [l, r] = memoryLinkPair()
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01) })
    const peer = rawPeer(r)
    session.start()
    await until(() => peer.received.length > 0)
    const hello = peer.received[0]
    expect(hello.type === 'hello' && (hello.features & FEATURE_CREDIT)).toBe(FEATURE_CREDIT)
    await session.stop()
  })
})

describe('sync session: pushes during a backlog', () => {
  it('a flash push reaches the peer although the store has not finished writing it and 600 messages wait', async () => {
    const t = await senderFacing(FEATURE_CREDIT, 600) // the queue stays long: no credit comes back
    await until(() => msgFrames(t.peer.received).length > 0)
    // The node pushes on admission, before its write completes: the store does not have it yet.
    const flash = alert(t.alice, { now: T0, headline: 'sismo', precedence: 'flash' })
    const get = t.node.components.get
    t.node.components.get = async id => hex(id) === hex(flash.digest) ? undefined : await get(id)
    t.session.notifyNew({ digest: flash.digest, bytes: flash.bytes, precedence: 'flash', created: flash.created })
    await until(() => msgFrames(t.peer.received).some(f => hex(sha(f.envelope)) === hex(flash.digest)))
    await t.session.stop()
  })
})

describe('sync session: the offer backlog', () => {
  it('offers that do not fit in the queue wait in the backlog: a catch-up twelve times the queue is one round', async () => {
    const clock = manualClock()
    const alice = author()
    const A = fakeNode(clock, [alice]); const B = fakeNode(clock, [alice])
    const flashAt = 377
    for (let i = 0; i < 600; i++) A.put(alert(alice, { now: T0 - 100_000 + i, headline: `b${i}`, precedence: i === flashAt ? 'flash' : 'routine' }))
    const [a, b] = setupPair([A, B], { a: { reconcileIntervalMs: 0, maxQueuedMessages: 50 }, b: { reconcileIntervalMs: 0, maxQueuedMessages: 50 } })
    a.session.start(); b.session.start()
    await until(() => B.store.size === 600, 2000)
    const rounds = a.session.stats().roundsCompleted + b.session.stats().roundsCompleted
    expect(rounds).toBe(1)
    // The backlog's flash alert went first, though the engine listed it among the others.
    const firstFromA = b.received.find(f => f.type === 'msg')
    expect(firstFromA?.type === 'msg' && sha(firstFromA.envelope)).toEqual([...A.store.values()].find(e => e.precedence === 'flash')?.digest)
    expect(a.session.stats().backlog + b.session.stats().backlog).toBe(0)
    await a.session.stop()
  })
})

describe('sync session: a peer that does not read', () => {
  it('is cut off once a frame has waited SEND_STALL_TIMEOUT_MS for the link (SYNC_TIMEOUT)', async () => {
    const clock = manualClock()
    const alice = author()
    const node = fakeNode(clock, [alice])
    const backlog = Array.from({ length: 400 }, (_, i) => alert(alice, { now: T0 - 100_000 + i, headline: `b${i}`, description: 'x'.repeat(900) }))
    for (const e of backlog) node.put(e)
    const [l, r] = memoryLinkPair({ maxFrameBytes: 4096 }) // a small link buffer: it fills at once
    const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0x01), reconcileIntervalMs: 0 })
    session.start()
    // The peer says HELLO and asks for everything, then never reads another frame.
    await r.send(encodeFrame(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) })))
    for (let i = 0; i < backlog.length; i += 100) await r.send(encodeFrame({ type: 'want', ids: backlog.slice(i, i + 100).map(e => e.digest) }))
    await settle()
    let ended: unknown
    void session.done.then(e => { ended = e })
    await clock.advance(SEND_STALL_TIMEOUT_MS - 1_000)
    expect(ended).toBeUndefined()
    await clock.advance(2_000 + 2 * CLOSE_FLUSH_TIMEOUT_MS) // then ERROR and the close get their bounded waits
    expect(await session.done).toMatchObject({ reason: 'error', code: 'SYNC_TIMEOUT' })
  })
})
