/**
 * A second baseline: GossipSub carrying the same messages, each node running the SAME
 * c5mesh ingest (decode, Ed25519 verify, roster authority, LevelDB write) as GossipSub's
 * topic validator — so a message is verified and stored before it is forwarded, as c5mesh
 * does. Comparing it with plain GossipSub isolates the cost of the application work from
 * the cost of the dissemination protocol. The publisher ingests locally first (as c5mesh).
 */
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { sharedVerifyPool } from './verify.js'
import type { TestWorld } from '../../src/sim/world.js'
import type { BenchNetwork, OnDeliver } from './network.js'
import { startGossipNetwork } from './gossip.js'
import { mapLimit } from './stats.js'

export async function startGossipIngestNetwork (world: TestWorld, onDeliver: OnDeliver): Promise<BenchNetwork> {
  const cores: Array<{ core: NodeCore, dir: string }> = []
  const closeAll = async (): Promise<void> => {
    await Promise.all(cores.map(async c => {
      await c.core.close().catch(() => {})
      await rm(c.dir, { recursive: true, force: true })
    }))
  }
  try {
    await mapLimit(world.members, 8, async (_m, i) => {
      const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-mesh-'))
      const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors, verifier: sharedVerifyPool() })
      cores[i] = { core, dir }
      const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
      if (!r.ok) throw new Error(`roster refused: ${r.code}`)
    })
  } catch (err) {
    await closeAll()
    throw err
  }
  let net: BenchNetwork
  try {
    net = await startGossipNetwork(world.members.length, onDeliver, {
      validate: async (i, data) => (await cores[i].core.ingest.ingest(data, 'peer:gossipsub')).ok
    })
  } catch (err) {
    await closeAll()
    throw err
  }
  return {
    ...net,
    name: 'gossipsub+ingest',
    async publish (origin, bytes) {
      const r = await cores[origin].core.ingest.ingest(bytes, 'local')
      if (!r.ok) throw new Error(`publish refused at node ${origin}: ${r.code}`)
      await net.publish(origin, bytes)
    },
    async stop () {
      await net.stop()
      await closeAll()
    }
  }
}
