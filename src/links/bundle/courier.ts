/**
 * `c5mesh courier DIR` (docs/protocol/bundle.md §7): the one command a courier runs at each
 * C5 with the stick mounted at DIR.
 *
 *   1. import every bundle on the stick this node has not imported yet (not its own);
 *   2. write this node's manifest (what it holds now);
 *   3. write this node's bundle: what the other manifests on the stick say their nodes lack.
 *
 * One manifest and one bundle per node on the stick, each replacing that node's previous
 * one (a newer manifest supersedes the older; the new bundle covers what the old did for
 * the manifests now present). Every file is written atomically (files.ts), so running it
 * twice, pulling the stick or filling it never leaves half a file. Each step reports its own
 * outcome and a failed step does not stop the others.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { C5Error, type ErrorCode } from '../../errors.js'
import { toHex } from '../../identity/index.js'
import { BUNDLE_SUFFIX, COURIER_PREFIX, MANIFEST_MAX_BYTES, MANIFEST_SUFFIX, TEMP_PREFIX } from './constants.js'
import { fileSource, readError, readSmallFile, writeFileAtomic } from './files.js'
import type { ImportSummary } from './import.js'
import type { BundleNode, ExportView } from './node.js'
import { openBundle } from './reader.js'
import { saveBundle } from './save.js'

/** A progress display for one step (the CLI draws a bar on a terminal). */
export interface Progress { update: (done: number) => void, end: () => void }
export type ProgressFactory = (label: string, total: number, unit: 'bytes' | 'messages') => Progress

export interface CourierOptions {
  dir: string
  node: BundleNode
  /** This node's key and org (its files on the stick are named after them). */
  self: { key: Uint8Array, org: string }
  capacity?: number
  progress?: ProgressFactory
}

export interface CourierStepError { file?: string, code: ErrorCode, message: string }

export interface CourierReport {
  dir: string
  imported: Array<{ file: string, summary: ImportSummary }>
  skipped: Array<{ file: string, reason: string }>
  manifest?: { file: string, bytes: number }
  bundle?: { file: string, bytes: number, records: number, view: ExportView }
  /** Steps that failed (the others were done). */
  errors: CourierStepError[]
}

const NO_PROGRESS: ProgressFactory = () => ({ update: () => {}, end: () => {} })

export function courierBaseName (org: string, key: Uint8Array): string {
  return `${COURIER_PREFIX}${org}-${toHex(key).slice(0, 8)}`
}

function asStepError (err: unknown, file?: string): CourierStepError {
  const e = err instanceof C5Error ? err : new C5Error('BUNDLE_WRITE_FAILED', (err as Error)?.message ?? String(err))
  return { ...(file === undefined ? {} : { file }), code: e.code, message: e.message }
}

/** Counts bytes as a source is read. */
async function * counted (chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let n = 0
  for await (const c of chunks) { n += c.length; onBytes(n); yield c }
}

export async function runCourier (o: CourierOptions): Promise<CourierReport> {
  const progress = o.progress ?? NO_PROGRESS
  const report: CourierReport = { dir: o.dir, imported: [], skipped: [], errors: [] }
  let names: string[]
  try {
    names = (await readdir(o.dir)).sort()
  } catch (err) {
    throw readError(err, o.dir)
  }
  // Leftovers of a run that was cut short (power, a pulled stick): never real files.
  for (const n of names.filter(n => n.startsWith(TEMP_PREFIX))) await rm(join(o.dir, n), { force: true }).catch(() => {})
  const mine = courierBaseName(o.self.org, o.self.key)
  const selfHex = toHex(o.self.key)

  // 1. Bundles
  for (const file of names.filter(n => n.endsWith(BUNDLE_SUFFIX) && !n.startsWith(TEMP_PREFIX))) {
    const path = join(o.dir, file)
    try {
      const head = await fileSource(path)
      const reader = await openBundle(head.chunks, { name: file })
      await reader.close()
      if (toHex(reader.header.exporter) === selfHex) { report.skipped.push({ file, reason: 'this node\'s own bundle' }); continue }
      if (await o.node.hasSeen(reader.header.id)) { report.skipped.push({ file, reason: 'already imported' }); continue }
      const src = await fileSource(path)
      const bar = progress(`import ${file}`, src.size, 'bytes')
      try {
        const summary = await o.node.import(counted(src.chunks, n => bar.update(n)), file)
        report.imported.push({ file, summary })
        if (summary.problem !== undefined) report.errors.push({ file, ...summary.problem })
      } finally { bar.end() }
    } catch (err) {
      report.errors.push(asStepError(err, file))
    }
  }

  // 2. This node's manifest
  const manifestFile = mine + MANIFEST_SUFFIX
  try {
    const bytes = await o.node.manifest(o.capacity)
    await writeFileAtomic(join(o.dir, manifestFile), bytes)
    report.manifest = { file: manifestFile, bytes: bytes.length }
  } catch (err) {
    report.errors.push(asStepError(err, manifestFile))
  }

  // 3. This node's bundle, for the other nodes' manifests
  const manifests: Array<{ name: string, bytes: Uint8Array }> = []
  for (const file of names.filter(n => n.endsWith(MANIFEST_SUFFIX) && n !== manifestFile && !n.startsWith(TEMP_PREFIX))) {
    try {
      manifests.push({ name: file, bytes: await readSmallFile(join(o.dir, file), MANIFEST_MAX_BYTES) })
    } catch (err) {
      report.errors.push(asStepError(err, file))
    }
  }
  const bundleFile = mine + BUNDLE_SUFFIX
  if (manifests.length === 0) {
    report.skipped.push({ file: bundleFile, reason: 'no other node\'s manifest on the stick yet: nothing to carry' })
    return report
  }
  try {
    const { view, body } = await o.node.export({ manifests })
    for (const s of view.skipped) report.errors.push({ file: s.name, code: s.code, message: s.message })
    if (view.used.length === 0) {
      report.skipped.push({ file: bundleFile, reason: 'no usable manifest of another node' })
      // The stream was planned for nothing: consume it so the producer ends.
      for await (const _ of body) { /* nothing */ }
      return report
    }
    const bar = progress(`export ${bundleFile}`, view.count, 'messages')
    try {
      const saved = await saveBundle(body, join(o.dir, bundleFile), n => bar.update(n))
      report.bundle = { file: bundleFile, bytes: saved.bytes, records: saved.records, view }
    } finally { bar.end() }
  } catch (err) {
    report.errors.push(asStepError(err, bundleFile))
  }
  return report
}
