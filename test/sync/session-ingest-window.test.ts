import { describe, expect, it } from 'vitest'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { createSyncSession } from '../../src/sync/session.js'
import type { SyncSessionOptions } from '../../src/sync/session-types.js'
import type { IngestResult } from '../../src/node/types.js'
import { alert, author, fakeNode, helloFrame, manualClock, rawPeer, rosterEnvelope, settle, until, T0 } from './session-helpers.js'

/**
 * A session whose ingest holds every call until the test releases it, recording the order
 * in which ingests start and finish (docs/protocol/sync.md §4.1, the ingest window).
 */
function gatedSession (opts: SyncSessionOptions = {}) {
  const clock = manualClock()
  const alice = author(); const root = author('CNI')
  const node = fakeNode(clock, [alice, root])
  const log: string[] = []
  const gates: Array<() => void> = []
  const ingest = node.components.ingest
  let calls = 0
  node.components.ingest = async (bytes, source): Promise<IngestResult> => {
    const label = `#${calls++}`
    log.push(`start ${label}`)
    await new Promise<void>(resolve => { gates.push(resolve) })
    const r = await ingest(bytes, source)
    log.push(`end ${label}`)
    return r
  }
  const [l, r] = memoryLinkPair()
  const session = createSyncSession(l, node.components, { nodeKey: new Uint8Array(32).fill(0xee), reconcileIntervalMs: 0, ...opts })
  const peer = rawPeer(r)
  const releaseAll = (): void => { for (const g of gates.splice(0)) g() }
  return { alice, root, node, log, gates, session, peer, releaseAll, started: () => log.filter(e => e.startsWith('start')).length }
}

describe('sync session: MSG ingests overlap (ingest window)', () => {
  it('starts the ingests of consecutive MSGs without waiting for the previous ones', async () => {
    const t = gatedSession()
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    for (let i = 0; i < 5; i++) await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0 + i, headline: `m${i}` }).bytes })
    await until(() => t.started() === 5)
    expect(t.log.some(e => e.startsWith('end'))).toBe(false) // all five under way at once
    t.releaseAll()
    await until(() => t.node.store.size === 5)
    expect(t.session.stats()).toMatchObject({ messagesReceived: 5, messagesAccepted: 5 })
    await t.session.stop()
  })

  it('maxIngestsInFlight bounds the window: reading stops until an ingest finishes', async () => {
    const t = gatedSession({ maxIngestsInFlight: 2 })
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    for (let i = 0; i < 4; i++) await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0 + i, headline: `m${i}` }).bytes })
    await until(() => t.started() === 2)
    await settle()
    expect(t.started()).toBe(2)
    t.gates.shift()!()
    await until(() => t.started() === 3)
    await settle()
    expect(t.started()).toBe(3)
    t.releaseAll()
    await until(() => t.started() === 4)
    t.releaseAll()
    await until(() => t.node.store.size === 4)
    await t.session.stop()
  })

  it('a ROSTER waits for the MSG ingests before it, and the MSGs after it wait for the ROSTER', async () => {
    const t = gatedSession()
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0, headline: 'before 1' }).bytes })
    await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0 + 1, headline: 'before 2' }).bytes })
    await t.peer.send({ type: 'roster', envelope: rosterEnvelope(t.root, 2, T0 - 1000).bytes })
    await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0 + 2, headline: 'after' }).bytes })
    await until(() => t.started() === 2)
    await settle()
    expect(t.started()).toBe(2) // the ROSTER is not started while two MSGs are being ingested
    t.releaseAll()
    await until(() => t.started() === 3)
    await settle()
    expect(t.started()).toBe(3) // the MSG after the ROSTER waits for it
    t.releaseAll()
    await until(() => t.started() === 4)
    t.releaseAll()
    await until(() => t.node.store.size === 4)
    expect(t.log).toEqual(['start #0', 'start #1', 'end #0', 'end #1', 'start #2', 'end #2', 'start #3', 'end #3'])
    expect(t.node.accepted.map(a => a.kind)).toEqual(['alert', 'alert', 'roster', 'alert'])
    await t.session.stop()
  })

  it('a BYE ends the session only after the MSGs before it are ingested', async () => {
    const t = gatedSession()
    t.session.start()
    await t.peer.send(helloFrame({ nodeKey: new Uint8Array(32).fill(0xff) }))
    await t.peer.send({ type: 'msg', envelope: alert(t.alice, { now: T0, headline: 'last words' }).bytes })
    await t.peer.send({ type: 'bye' })
    await until(() => t.started() === 1)
    let ended = false
    void t.session.done.then(() => { ended = true })
    await settle()
    expect(ended).toBe(false)
    t.releaseAll()
    expect(await t.session.done).toMatchObject({ reason: 'bye' })
    expect(t.node.store.size).toBe(1)
    expect(t.session.stats().messagesAccepted).toBe(1)
  })
})
