/**
 * The node's path on an injected virtual clock: three real node cores (in-memory stores),
 * the real sessions and peering, over shaped memory links, for two simulated hours — in a
 * second or two of wall time, and without the simulated path reading the wall clock or
 * starting a real timer. A message is delivered over two hops, expires and is swept on
 * virtual time, a node restarts on the store it kept, and the reconnector's backoff runs on
 * the virtual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MemoryLevel } from 'memory-level'
import { VirtualClock } from '../../src/sim/clock.js'
import { createTestWorld, type WorldMember } from '../../src/sim/world.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { createPeering, type Peering } from '../../src/node/peering.js'
import { createReconnector } from '../../src/node/reconnect.js'
import { memoryLinkPair } from '../../src/links/index.js'
import { composeEnvelope, sampleAlert } from '../../src/envelope/index.js'
import type { RootDb } from '../../src/store/layout.js'

const T0_MS = Date.UTC(2023, 9, 25, 6, 0, 0)
const HOUR_MS = 3_600_000

/**
 * Counts the calls of real timers and of Date.now made from the project's src/ while the
 * simulation runs (the test runner's own are not ours to count).
 */
function watchRealTime (): { calls: string[], restore: () => void } {
  const calls: string[] = []
  const fromSrc = (): boolean => /\/src\/(?!util\/shim)[^\n]*\.ts/.test(new Error().stack?.split('\n').slice(3).join('\n') ?? '')
  const g = globalThis as any
  const saved = { setTimeout: g.setTimeout, setInterval: g.setInterval, now: Date.now }
  g.setTimeout = (...a: unknown[]) => { if (fromSrc()) calls.push(`setTimeout ${new Error().stack}`); return saved.setTimeout(...a) }
  g.setInterval = (...a: unknown[]) => { if (fromSrc()) calls.push(`setInterval ${new Error().stack}`); return saved.setInterval(...a) }
  Date.now = () => { if (fromSrc()) calls.push(`Date.now ${new Error().stack}`); return saved.now() }
  return { calls, restore: () => { g.setTimeout = saved.setTimeout; g.setInterval = saved.setInterval; Date.now = saved.now } }
}

interface VNode { member: WorldMember, db: RootDb, core: NodeCore, peering: Peering }

