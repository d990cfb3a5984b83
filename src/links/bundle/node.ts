/**
 * What the bundle commands and the courier ask of a node, one interface for both ways of
 * reaching it: in this process (the store opened directly) or through a running daemon's
 * API (src/api/bundle.ts serves these same functions; src/cli/bundle-access.ts calls it).
 */
import { PassThrough } from 'node:stream'
import type { KeyPair } from '../../identity/index.js'
import type { NodeCore } from '../../node/core.js'
import { MANIFEST_DEFAULT_CAPACITY } from './constants.js'
import { planExport, writeExport, type ExportPlan, type ExportRequest } from './export.js'
import { importBundle, type ImportSummary } from './import.js'
import { buildManifest } from './manifest.js'
import { hasSeen } from './seen.js'

/** What an export will carry, known before its first byte. */
export interface ExportView {
  count: number
  since: number
  used: ExportPlan['used']
  skipped: ExportPlan['skipped']
}

export interface BundleNode {
  mode: 'local' | 'daemon'
  hasSeen: (id: string) => Promise<boolean>
  import: (source: AsyncIterable<Uint8Array>, name: string) => Promise<ImportSummary>
  manifest: (capacity?: number) => Promise<Uint8Array>
  /** The plan at once; the bundle's bytes as they are written. */
  export: (request: ExportRequest) => Promise<{ view: ExportView, body: AsyncIterable<Uint8Array> }>
}

export function viewOf (plan: ExportPlan): ExportView {
  return { count: plan.selected.size, since: plan.since, used: plan.used, skipped: plan.skipped }
}

/**
 * Runs `produce` into a stream with backpressure (the writer waits while the reader is
 * behind); a failure ends the stream with that error.
 */
export function streamOf (produce: (sink: (chunk: Uint8Array) => Promise<void>) => Promise<unknown>): PassThrough {
  const out = new PassThrough({ highWaterMark: 256 * 1024 })
  const sink = async (chunk: Uint8Array): Promise<void> => {
    if (out.destroyed) throw new Error('the reader went away')
    if (!out.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => { out.off('drain', ok); out.off('close', closed); err === undefined ? resolve() : reject(err) }
        const ok = (): void => done()
        const closed = (): void => done(new Error('the reader went away'))
        out.once('drain', ok)
        out.once('close', closed)
      })
    }
  }
  produce(sink).then(() => out.end(), err => out.destroy(err as Error))
  return out
}

export interface LocalBundleNodeOptions {
  core: NodeCore
  signer: Pick<KeyPair, 'publicKey' | 'privateKey'>
  org: string
}

export function exportStream (o: LocalBundleNodeOptions, plan: ExportPlan): PassThrough {
  return streamOf(async sink => await writeExport(o.core, o.signer, o.org, plan, sink))
}

export function manifestOf (o: LocalBundleNodeOptions, capacity = MANIFEST_DEFAULT_CAPACITY): Uint8Array {
  const now = o.core.clock.now()
  return buildManifest(o.core.store.syncItems(now), { signer: o.signer, org: o.org, created: now, capacity })
}

export function localBundleNode (o: LocalBundleNodeOptions): BundleNode {
  return {
    mode: 'local',
    hasSeen: async id => hasSeen(o.core.store, id),
    import: async (source, name) => importBundle(o.core, source, { name }),
    manifest: async capacity => manifestOf(o, capacity),
    export: async request => {
      const plan = planExport(o.core, request)
      return { view: viewOf(plan), body: exportStream(o, plan) }
    }
  }
}
