/**
 * What the runner needs from a system under test (c5mesh or the GossipSub baseline):
 * nodes indexed as the topology's nodes, edges given as index pairs.
 */
export type Edge = [number, number]

export interface BenchNetwork {
  readonly name: string
  /** Dials each edge once and resolves when the system is ready to carry messages on all of them. */
  connect: (edges: Edge[]) => Promise<void>
  /**
   * Publishes envelope bytes at node `origin`; resolves once handed to the system (not
   * delivered). The tracker must already know the payload.
   */
  publish: (origin: number, bytes: Uint8Array) => Promise<void>
  /**
   * Message payload transmissions so far: every time a node received a full message from a
   * peer, duplicates included (c5mesh: MSG frames handed to ingest; GossipSub: RPC
   * messages entering validation). Control traffic (RECON/WANT, IHAVE/IWANT) is not counted.
   */
  transmissions: () => number
  /** Takes these links down at both ends and refuses them until heal (a partition). */
  cut: (edges: Edge[]) => Promise<void>
  /** Allows the links again and redials each once. */
  heal: (edges: Edge[]) => Promise<void>
  /** Stops every node and removes temp folders. */
  stop: () => Promise<void>
}

/** Delivery callback: node `node` handed payload `bytes` to its application. */
export type OnDeliver = (node: number, bytes: Uint8Array) => void
