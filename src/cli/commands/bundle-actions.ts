/**
 * What `c5mesh bundle …` and `c5mesh courier` do (registered in bundle.ts, loaded only when
 * one of them runs). Each works with or without a running daemon.
 */
import { basename, resolve } from 'node:path'
import { C5Error } from '../../errors.js'
import {
  fileSource, readSmallFile, runCourier, saveBundle, writeFileAtomic, MANIFEST_CAPACITY_MAX, MANIFEST_MAX_BYTES, type BundleNode, type CourierReport,
  type ImportSummary, type ProgressFactory
} from '../../links/bundle/index.js'
import type { CliContext } from '../context.js'
import { bundleNodeFor } from '../bundle-access.js'
import { emit, type Out } from '../output.js'
import { parseDuration, parseTime } from '../parse.js'
import { progressBars } from '../progress.js'
import { inspectFile } from './bundle-inspect.js'

const n = (x: number): string => x.toLocaleString('en-US')
const iso = (t: number): string => new Date(t).toISOString().slice(0, 19).replace('T', ' ') + 'Z'
const short = (hex: string): string => `${hex.slice(0, 8)}…`

/** "2d" (two days ago), an ISO time, or "now". */
export function parseSince (v: string, now: number): number {
  if (/^\d{1,9}[smhd]$/.test(v)) return now - parseDuration('--since', v)
  return parseTime('--since', v, now)
}

export function parseCapacity (v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const x = Number(v)
  if (!/^\d{1,7}$/.test(v) || x > MANIFEST_CAPACITY_MAX) throw new C5Error('CLI_BAD_ARGUMENT', `--capacity: expected a whole number of messages, 0…${MANIFEST_CAPACITY_MAX}, got "${v}"`)
  return x
}

/** Runs `fn` with the node (daemon or store) and its key; closes what it opened. */
async function withNode<T> (ctx: CliContext, fn: (node: BundleNode, self: { key: Uint8Array, org: string }) => Promise<T>): Promise<T> {
  const cfg = await ctx.config()
  const key = await ctx.key('node')
  const access = await ctx.access()
  try {
    return await fn(bundleNodeFor(access, key, cfg.org), { key: key.publicKey, org: cfg.org })
  } finally {
    await access.close()
  }
}

async function * counted (chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const c of chunks) { total += c.length; onBytes(total); yield c }
}

export function importLines (s: ImportSummary): string[] {
  const b = s.bundle
  const lines = [
    `imported ${s.file}: bundle ${b.id.slice(0, 12)} from ${b.org} (node ${short(b.exporter)}), made ${iso(b.created)}`,
    `  new            ${n(s.new)}`,
    `  already known  ${n(s.known)}`,
    `  rejected       ${n(s.rejected)}`
  ]
  for (const [code, count] of Object.entries(s.byCode).sort()) {
    if (code !== 'INGEST_DUPLICATE' && code !== 'INGEST_TOMBSTONED') lines.push(`    ${code.padEnd(28)} ${n(count)}`)
  }
  lines.push(`  file           ${s.intact ? 'intact, signed by its exporter' : s.truncated ? `TRUNCATED: ${s.records} messages read of ${n(b.count)} announced` : `DAMAGED: ${n(s.damagedBytes)} bytes unreadable`}`)
  for (const d of s.damage.slice(0, 5)) lines.push(`    at byte ${n(d.offset)}: ${n(d.length)} bytes skipped (${d.message})`)
  return lines
}

export function courierLines (r: CourierReport): string[] {
  const lines = [`courier at ${r.dir}`]
  for (const i of r.imported) lines.push(`  imported ${i.file}: ${n(i.summary.new)} new, ${n(i.summary.known)} already known, ${n(i.summary.rejected)} rejected${i.summary.intact ? '' : ' (file not intact: see below)'}`)
  for (const s of r.skipped) lines.push(`  skipped  ${s.file}: ${s.reason}`)
  if (r.manifest !== undefined) lines.push(`  wrote    ${r.manifest.file} (${n(r.manifest.bytes)} bytes)`)
  if (r.bundle !== undefined) {
    const v = r.bundle.view
    lines.push(`  wrote    ${r.bundle.file}: ${n(r.bundle.records)} messages, ${n(r.bundle.bytes)} bytes`)
    for (const u of v.used) lines.push(`             for ${u.org} (manifest of ${iso(u.created)}): ${n(u.messages)} missing there${u.method === 'ranges' ? ' (by ranges: may include some it has)' : ''}`)
  }
  for (const e of r.errors) lines.push(`  FAILED   ${e.file ?? ''}: ${e.code}: ${e.message}`)
  lines.push(r.errors.length === 0 ? 'done: every file on the stick is complete; safe to unplug' : `done with ${r.errors.length} problem(s): the files written are complete; the failed steps can be run again`)
  return lines
}