describe('the node path on a virtual clock', () => {
  let clock: VirtualClock
  let nodes: VNode[]
  const world = createTestWorld(['MX-GRO', 'MX-MOR', 'MX-CMX'], T0_MS)

  async function open (member: WorldMember, db: RootDb): Promise<VNode> {
    const core = await openNodeCore({ storePath: `memory:${member.org}`, db: () => db, anchors: world.anchors, clock, sweepIntervalMs: 60_000 })
    if (core.roster.version() === 0) expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
    const peering = createPeering({ core, nodeKey: member.node.publicKey, sync: { reconcileIntervalMs: 60_000 }, nonce: () => new Uint8Array(8).fill(nodes.length) })
    return { member, db, core, peering }
  }

  function link (a: VNode, b: VNode): void {
    const [ab, ba] = memoryLinkPair({ clock, latencyMs: 300, bytesPerSecond: 8_000, names: [a.member.org, b.member.org], keys: [a.member.node.publicKey, b.member.node.publicKey] })
    a.peering.attach(ab)
    b.peering.attach(ba)
  }

  beforeEach(async () => {
    clock = new VirtualClock(T0_MS)
    nodes = []
    for (const m of world.members) nodes.push(await open(m, new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as RootDb))
  })

  afterEach(async () => {
    for (const n of nodes) { await n.peering.stop(); await n.core.close() }
  })

  it('delivers, expires and sweeps on virtual time, with no real timer or wall-clock read', async () => {
    const [gro, mor, cmx] = nodes
    const watch = watchRealTime()
    const wall0 = performance.now()
    let env
    try {
      link(gro, mor)
      link(mor, cmx)
      const m = gro.member
      const u = sampleAlert({ author: m.operator.publicKey, org: m.org, created: clock.now(), seq: 1 })
      const { version: _v, author: _a, created: _c, expires: _e, ...fields } = u
      env = composeEnvelope({ ...fields, org: m.org, ttlS: 3_600 }, m.operator, { now: clock.now() })
      expect((await gro.core.ingest.ingest(env.bytes, 'local')).ok).toBe(true)
      await clock.runUntil(T0_MS + 10_000)
      // Two hops of 300 ms plus transmission at 8 kB/s: there within the first seconds.
      for (const n of nodes) expect(n.core.store.holds(env.digest)).toBe(true)
      const received = (await cmx.core.store.get(env.digest))!.received
      expect(received - T0_MS).toBeGreaterThanOrEqual(600)
      expect(received - T0_MS).toBeLessThan(2_000)
      // Two simulated hours: the alert expires after one and every node's sweeper removes it.
      await clock.runUntil(T0_MS + 2 * HOUR_MS)
    } finally {
      watch.restore()
    }
    for (const n of nodes) {
      expect(n.core.store.holds(env.digest)).toBe(false)
      expect(await n.core.store.status(env.digest)).toBe('tombstone')
    }
    expect(clock.fired).toBeGreaterThan(100) // rounds, sweeps and frames all ran on the virtual clock
    expect(watch.calls).toEqual([])
    expect(performance.now() - wall0).toBeLessThan(20_000)
  })

  it('a node restarted on its in-memory store keeps what it stored and catches up', async () => {
    const [gro, mor] = nodes
    link(gro, mor)
    const m = gro.member
    const post = async (seq: number): Promise<Uint8Array> => {
      const { version: _v, author: _a, created: _c, expires: _e, ...fields } = sampleAlert({ author: m.operator.publicKey, org: m.org, created: clock.now(), seq })
      const env = composeEnvelope({ ...fields, org: m.org, ttlS: 86_400 }, m.operator, { now: clock.now() })
      expect((await gro.core.ingest.ingest(env.bytes, 'local')).ok).toBe(true)
      return env.digest
    }
    const first = await post(1)
    await clock.runUntil(clock.now() + 5_000)
    expect(mor.core.store.holds(first)).toBe(true)
    // MOR loses power: its sessions and memory go, its store stays.
    await mor.peering.stop()
    await mor.core.close()
    const second = await post(2)
    await clock.runUntil(clock.now() + 60_000)
    const again = await open(mor.member, mor.db)
    nodes[1] = again
    expect(again.core.store.holds(first)).toBe(true)
    expect(again.core.store.holds(second)).toBe(false)
    link(gro, again)
    await clock.runUntil(clock.now() + 5_000)
    expect(again.core.store.holds(second)).toBe(true) // reconciliation on the new link
  })

  it('the reconnector backs off on the virtual clock, with injected jitter', async () => {
    const dials: number[] = []
    let up = false
    const r = createReconnector({
      clock,
      random: () => 0.5, // no jitter: the backoff is exactly min × 2^failures
      targets: () => [{ id: 'MX-MOR', key: new Uint8Array(32) }],
      connected: () => up,
      dial: async () => { dials.push(clock.now() - T0_MS); return 'failed' }
    }, { intervalMs: 1_000, minBackoffMs: 1_000, maxBackoffMs: 16_000 })
    r.start()
    await clock.runUntil(T0_MS + 60_000)
    r.stop()
    // Dials at 0, then after 2, 4, 8, 16, 16… s (each rounded up to the next 1 s pass).
    expect(dials.slice(0, 6)).toEqual([0, 2_000, 6_000, 14_000, 30_000, 46_000])
    expect(r.failures('MX-MOR')).toBe(dials.length)
    up = true
    r.connected('MX-MOR')
    expect(r.failures('MX-MOR')).toBeUndefined()
  })
})
