/**
 * `npm run bench -- bundle` (issue 8): bundles of a 100,000-message store.
 *
 *   - export and import rates, against the `ingest` bench's rate (bench/ingest.ts
 *     ingestRate: same alerts, 512 in flight, inline verification) measured in the same
 *     round: each round ingests the alerts into a fresh store (the baseline), exports that
 *     store to a bundle file as `c5mesh bundle export` does (verified while written), and
 *     imports the file into another fresh store as `c5mesh bundle import` does — every
 *     other round the import first. Goal: import ≥ 0.8 × ingest. Median of BENCH_ROUNDS (5)
 *     per-round ratios; the same in main-thread CPU per message beside it.
 *   - manifest bytes of the 100,000-message store (default capacity), beside the
 *     alternatives: 8-byte truncated ids, and full ids.
 *   - difference bundles for d = 100 (random and newest), against d × message size (the
 *     bytes of the 100 envelopes themselves). Goal ≤ 1.1. And d = 5,000 newest, beyond the
 *     manifest's capacity (the ranges decide).
 */
import { join } from 'node:path'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { composeEnvelope, sampleAlert } from '../src/envelope/index.js'
import type { Envelope } from '../src/envelope/types.js'
import { keyId } from '../src/identity/index.js'
import { openNodeCore, type NodeCore } from '../src/node/core.js'
import { createTestWorld, UNLIMITED_TEST_QUOTAS } from '../src/sim/world.js'
import {
  buildManifest, decodeManifest, fileSource, importBundle, planExport, saveBundle, streamOf, writeExport, MANIFEST_DEFAULT_CAPACITY
} from '../src/links/bundle/index.js'
import type { SyncItem } from '../src/sync/types.js'
import { ingestRate } from './ingest.js'

const N = Number(process.env.BENCH_N ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const D = 100
const D_LARGE = Math.min(5_000, Math.floor(N / 4))
const median = (xs: number[]): number => { const s = xs.slice().sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2 }

type World = ReturnType<typeof createTestWorld>

/** Alerts like the ingest bench's, created one second apart over the last N seconds. */
function makeAlerts (world: World, n: number, now: number): Envelope[] {
  const op = world.members[0].operator
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const created = now - (n - i) * 1000
    const u = sampleAlert({ author: keyId(op.publicKey), created, seq: i, descriptionChars: 200 - String(i).length, ttlS: 3 * 86_400 })
    const { version: _v, author: _a, created: _c, expires: _e, ...fields } = u
    out.push(composeEnvelope({ ...fields, org: world.members[0].org, ttlS: 3 * 86_400 }, op, { now: created }))
  }
  return out
}

/** Main-thread CPU time in seconds (docs/PERFORMANCE.md "Measuring": wall time here is too noisy). */
export function mainThreadCpuS (): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, 10 ms ticks
  } catch {
    return process.cpuUsage().user / 1e6
  }
}

const signerOf = (world: World, m: number): World['members'][number]['node'] => world.members[m].node

/** Exports `core`'s whole store to a file as the CLI does; returns records/s and the file. */
async function exportRate (core: NodeCore, world: World, path: string): Promise<{ perS: number, bytes: number, records: number }> {
  const t0 = performance.now()
  const plan = planExport(core, {})
  const saved = await saveBundle(streamOf(async sink => await writeExport(core, signerOf(world, 0), 'MX-YUC', plan, sink)), path)
  const s = (performance.now() - t0) / 1000
  return { perS: saved.records / s, bytes: saved.bytes, records: saved.records }
}

