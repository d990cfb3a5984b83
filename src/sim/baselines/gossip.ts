/**
 * Baseline 1: push-only gossip without store-and-forward — what a GossipSub-style mesh
 * delivers. A new message is pushed at once to every linked neighbour (GossipSub's mesh
 * degree D = 6 covers every neighbour in mx-32); each heartbeat (1 s) a node announces the
 * ids of its recent history (GOSSIP_HISTORY_MS, GossipSub's mcache of 3 heartbeats plus
 * some) and neighbours ask for what they lack. Nothing older is ever offered again, and a
 * node that loses power forgets what it had seen.
 */
import { baselineStack, FRAME_IHAVE, FRAME_IWANT, type BaselineInit, type BaselineNode } from './base.js'
import type { SimStack } from '../stack.js'

export const GOSSIP_HEARTBEAT_MS = 1_000
/** How long a message stays in the history that heartbeats announce. */
export const GOSSIP_HISTORY_MS = 5_000

export function createGossipNode (init: BaselineInit): SimStack {
  const recent = (node: BaselineNode): string[] => {
    const since = init.clock.now() - GOSSIP_HISTORY_MS
    const ids: string[] = []
    for (const [id, h] of node.seen) if (h.at >= since) ids.push(id)
    return ids
  }
  return baselineStack(init, {
    hopLimit: 255,
    heartbeatMs: GOSSIP_HEARTBEAT_MS,
    onNew: (node, _id, bytes, _hops, from) => { node.forward(bytes, 255, from) },
    heartbeat: node => {
      const ids = recent(node)
      if (ids.length === 0) return false
      for (const l of node.links) node.sendIds(l, FRAME_IHAVE, ids)
      return true
    },
    onIhave: (node, ids, from) => {
      const missing = ids.filter(id => !node.seen.has(id))
      if (missing.length > 0) node.sendIds(from, FRAME_IWANT, missing)
    },
    onIwant: (node, ids, from) => {
      for (const id of ids) {
        const h = node.seen.get(id)
        if (h !== undefined && h.at >= init.clock.now() - GOSSIP_HISTORY_MS) node.sendMsg(from, h.bytes, 255)
      }
    },
    exportable: node => recent(node).map(id => node.seen.get(id)!.bytes)
  })
}