const progress = (): ProgressFactory => progressBars(process.stderr)

export async function exportCmd (ctx: CliContext, out: Out, o: { out: string, since?: string, for: string[] }): Promise<void> {
  const since = o.since === undefined ? undefined : parseSince(o.since, Date.now())
  const manifests: Array<{ name: string, bytes: Uint8Array }> = []
  for (const f of o.for) manifests.push({ name: basename(f), bytes: await readSmallFile(f, MANIFEST_MAX_BYTES) })
  await withNode(ctx, async node => {
    const { view, body } = await node.export({ ...(since === undefined ? {} : { since }), manifests })
    if (view.skipped.length > 0) {
      // Stop the producer: a stream (this process) or the daemon's response.
      const b = body as { destroy?: () => void, return?: (v?: undefined) => Promise<unknown> }
      if (b.destroy !== undefined) b.destroy(); else await b.return?.(undefined)
      const s = view.skipped[0]
      throw new C5Error(s.code, `${s.message}; nothing written`)
    }
    const bar = progress()(`export ${basename(o.out)}`, view.count, 'messages')
    const saved = await saveBundle(body, resolve(o.out), r => bar.update(r)).finally(() => bar.end())
    emit(out, { file: o.out, id: saved.id, messages: saved.records, bytes: saved.bytes, ...view }, () => [
      `wrote ${o.out}: ${n(saved.records)} messages, ${n(saved.bytes)} bytes (bundle ${saved.id.slice(0, 12)})`,
      ...view.used.map(u => `  for ${u.org} (manifest of ${iso(u.created)}): ${n(u.messages)} it lacks${u.method === 'ranges' ? ' (by ranges: a few it has may be included)' : ''}`)
    ].join('\n'))
  })
}

export async function manifestCmd (ctx: CliContext, out: Out, o: { out: string, capacity?: string }): Promise<void> {
  const capacity = parseCapacity(o.capacity)
  await withNode(ctx, async node => {
    const bytes = await node.manifest(capacity)
    await writeFileAtomic(resolve(o.out), bytes)
    const info = await inspectFile(resolve(o.out))
    emit(out, { file: o.out, ...info.json }, () => `wrote ${o.out}: manifest of ${n((info.json as { size: number }).size)} messages, ${n(bytes.length)} bytes`)
  })
}

export async function importCmd (ctx: CliContext, out: Out, file: string): Promise<void> {
  const src = await fileSource(file)
  await withNode(ctx, async node => {
    const bar = progress()(`import ${basename(file)}`, src.size, 'bytes')
    const s = await node.import(counted(src.chunks, b => bar.update(b)), basename(file)).finally(() => bar.end())
    emit(out, s, () => importLines(s).join('\n'))
    if (s.problem !== undefined) throw new C5Error(s.problem.code, s.problem.message)
  })
}

export async function inspectCmd (out: Out, file: string): Promise<void> {
  const info = await inspectFile(file)
  emit(out, info.json, () => info.lines.join('\n'))
  if (info.problem !== undefined) throw info.problem
}

export async function courierCmd (ctx: CliContext, out: Out, dir: string, o: { capacity?: string }): Promise<void> {
  const capacity = parseCapacity(o.capacity)
  await withNode(ctx, async (node, self) => {
    const report = await runCourier({ dir: resolve(dir), node, self, progress: progress(), ...(capacity === undefined ? {} : { capacity }) })
    emit(out, report, () => courierLines(report).join('\n'))
    if (report.errors.length > 0) {
      const e = report.errors[0]
      throw new C5Error(e.code, `${e.file === undefined ? '' : `${e.file}: `}${e.message}${report.errors.length > 1 ? ` (and ${report.errors.length - 1} more problem(s), listed above)` : ''}`)
    }
  })
}
