/**
 * Baseline 2: flooding with a hop limit — Meshtastic-style. A node rebroadcasts each
 * message it has not seen to every neighbour, once, with one hop less; at zero hops it
 * stops. No history, no repair: a node that was cut off when a message passed never gets
 * it, and a destination beyond the hop limit never does either.
 */
import { baselineStack, type BaselineInit } from './base.js'
import type { SimStack } from '../stack.js'

/** Meshtastic's default hop limit (its maximum is 7). */
export const FLOOD_HOP_LIMIT = 3

export function createFloodNode (init: BaselineInit, hopLimit = FLOOD_HOP_LIMIT): SimStack {
  return baselineStack(init, {
    hopLimit,
    onNew: (node, _id, bytes, hops, from) => {
      if (hops <= 0) return
      node.forward(bytes, hops - 1, from)
    },
    exportable: () => []
  })
}
