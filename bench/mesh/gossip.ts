/**
 * The baseline: plain libp2p nodes (TCP, Noise, Yamux, identify) running @libp2p/gossipsub
 * with its default parameters on one topic (emitSelf false, allowPublishToZeroTopicPeers
 * true), connected as the same topology edges. Payloads are the same envelope bytes; no
 * store, no roster, no C5 signature check — GossipSub only checks its own message signature.
 *
 * Transmissions are counted through `fastMsgIdFn`, which GossipSub calls once for every
 * message it receives in an RPC before any duplicate check (gossipsub.js
 * validateReceivedMessage), so duplicates and IWANT replies are counted too.
 */
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { createHash } from 'node:crypto'
import type { BenchNetwork, Edge, OnDeliver } from './network.js'
import { mapLimit, retry } from './stats.js'

export const TOPIC = 'c5mesh-bench'
/** GossipSub's D_lo (constants.js GossipsubDlo): the heartbeat grafts until a mesh has this many. */
export const GOSSIPSUB_DLO = 4
export const MESH_READY_TIMEOUT_MS = 60_000
const CONCURRENCY = 8

export interface GossipOptions {
  /**
   * Application validation before GossipSub forwards (its topic validator; duplicates never
   * reach it): e.g. a c5mesh ingest, to separate the transport's cost from the store's.
   */
  validate?: (node: number, data: Uint8Array) => Promise<boolean>
}

export async function startGossipNetwork (count: number, onDeliver: OnDeliver, options: GossipOptions = {}): Promise<BenchNetwork> {
  let received = 0
  const blocked: Array<Set<string>> = Array.from({ length: count }, () => new Set())
  const make = async (i: number) => {
    const deny = (peer: PeerId): boolean => blocked[i].has(peer.toString())
    return await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: deny,
        denyInboundEncryptedConnection: deny,
        denyOutboundEncryptedConnection: deny
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          emitSelf: false,
          allowPublishToZeroTopicPeers: true,
          // Called for every received message, duplicates included: the transmission count.
          fastMsgIdFn: msg => { received++; return createHash('sha256').update(msg.data ?? new Uint8Array()).digest('base64') }
        })
      }
    })
  }
  type Node = Awaited<ReturnType<typeof make>>
  const nodes: Node[] = []
  const pubsub = (i: number): GossipSub => nodes[i].services.pubsub as GossipSub
  // getMeshPeers is on the implementation class, not the exported interface.
  const meshPeers = (i: number): string[] => (pubsub(i) as unknown as { getMeshPeers: (topic: string) => string[] }).getMeshPeers(TOPIC)
  try {
    await mapLimit(Array.from({ length: count }, (_, i) => i), CONCURRENCY, async i => {
      nodes[i] = await make(i)
      const ps = nodes[i].services.pubsub as GossipSub
      ps.subscribe(TOPIC)
      ps.addEventListener('gossipsub:message', evt => { onDeliver(i, evt.detail.msg.data) })
      const validate = options.validate
      if (validate !== undefined) ps.topicValidators.set(TOPIC, async (_peer, msg) => await validate(i, msg.data) ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore)
    })
  } catch (err) {
    await Promise.all(nodes.map(async n => { await n?.stop() }).map(async p => p.catch(() => {})))
    throw err
  }
  const dial = async ([a, b]: Edge): Promise<void> => { await retry(async () => { await nodes[a].dial(nodes[b].getMultiaddrs()[0]) }) }
  const neighbours: Array<Set<number>> = Array.from({ length: count }, () => new Set())

  /** Ready: each node sees every live neighbour subscribed, and its mesh has min(degree, D_lo) peers. */
  const meshReady = async (): Promise<void> => {
    const ready = (i: number): boolean => {
      const subs = new Set(pubsub(i).getSubscribers(TOPIC).map(p => p.toString()))
      for (const n of neighbours[i]) if (!subs.has(nodes[n].peerId.toString())) return false
      return meshPeers(i).length >= Math.min(neighbours[i].size, GOSSIPSUB_DLO)
    }
    await Promise.all(nodes.map(async (_, i) => {
      if (ready(i)) return
      const ps = pubsub(i)
      await new Promise<void>((resolve, reject) => {
        const check = (): void => { if (ready(i)) { done(); resolve() } }
        const done = (): void => {
          clearTimeout(timer)
          for (const ev of ['gossipsub:heartbeat', 'gossipsub:graft', 'subscription-change'] as const) ps.removeEventListener(ev, check)
        }
        const timer = setTimeout(() => { done(); reject(new Error(`gossipsub node ${i}: mesh not formed`)) }, MESH_READY_TIMEOUT_MS)
        for (const ev of ['gossipsub:heartbeat', 'gossipsub:graft', 'subscription-change'] as const) ps.addEventListener(ev, check)
      })
    }))
  }

  return {
    name: 'gossipsub',
    async connect (edges) {
      for (const [a, b] of edges) { neighbours[a].add(b); neighbours[b].add(a) }
      await mapLimit(edges, CONCURRENCY, dial)
      await meshReady()
    },
    async publish (origin, bytes) { await pubsub(origin).publish(TOPIC, bytes) },
    transmissions: () => received,
    async cut (edges) {
      for (const [a, b] of edges) {
        blocked[a].add(nodes[b].peerId.toString()); blocked[b].add(nodes[a].peerId.toString())
        neighbours[a].delete(b); neighbours[b].delete(a)
      }
      // Abort, as c5mesh's reapplyFilter does: a hurricane closes nothing gracefully.
      for (const [a, b] of edges) {
        for (const [x, y] of [[a, b], [b, a]]) for (const c of nodes[x].getConnections(nodes[y].peerId)) c.abort(new Error('partition'))
      }
    },
    async heal (edges) {
      for (const [a, b] of edges) {
        blocked[a].delete(nodes[b].peerId.toString()); blocked[b].delete(nodes[a].peerId.toString())
        neighbours[a].add(b); neighbours[b].add(a)
      }
      await mapLimit(edges, CONCURRENCY, dial)
      await meshReady()
    },
    async stop () { await Promise.all(nodes.map(async n => { await n.stop() }).map(async p => p.catch(() => {}))) }
  }
}
