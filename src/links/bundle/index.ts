/**
 * Bundles: the sneakernet link (docs/protocol/bundle.md). A USB stick carried from C5 to C5
 * is a one-way link at a time: a node writes a manifest of what it holds; another node
 * answers it with a bundle of exactly what the first lacks (the reconciliation engine's
 * coded symbols, with a range fallback); the first imports it through `ingest`.
 *
 * Not a `Link` (src/links/types.ts): a Link is a duplex frame channel that a sync session
 * runs rounds over, and a stick gives no round trips. The manifest plays the part of the
 * initiator's SYMBOLS message, computed without HELLO/SKETCH and sized in advance.
 *
 * @example
 * const node = localBundleNode({ core, signer: nodeKey, org: 'MX-YUC' })
 * const manifest = await node.manifest()                        // → the other C5
 * const { view, body } = await node.export({ manifests: [{ name: 'b.manifest', bytes }] })
 * await saveBundle(body, '/media/stick/b.bundle')               // atomic, verified
 * const summary = await node.import((await fileSource(path)).chunks, 'b.bundle')
 * await runCourier({ dir: '/media/stick', node, self: { key, org } })
 */
export * from './constants.js'
export { openBundle, type BundleReader, type BundleEvent, type BundleEnd } from './reader.js'
export { createBundleWriter, type BundleWriter } from './writer.js'
export { decodeHeader, verifyHeader, type BundleAnswer, type DecodedHeader } from './format.js'
export { buildManifest, decodeManifest, verifyManifest, type Manifest } from './manifest.js'
export { differenceFor, type Difference } from './difference.js'
export { planExport, writeExport, type ExportPlan, type ExportRequest } from './export.js'
export { importBundle, bundleInfo, type ImportSummary, type BundleInfo } from './import.js'
export { localBundleNode, streamOf, viewOf, exportStream, manifestOf, type BundleNode, type ExportView } from './node.js'
export { fileSource, readSmallFile, writeFileAtomic } from './files.js'
export { saveBundle } from './save.js'
export { runCourier, courierBaseName, type CourierReport, type Progress, type ProgressFactory } from './courier.js'
export { hasSeen } from './seen.js'
