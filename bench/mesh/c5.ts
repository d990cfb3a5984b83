/**
 * The c5mesh side of the benchmark: one real node per topology node in this process —
 * LevelDB in a temp folder, libp2p over 127.0.0.1 TCP, the real sync protocol — connected
 * exactly as the topology's links (each edge dialled once). DHT and mDNS are off and the
 * reconnect loop is slow, so the only links are the ones the benchmark dials.
 */
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { sharedVerifyPool } from './verify.js'
import { startMesh, type MeshNode } from '../../src/node/mesh.js'
import { toHex } from '../../src/identity/index.js'
import type { TestWorld } from '../../src/sim/world.js'
import type { BenchNetwork, Edge, OnDeliver } from './network.js'
import { mapLimit, retry } from './stats.js'

/** Long enough that the reconnect loop never runs during the benchmark (it would redial cut links). */
export const BENCH_RECONNECT_INTERVAL_MS = 10 * 60_000
export const START_CONCURRENCY = 8
export const SESSIONS_UP_TIMEOUT_MS = 60_000

interface C5Node { core: NodeCore, mesh: MeshNode, dir: string, blocked: Set<string>, key: string }

export interface C5Network extends BenchNetwork { nodes: C5Node[] }

export async function startC5Network (world: TestWorld, onDeliver: OnDeliver): Promise<C5Network> {
  const nodes: C5Node[] = []
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map(async n => {
      await n.mesh.stop().catch(() => {})
      await n.core.close().catch(() => {})
      await rm(n.dir, { recursive: true, force: true })
    }))
  }
  try {
    await mapLimit(world.members, START_CONCURRENCY, async (m, i) => {
      const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-mesh-'))
      const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors, verifier: sharedVerifyPool() })
      const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
      if (!r.ok) throw new Error(`roster refused: ${r.code}`)
      const blocked = new Set<string>()
      const mesh = await startMesh({
        core,
        nodeKey: m.node,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        dht: false,
        mdns: false,
        reconnect: { intervalMs: BENCH_RECONNECT_INTERVAL_MS },
        linkFilter: key => !blocked.has(toHex(key))
      })
      core.ingest.events.on('message', ({ envelope }) => { onDeliver(i, envelope.bytes) })
      nodes[i] = { core, mesh, dir, blocked, key: toHex(m.node.publicKey) }
    })
  } catch (err) {
    await stopAll()
    throw err
  }

  const dial = async ([a, b]: Edge): Promise<void> => { await retry(async () => nodes[a].mesh.dial(nodes[b].mesh.addrs()[0])) }
  /** Resolves when node i has `want` sessions (it counts session open/end events). */
  const sessionsAt = async (i: number, want: number, timeoutMs: number): Promise<void> => {
    const { mesh } = nodes[i]
    if (mesh.sessionCount() === want) return
    await new Promise<void>((resolve, reject) => {
      const check = (): void => { if (mesh.sessionCount() === want) { done(); resolve() } }
      const done = (): void => { clearTimeout(timer); mesh.events.off('session', check) }
      const timer = setTimeout(() => { done(); reject(new Error(`node ${i}: ${mesh.sessionCount()} sessions, want ${want}`)) }, timeoutMs)
      mesh.events.on('session', check)
    })
  }
  let liveDegree: number[] = []

  return {
    name: 'c5mesh',
    nodes,
    // Ready = every node has a sync session with each neighbour (session events, no sleeps).
    async connect (edges) {
      liveDegree = nodes.map(() => 0)
      for (const [a, b] of edges) { liveDegree[a]++; liveDegree[b]++ }
      await mapLimit(edges, START_CONCURRENCY, dial)
      await Promise.all(liveDegree.map(async (d, i) => sessionsAt(i, d, SESSIONS_UP_TIMEOUT_MS)))
    },
    async publish (origin, bytes) {
      const r = await nodes[origin].core.ingest.ingest(bytes, 'local')
      if (!r.ok) throw new Error(`publish refused at node ${origin}: ${r.code}`)
    },
    transmissions () {
      let n = 0
      for (const { core } of nodes) {
        for (const [source, c] of Object.entries(core.ingest.stats().bySource)) {
          if (!source.startsWith('peer:')) continue
          n += c.accepted
          for (const v of Object.values(c.byCode)) n += v
        }
      }
      return n
    },
    async cut (edges) {
      for (const [a, b] of edges) { nodes[a].blocked.add(nodes[b].key); nodes[b].blocked.add(nodes[a].key) }
      for (const n of nodes) n.mesh.reapplyFilter()
      for (const [a, b] of edges) { liveDegree[a]--; liveDegree[b]-- }
      await Promise.all(liveDegree.map(async (d, i) => sessionsAt(i, d, SESSIONS_UP_TIMEOUT_MS)))
    },
    async heal (edges) {
      for (const [a, b] of edges) { nodes[a].blocked.delete(nodes[b].key); nodes[b].blocked.delete(nodes[a].key) }
      for (const [a, b] of edges) { liveDegree[a]++; liveDegree[b]++ }
      await mapLimit(edges, START_CONCURRENCY, dial)
      await Promise.all(liveDegree.map(async (d, i) => sessionsAt(i, d, SESSIONS_UP_TIMEOUT_MS)))
    },
    stop: stopAll
  }
}
