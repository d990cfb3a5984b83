/**
 * The peering layer (src/node/peering.ts) with real node cores on in-memory stores and
 * memory links, on a virtual clock.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryLevel } from 'memory-level'
import { VirtualClock } from '../../src/sim/clock.js'
import { createTestWorld, type WorldMember } from '../../src/sim/world.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { createPeering, type Peering } from '../../src/node/peering.js'
import { memoryLinkPair } from '../../src/links/index.js'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { RootDb } from '../../src/store/layout.js'

const T0_MS = Date.UTC(2026, 11, 4, 12, 0, 0)

interface VNode { member: WorldMember, core: NodeCore, peering: Peering }

describe('peering', () => {
  const nodes: VNode[] = []
  afterEach(async () => { for (const n of nodes.splice(0)) { await n.peering.stop(); await n.core.close() } })

  it('a session that opens while a message is admitted but not yet written still gets it (no periodic round needed)', async () => {
    const clock = new VirtualClock(T0_MS)
    const world = createTestWorld(['MX-SON', 'MX-SIN'], T0_MS)
    for (const m of world.members) {
      const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as RootDb
      const core = await openNodeCore({ storePath: `memory:${m.org}`, db: () => db, anchors: world.anchors, clock })
      expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
      nodes.push({ member: m, core, peering: createPeering({ core, nodeKey: m.node.publicKey, sync: { reconcileIntervalMs: 0 } }) })
    }
    const [son, sin] = nodes
    // SON's store write of the next message waits until we release it.
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const put = son.core.store.put.bind(son.core.store)
    son.core.store.put = async (...args) => { await gate; return await put(...args) }
    const env = composeEnvelope({ kind: 'alert', org: 'MX-SON', precedence: 'priority', content: { msgType: 'Alert', headline: 'antes del enlace' } }, son.member.operator, { now: clock.now() })
    const admitted = new Promise<void>(resolve => son.core.ingest.events.once('admitted', () => { resolve() }))
    const ingested = son.core.ingest.ingest(env.bytes, 'local')
    await admitted // pushed to no session: there is none yet
    const [a, b] = memoryLinkPair({ clock, names: ['MX-SON', 'MX-SIN'], keys: [son.member.node.publicKey, sin.member.node.publicKey] })
    son.peering.attach(a)
    sin.peering.attach(b)
    await clock.runUntil(clock.now() + 5_000) // HELLO and the first round: SON's set does not have it yet
    expect(son.peering.sessions.size).toBe(1)
    expect([...son.peering.sessions.values()][0].stats().roundsCompleted + [...sin.peering.sessions.values()][0].stats().roundsCompleted).toBe(1) // the round is over
    release()
    expect((await ingested).ok).toBe(true)
    await clock.runUntil(clock.now() + 10_000)
    await clock.settle()
    expect(await sin.core.store.status(env.digest)).toBe('stored')
  })
})
