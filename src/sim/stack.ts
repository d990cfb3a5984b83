/**
 * What the simulator asks of a node's protocol stack — c5mesh itself (c5-node.ts) or a
 * baseline (baselines/) — so that one run loop drives all of them over the same network,
 * workload and timeline.
 */
import type { Envelope } from '../envelope/types.js'
import type { SimLink } from './medium.js'
import type { BundleNode } from '../links/bundle/index.js'

export interface SimStack {
  readonly org: string
  readonly key: Uint8Array
  running: () => boolean
  start: () => Promise<void>
  /** Power loss: links and memory go; a c5mesh node keeps its store. */
  powerOff: () => Promise<void>
  powerOn: () => Promise<void>
  /** An operator's message composed on this node: true when the node took it. */
  publish: (env: Envelope) => Promise<boolean>
  /** Bytes arriving from outside the network (a courier's stick): ingested as from a file. */
  importBytes: (bytes: Uint8Array[], source: string) => Promise<void>
  /** What this node would hand a courier: envelope bytes it holds (c5mesh: its unexpired store). */
  exportBytes: () => Promise<Uint8Array[]>
  /** The node's bundle functions (manifest, export, import through ingest) while it runs; stacks without bundles have none (couriers then copy everything, courier.ts). */
  bundles?: () => BundleNode | undefined
  /** Whether it holds a message now (end-of-run checks). */
  holds: (digest: Uint8Array) => boolean
  /** Messages waiting to leave on its links (queue depth). */
  queued: () => number
  /** Its open links (the rogue member writes raw frames on them). */
  links: () => SimLink[]
  /** Roster version in force (c5mesh), 0 for stacks without one. */
  rosterVersion: () => number
  /** This node's clock offset from true time (a skewed clock), ms. */
  skewMs: number
  stop: () => Promise<void>
}

/** Events a stack reports to the run (which records and traces them). */
export interface StackEvents {
  delivered: (org: string, env: Envelope, source: string) => void
  rejected: (org: string, code: string, id: string | undefined, source: string) => void
  session: (org: string, peer: string, event: 'open' | 'end', reason?: string) => void
  banned: (org: string, peer: string) => void
}

export type SystemName = 'c5mesh' | 'gossip' | 'flood'
export const SYSTEMS: readonly SystemName[] = ['c5mesh', 'gossip', 'flood']
