/**
 * Real networked test nodes: LevelDB in a temp folder, libp2p over loopback TCP, the real
 * sync protocol. No DHT or mDNS (tests choose the topology by dialling).
 */
import { join } from 'node:path'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { startMesh, type MeshNode, type MeshOptions } from '../../src/node/mesh.js'
import { toHex } from '../../src/identity/index.js'
import { createReceiptEmitter, type ReceiptEmitter, type ReceiptOptions } from '../../src/receipts/index.js'
import type { TestWorld, WorldMember } from './world.js'
import { tempDir } from './tmp.js'

export interface TestNode {
  member: WorldMember
  core: NodeCore
  mesh: MeshNode
  /** With options.receipts: this node's receipt emitter. */
  receipts?: ReceiptEmitter
  dir: string
  /** Node keys (hex) this node refuses links with: a partition. */
  blocked: Set<string>
  /** Cuts links to these nodes now and refuses new ones, until unblock. */
  block: (...others: TestNode[]) => void
  unblock: (...others: TestNode[]) => void
  /** Stops networking and closes the store (a clean stop). */
  stop: () => Promise<void>
  /** Starts again on the same data folder. */
  restart: () => Promise<void>
}

export interface TestNodeOptions {
  sync?: MeshOptions['sync']
  dir?: string
  /** Send delivery receipts (src/receipts), as a daemon does. */
  receipts?: ReceiptOptions
  /** Merged over the helper's reconnect loop (a dial a minute). */
  reconnect?: MeshOptions['reconnect']
}

export async function startTestNode (world: TestWorld, member: WorldMember, options: TestNodeOptions = {}): Promise<TestNode> {
  const dir = options.dir ?? (await tempDir('c5mesh-node-')).path
  const blocked = new Set<string>()
  const open = async (): Promise<{ core: NodeCore, mesh: MeshNode, receipts?: ReceiptEmitter }> => {
    const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors })
    if (core.roster.version() === 0) {
      const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
      if (!r.ok) throw new Error(`roster refused: ${r.code}`)
    }
    const receipts = options.receipts === undefined ? undefined : createReceiptEmitter({ core, nodeKey: member.node }, options.receipts)
    await receipts?.start()
    const mesh = await startMesh({
      core,
      nodeKey: member.node,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      dht: false,
      mdns: false,
      sync: { reconcileIntervalMs: 0, ...options.sync },
      reconnect: { intervalMs: 60_000, ...options.reconnect },
      // C5MESH_TEST_LOG=1 prints every node's mesh events (session open/end, bans…) to stderr.
      ...(process.env.C5MESH_TEST_LOG === undefined ? {} : { log: (ev: string, f: Record<string, unknown>) => { console.error(member.org, ev, JSON.stringify(f)) } }),
      linkFilter: key => !blocked.has(toHex(key))
    })
    return { core, mesh, receipts }
  }
  const node = { member, dir, blocked, ...(await open()) } as TestNode
  node.block = (...others) => { for (const o of others) blocked.add(toHex(o.member.node.publicKey)); node.mesh.reapplyFilter() }
  node.unblock = (...others) => { for (const o of others) blocked.delete(toHex(o.member.node.publicKey)) }
  node.stop = async () => { await node.mesh.stop(); await node.receipts?.stop(); await node.core.close() }
  node.restart = async () => { Object.assign(node, await open()) }
  return node
}

/** Connects a to b (a dials b's loopback address). */
export async function connect (a: TestNode, b: TestNode): Promise<void> {
  await a.mesh.dial(b.mesh.addrs()[0])
}

/** Resolves when every id is stored on the node (checks the store, then waits on ingest events). */
export async function waitForIds (node: TestNode, ids: Uint8Array[]): Promise<void> {
  const missing = new Set(ids.map(toHex))
  await new Promise<void>((resolve, reject) => {
    const onMessage = ({ envelope }: { envelope: { digest: Uint8Array } }): void => {
      missing.delete(toHex(envelope.digest))
      if (missing.size === 0) { node.core.ingest.events.off('message', onMessage); resolve() }
    }
    node.core.ingest.events.on('message', onMessage)
    Promise.all(ids.map(async id => [toHex(id), await node.core.store.status(id)] as const)).then(st => {
      for (const [k, s] of st) if (s === 'stored') missing.delete(k)
      if (missing.size === 0) { node.core.ingest.events.off('message', onMessage); resolve() }
    }, reject)
  })
}
