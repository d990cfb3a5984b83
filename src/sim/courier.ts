/**
 * Couriers in the simulator: a USB stick carried along a route on road time, on real
 * bundles (src/links/bundle, docs/protocol/bundle.md). At each stop the node does what
 * `c5mesh courier DIR` does (src/links/bundle/courier.ts), on a stick held in memory:
 *
 *   1. import every bundle on the stick that is not its own and that it has not imported
 *      yet, through its one ingest (source `file:NAME`);
 *   2. put its manifest on the stick (replacing its previous one);
 *   3. put its bundle on the stick (replacing its previous one): what the other nodes'
 *      manifests on the stick say they lack — or, while a node further along the route has
 *      no manifest on the stick yet (a first trip), everything it holds, as an operator
 *      would export for a C5 whose manifest they do not have.
 *
 * The same directory steps are not called on a temporary folder because the simulated
 * path does no real I/O (virtual time moves only when every promise has settled); the
 * manifest, export and import functions are the real ones. A courier's stick persists
 * between its trips (the same `name`), so a return trip answers the manifests the first one
 * brought. The bundle's nonce is derived from the courier, the stop and the time: a run
 * repeats byte for byte. Bytes written onto the stick are the courier's link bytes.
 *
 * Stacks without bundles (the baselines) keep the plain model: every message on the stick
 * is ingested, then everything the node holds goes on the stick.
 */
import { createHash } from 'node:crypto'
import { BUNDLE_SUFFIX, MANIFEST_SUFFIX, NONCE_BYTES, courierBaseName, decodeManifest, openBundle, type BundleNode } from '../links/bundle/index.js'
import { toHex } from '../identity/index.js'
import type { SimStack } from './stack.js'

/** One stop of one trip, for the report (report.json `couriers`). */
export interface CourierStop {
  courier: string
  node: string
  /** ms from the scenario start. */
  t: number
  /** Bundles imported here, and what their records were to this node (plain model: records handed over, as `new`). */
  imported: { bundles: number, new: number, known: number, rejected: number }
  /** Bytes this node put on the stick (its bundle and its manifest). */
  bundleBytes: number
  bundleRecords: number
  manifestBytes: number
  /** How its bundle was chosen: answering manifests, or everything (a node ahead had none). */
  method: 'manifests' | 'everything' | 'none' | 'plain'
}

/** A stick: file name → bytes, as `c5mesh courier` leaves them in the stick's folder. */
export type Stick = Map<string, Uint8Array>

async function * once (b: Uint8Array): AsyncGenerator<Uint8Array> { yield b }

async function collect (body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of body) parts.push(c)
  return Buffer.concat(parts)
}

function nonceFor (courier: string, node: string, now: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`courier-nonce:${courier}:${node}:${now}`).digest().subarray(0, NONCE_BYTES))
}

/** A node's visit with real bundles. `ahead`: the orgs still to come on this trip. */
export async function bundleStop (node: BundleNode, self: { org: string, key: Uint8Array }, stick: Stick, ahead: readonly string[], courier: string, t: number, now: number): Promise<CourierStop> {
  const stop: CourierStop = { courier, node: self.org, t, imported: { bundles: 0, new: 0, known: 0, rejected: 0 }, bundleBytes: 0, bundleRecords: 0, manifestBytes: 0, method: 'none' }
  const mine = courierBaseName(self.org, self.key)
  const selfHex = toHex(self.key)
  const names = [...stick.keys()].sort()
  // 1. Bundles of other nodes, not seen yet.
  for (const file of names.filter(n => n.endsWith(BUNDLE_SUFFIX))) {
    const bytes = stick.get(file)!
    const head = await openBundle(once(bytes), { name: file })
    await head.close()
    if (toHex(head.header.exporter) === selfHex || await node.hasSeen(head.header.id)) continue
    const s = await node.import(once(bytes), file)
    stop.imported.bundles++
    stop.imported.new += s.new
    stop.imported.known += s.known
    stop.imported.rejected += s.rejected
  }
  // 2. Its manifest.
  const manifestFile = mine + MANIFEST_SUFFIX
  const manifest = await node.manifest()
  stick.set(manifestFile, manifest)
  stop.manifestBytes = manifest.length
  // 3. Its bundle.
  const manifests = names.filter(n => n.endsWith(MANIFEST_SUFFIX) && n !== manifestFile).map(name => ({ name, bytes: stick.get(name)! }))
  const owners = new Set(manifests.map(m => decodeManifest(m.bytes, m.name).org))
  const unknownAhead = ahead.some(o => o !== self.org && !owners.has(o))
  if (manifests.length === 0 && !unknownAhead) return stop
  const { view, body } = await node.export({ ...(unknownAhead ? {} : { manifests }), nonce: nonceFor(courier, self.org, now) })
  const bundle = await collect(body)
  stop.method = unknownAhead ? 'everything' : 'manifests'
  if (view.count === 0 && !unknownAhead) { stop.method = 'none'; return stop }
  stick.set(mine + BUNDLE_SUFFIX, bundle)
  stop.bundleBytes = bundle.length
  stop.bundleRecords = view.count
  return stop
}

/** The plain model for stacks without bundles (the baselines): everything both ways. */
export async function plainStop (s: SimStack, stick: Stick, courier: string, t: number): Promise<CourierStop> {
  const carried = [...stick.values()]
  await s.importBytes(carried, `file:${courier}`)
  let bytes = 0
  let added = 0
  for (const b of await s.exportBytes()) {
    const k = Buffer.from(b).toString('base64')
    if (!stick.has(k)) { stick.set(k, b); added++; bytes += b.length }
  }
  return { courier, node: s.org, t, imported: { bundles: 0, new: carried.length, known: 0, rejected: 0 }, bundleBytes: bytes, bundleRecords: added, manifestBytes: 0, method: 'plain' }
}
