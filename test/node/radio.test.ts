/**
 * Nodes on a shared radio channel (docs/protocol/links.md §7.9): real node cores (in-memory
 * stores), the real sessions, peering and ingest, over the in-memory broadcast channel at
 * 1,200 bit/s with loss, on virtual time. An alert crosses to every station exactly once
 * and goes on the air once; a station off the roster is ignored; a station that was away
 * catches up by reconciliation, paying air in proportion to what it missed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryLevel } from 'memory-level'
import { VirtualClock } from '../../src/sim/clock.js'
import { createTestWorld, type TestWorld, type WorldMember } from '../../src/sim/world.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { startRadio, type RadioNode } from '../../src/node/radio.js'
import { createBroadcastChannel, type BroadcastChannel } from '../../src/links/broadcast/index.js'
import { composeEnvelope, sampleAlert, type Envelope, type Precedence } from '../../src/envelope/index.js'
import { generateKeyPair } from '../../src/identity/index.js'
import type { RootDb } from '../../src/store/layout.js'
import { seeded } from '../links/radio-helpers.js'

const T0 = Date.UTC(2026, 10, 28, 3, 0, 0)
const MIN = 60_000

interface RNode { member: WorldMember, core: NodeCore, radio?: RadioNode, stored: Map<string, number> }

describe('nodes on a shared radio channel (1,200 bit/s, virtual time)', () => {
  let clock: VirtualClock
  let channel: BroadcastChannel
  let world: TestWorld
  let nodes: RNode[]
  let random = seeded(42)
  const run = async (ms: number): Promise<void> => { await clock.runUntil(clock.now() + ms) }

  async function core (member: WorldMember, w = world): Promise<RNode> {
    const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as RootDb
    const c = await openNodeCore({ storePath: `memory:${member.org}`, db: () => db, anchors: w.anchors, clock })
    expect((await c.ingest.ingest(w.rosterEnvelope.bytes, 'local')).ok).toBe(true)
    const n: RNode = { member, core: c, stored: new Map() }
    c.ingest.events.on('message', ({ envelope }) => { n.stored.set(envelope.id, (n.stored.get(envelope.id) ?? 0) + 1) })
    return n
  }

  function radioOn (n: RNode, name: string): RadioNode {
    n.radio = startRadio({ core: n.core, nodeKey: n.member.node, port: channel.station(name), stationId: name.toUpperCase(), station: { random } })
    return n.radio
  }

  function alert (n: RNode, seq: number, precedence?: Precedence): Envelope {
    const m = n.member
    const u = sampleAlert({ author: m.operator.publicKey, org: m.org, created: clock.now(), seq })
    const { version: _v, author: _a, created: _c, expires: _e, precedence: _p, ...fields } = u
    return composeEnvelope({ ...fields, org: m.org, ttlS: 86_400, ...(precedence === undefined ? {} : { precedence }) }, m.operator, { now: clock.now() })
  }

  beforeEach(async () => {
    clock = new VirtualClock(T0)
    random = seeded(42)
    channel = createBroadcastChannel({ bitRate: 1200, clock, loss: 0.1, random })
    world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-ROO'], T0)
    nodes = []
    for (const m of world.members) nodes.push(await core(m))
  })

  afterEach(async () => {
    for (const n of nodes) {
      const stopping = n.radio?.stop()
      await run(MIN)
      await stopping
      await n.core.close()
    }
  })

  it('an alert crosses to every station exactly once, and goes on the air once', async () => {
    const [a, b, c] = nodes
    radioOn(a, 'yuc'); radioOn(b, 'cam'); radioOn(c, 'roo')
    await run(3 * MIN)
    for (const n of nodes) expect(n.radio!.view().neighbours.map(x => x.state)).toEqual(['linked', 'linked'])
    const env = alert(a, 1)
    const sharedBefore = nodes.map(n => n.radio!.station.stats().sharedSent)
    expect((await a.core.ingest.ingest(env.bytes, 'local')).ok).toBe(true)
    await run(3 * MIN)
    for (const n of [b, c]) expect(n.stored.get(env.id)).toBe(1)
    // And no second copy reached anyone (each heard it once, from A).
    for (const n of [b, c]) for (const s of n.radio!.peering.sessions.values()) expect(s.stats().messagesKnown).toBe(0)
    // A transmitted it once (one shared packet); B and C heard it and did not send it on.
    expect(nodes.map((n, i) => n.radio!.station.stats().sharedSent - sharedBefore[i])).toEqual([1, 0, 0])
    const v = a.radio!.view()
    expect(v.neighbours.every(x => x.org !== undefined && x.sync !== undefined)).toBe(true)
  })

  it('a station whose node key is not on the roster is ignored: no link, its alerts not taken', async () => {
    const [a, b] = nodes
    // A node of another network: its own root and roster, unknown to ours.
    const other = createTestWorld(['MX-XXX'], T0)
    const intruder = await core(other.members[0], other)
    nodes.push(intruder)
    radioOn(a, 'yuc'); radioOn(b, 'cam'); radioOn(intruder, 'xxx')
    // It beacons (its periodic hellos, brought closer together): one at least is heard.
    for (let i = 0; i < 3; i++) { await run(MIN); intruder.radio!.station.beacon() }
    await run(MIN)
    expect(a.radio!.view().neighbours.find(x => x.stationId === 'XXX')?.state).toBe('refused')
    expect(intruder.radio!.view().neighbours.find(x => x.stationId === 'YUC')?.state).toBe('refused')
    const env = alert(intruder, 1)
    expect((await intruder.core.ingest.ingest(env.bytes, 'local')).ok).toBe(true)
    await run(3 * MIN)
    expect(a.stored.has(env.id)).toBe(false)
    expect(b.stored.has(env.id)).toBe(false)
    void generateKeyPair
  })

  it('a station back after a while catches up by reconciliation, at a cost that follows the difference', async () => {
    const [a, b] = nodes
    for (let i = 0; i < 200; i++) {
      const e = alert(a, 1000 + i)
      expect((await a.core.ingest.ingest(e.bytes, 'local')).ok).toBe(true)
      expect((await b.core.ingest.ingest(e.bytes, 'local')).ok).toBe(true)
      await run(1000)
    }
    radioOn(a, 'yuc')
    await run(MIN)
    // b is away while a gets 5 new alerts.
    const fresh: Envelope[] = []
    for (let i = 0; i < 5; i++) {
      await run(10_000)
      const e = alert(a, i)
      fresh.push(e)
      expect((await a.core.ingest.ingest(e.bytes, 'local')).ok).toBe(true)
    }
    await run(MIN)
    radioOn(b, 'cam')
    await run(10 * MIN)
    for (const e of fresh) expect(b.stored.get(e.id)).toBe(1)
    const s = b.radio!.view().neighbours[0].sync!
    expect(s.roundsCompleted + (a.radio!.view().neighbours[0].sync?.roundsCompleted ?? 0)).toBeGreaterThanOrEqual(1)
    expect(s.framesReceived.recon).toBeGreaterThanOrEqual(1)
    // Recent-first: the round's RECON frames stay at a few hundred bytes for 5 among 205.
    const ss = b.radio!.peering.sessions.get('radio:YUC')!.stats()
    expect(ss.reconcileBytesSent + ss.reconcileBytesReceived).toBeLessThan(500)
    expect(ss.messagesKnown).toBe(0) // nothing came twice
  })
})