async function importRate (path: string, world: World, now: number): Promise<{ perS: number, maxBuffered: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-import-'))
  const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors, clock: { now: () => now } })
  try {
    await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
    const src = await fileSource(path)
    const t0 = performance.now()
    const s = await importBundle(core, src.chunks, { name: 'bench.bundle' })
    const secs = (performance.now() - t0) / 1000
    if (!s.intact || s.new !== N) throw new Error(`import incomplete: ${JSON.stringify({ new: s.new, problem: s.problem })}`)
    return { perS: s.records / secs, maxBuffered: 0 }
  } finally {
    await core.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Bytes of the bundle `core` writes for a manifest of `theirs`. */
async function differenceBundle (core: NodeCore, world: World, theirs: SyncItem[], created: number): Promise<{ bytes: number, records: number, method: string, ms: number }> {
  const manifest = buildManifest(theirs, { signer: signerOf(world, 1), org: 'MX-CMX', created })
  const t0 = performance.now()
  const plan = planExport(core, { manifests: [{ name: 'b.manifest', bytes: manifest }] })
  let bytes = 0
  const r = await writeExport(core, signerOf(world, 0), 'MX-YUC', plan, async c => { bytes += c.length })
  return { bytes, records: r.records, method: plan.used[0]?.method ?? '?', ms: performance.now() - t0 }
}

/** Drops `d` items: spread evenly over time ('random'), or the newest. */
function without (items: SyncItem[], d: number, pattern: 'random' | 'newest'): { kept: SyncItem[], dropped: SyncItem[] } {
  const drop = new Set<number>()
  if (pattern === 'newest') for (let i = items.length - d; i < items.length; i++) drop.add(i)
  else { let x = 12345; while (drop.size < d) { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; drop.add(x % items.length) } }
  return { kept: items.filter((_, i) => !drop.has(i)), dropped: items.filter((_, i) => drop.has(i)) }
}

export async function run (): Promise<Record<string, unknown>> {
  const now = Date.now()
  const world = createTestWorld(['MX-YUC', 'MX-CMX'], now - 86_400_000, [], { quotas: UNLIMITED_TEST_QUOTAS })
  const t0 = performance.now()
  const alerts = makeAlerts(world, N, now)
  const sizeOf = new Map(alerts.map(a => [Buffer.from(a.digest).toString('hex'), a.bytes.length]))
  console.log(`${N} alerts of ~${alerts[0].bytes.length} B signed in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const work = await mkdtemp(join(tmpdir(), 'c5mesh-bench-bundle-'))
  const file = join(work, 'all.bundle')
  const rounds: Array<{ ingest: number, export: number, import: number, cpuRatio: number }> = []
  const extra: Record<string, unknown> = {}
  try {
    // Each round measures the import of the previous round's file before or after its own
    // ingest, alternately: on a shared machine the phase that runs first is not favoured.
    const ingestPhase = async (r: number): Promise<{ ingest: number, cpuS: number, exp: { perS: number, bytes: number, records: number } }> => {
      let exp = { perS: 0, bytes: 0, records: 0 }
      let cpuS = 0
      const c0 = mainThreadCpuS()
      const ingest = await ingestRate(alerts, world, now, false, async core => {
        cpuS = mainThreadCpuS() - c0
        exp = await exportRate(core, world, file)
        if (r === 0) Object.assign(extra, await sizes(core, world, now, sizeOf))
      })
      return { ingest, cpuS, exp }
    }
    const importPhase = async (): Promise<{ perS: number, cpuS: number }> => {
      const c1 = mainThreadCpuS()
      const imp = await importRate(file, world, now)
      return { perS: imp.perS, cpuS: mainThreadCpuS() - c1 }
    }
    for (let r = 0; r < ROUNDS; r++) {
      const importFirst = r % 2 === 1 // (a file from the round before is there to import)
      let imp = importFirst ? await importPhase() : undefined
      const ing = await ingestPhase(r)
      imp ??= await importPhase()
      rounds.push({ ingest: ing.ingest, export: ing.exp.perS, import: imp.perS, cpuRatio: ing.cpuS / imp.cpuS })
      console.log(`round ${r + 1}${importFirst ? ' (import first)' : ''}: ingest ${ing.ingest.toFixed(0)}/s; export ${ing.exp.perS.toFixed(0)}/s (${ing.exp.records} messages, ${(ing.exp.bytes / 1e6).toFixed(1)} MB); import ${imp.perS.toFixed(0)}/s (ratio ${(imp.perS / ing.ingest).toFixed(3)}; main-thread CPU ratio ${(ing.cpuS / imp.cpuS).toFixed(3)})`)
    }
    const fileBytes = (await stat(file)).size
    const ratio = median(rounds.map(x => x.import / x.ingest))
    console.log(`medians: ingest ${median(rounds.map(x => x.ingest)).toFixed(0)}/s, export ${median(rounds.map(x => x.export)).toFixed(0)}/s, import ${median(rounds.map(x => x.import)).toFixed(0)}/s, import/ingest ${ratio.toFixed(3)} (goal ≥ 0.8)`)
    return {
      bench: 'bundle',
      n: N,
      rounds: ROUNDS,
      ingest_per_s: Math.round(median(rounds.map(x => x.ingest))),
      export_per_s: Math.round(median(rounds.map(x => x.export))),
      import_per_s: Math.round(median(rounds.map(x => x.import))),
      import_ratio: Number(ratio.toFixed(3)),
      import_ratio_rounds: rounds.map(x => Number((x.import / x.ingest).toFixed(3))),
      // The same comparison in main-thread CPU per message (ingest's / import's): steadier on a shared machine.
      import_cpu_ratio: Number(median(rounds.map(x => x.cpuRatio)).toFixed(3)),
      export_ratio: Number(median(rounds.map(x => x.export / x.ingest)).toFixed(3)),
      bundle_bytes: fileBytes,
      bundle_overhead_per_message_bytes: Number(((fileBytes - alerts.reduce((s, a) => s + a.bytes.length, 0) - world.rosterEnvelope.bytes.length) / N).toFixed(2)),
      ...extra
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Manifest and difference-bundle sizes of the 100,000-message store. */
async function sizes (core: NodeCore, world: World, now: number, sizeOf: Map<string, number>): Promise<Record<string, unknown>> {
  const items = core.store.syncItems(now)
  const manifest = buildManifest(items, { signer: signerOf(world, 1), org: 'MX-CMX', created: now })
  const m = decodeManifest(manifest)
  const out: Record<string, unknown> = {
    manifest_bytes: manifest.length,
    manifest_capacity: MANIFEST_DEFAULT_CAPACITY,
    manifest_symbols: m.symbols.length,
    manifest_ranges: m.ranges.length,
    manifest_truncated_ids_bytes: 8 * items.length,
    manifest_full_ids_bytes: 32 * items.length
  }
  console.log(`manifest of ${items.length} messages: ${manifest.length} B (${m.symbols.length} symbols = ${m.symbols.length * 40} B, ${m.ranges.length} ranges); 8-byte ids would be ${8 * items.length} B`)
  for (const [pattern, d] of [['random', D], ['newest', D], ['newest', D_LARGE]] as const) {
    const { kept, dropped } = without(items, d, pattern)
    const messageBytes = dropped.reduce((s, it) => s + (sizeOf.get(Buffer.from(it.id).toString('hex')) ?? 0), 0)
    const b = await differenceBundle(core, world, kept, now)
    if (b.records < d) throw new Error(`difference bundle carries ${b.records} < ${d}`)
    const key = d === D ? `diff_${pattern}` : `diff_large_${pattern}`
    out[`${key}_bytes`] = b.bytes
    out[`${key}_message_bytes`] = messageBytes
    out[`${key}_ratio`] = Number((b.bytes / messageBytes).toFixed(3))
    out[`${key}_method`] = b.method
    out[`${key}_records`] = b.records
    console.log(`difference d=${d} ${pattern}: bundle ${b.bytes} B for ${b.records} messages of ${messageBytes} B (ratio ${(b.bytes / messageBytes).toFixed(3)}, by ${b.method}, ${b.ms.toFixed(0)} ms)`)
  }
  return out
}
