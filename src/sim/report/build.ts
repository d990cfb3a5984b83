/**
 * report.json: everything the HTML report and the terminal summary show, as plain data —
 * per system (c5mesh and the baselines of the same run): delivery, latency per
 * precedence, bytes per link class, queue depths, rejections and the assertions; and the
 * scenario's partition timeline. Field names are snake_case with units, as the benches'.
 */
import { PRECEDENCES } from '../../envelope/types.js'
import { evaluate, percentile, type AssertionResult } from '../assertions.js'
import type { RunResult } from '../run.js'
import type { Scenario } from '../scenario/load.js'
import type { SystemName } from '../stack.js'

/** Buckets of the delivery-over-time series. */
export const TIME_BUCKETS = 120
/** Upper bounds of the latency histogram, ms (the last bucket is "never delivered"). */
export const LATENCY_BUCKETS_MS = [100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 6 * 3_600_000, 24 * 3_600_000, Infinity]

export interface LatencyStats { count: number, delivered: number, p50_ms: number | null, p90_ms: number | null, p99_ms: number | null, max_ms: number | null, histogram: number[], undelivered: number }

export interface SystemReport {
  system: SystemName
  seed: number
  trace_hash: string
  events: number
  trace_events: number
  wall_s: number
  published: number
  flood_published: number
  pairs: number
  delivered_pairs: number
  delivery_ratio: number
  latency: Record<string, LatencyStats>
  delivery_over_time: { t_ms: number[], overall: number[], per_node: Record<string, number[]> }
  bytes_by_class: Record<string, { frames: number, payload_bytes: number, wire_bytes: number, retransmissions: number }>
  /** Bytes nodes wrote onto couriers' sticks (bundles and manifests); also bytes_by_class.courier. */
  courier_bytes: number
  /** Every courier stop: what was imported there and what the node put on the stick. */
  couriers: Array<{ courier: string, node: string, t_ms: number, bundles_imported: number, new: number, known: number, rejected: number, bundle_bytes: number, bundle_records: number, manifest_bytes: number, method: string }>
  queue_depth: { t_ms: number[], total: number[], max_per_node: Record<string, number> }
  rejections: Record<string, Record<string, number>>
  duplicates: number
  assertions: AssertionResult[]
  passed: boolean
}

export interface SimReport {
  report: 'c5mesh-sim'
  version: 1
  scenario: { name: string, title: string, description: string, file: string, topology: string, start: string, duration_ms: number, nodes: Array<{ org: string, name: string }>, classes: Record<string, string> }
  seed: number
  scale: number
  /** The scenario's times × this (the short form's `short.time`; 1 for the full run). */
  time_scale: number
  systems: SystemReport[]
  timeline: { outages: RunResult['recorder']['outages'], marks: RunResult['recorder']['marks'] }
  passed: boolean
}

const nz = (x: number): number | null => Number.isFinite(x) ? Math.round(x) : null

function latencyStats (lat: number[]): LatencyStats {
  const finite = lat.filter(Number.isFinite)
  const histogram = LATENCY_BUCKETS_MS.map(() => 0)
  for (const ms of lat) histogram[LATENCY_BUCKETS_MS.findIndex(b => ms <= b)]++
  return {
    count: lat.length,
    delivered: finite.length,
    p50_ms: nz(percentile(lat, 50)),
    p90_ms: nz(percentile(lat, 90)),
    p99_ms: nz(percentile(lat, 99)),
    max_ms: finite.length === 0 ? null : Math.round(Math.max(...finite)),
    histogram,
    undelivered: lat.length - finite.length
  }
}

export function systemReport (sc: Scenario, r: RunResult): SystemReport {
  const rec = r.recorder
  const honest = rec.published.filter(p => p.source !== 'flood' && !rec.revocations.some(x => p.created >= x.effective && (p.author === x.key || p.author === x.keyId)))
  const nodes = r.nodes
  const lat: Record<string, number[]> = Object.fromEntries(['all', ...PRECEDENCES].map(p => [p, []]))
  let delivered = 0
  for (const p of honest) {
    const at = rec.delivered.get(p.id)!
    for (const n of nodes) {
      const t = at.get(n)
      const ms = t === undefined ? Infinity : t - p.at
      if (t !== undefined) delivered++
      lat.all.push(ms)
      lat[p.precedence].push(ms)
    }
  }
  // Delivery over time: at each bucket's end, the share of (message published so far, node) pairs delivered.
  const step = sc.durationMs / TIME_BUCKETS
  const t = Array.from({ length: TIME_BUCKETS + 1 }, (_, i) => Math.round(i * step))
  const pubTimes = honest.map(p => p.at).sort((a, b) => a - b)
  const perNodeTimes = new Map(nodes.map(n => [n, honest.flatMap(p => { const x = rec.delivered.get(p.id)!.get(n); return x === undefined ? [] : [x] }).sort((a, b) => a - b)]))
  const countUpTo = (sorted: number[], x: number): number => { let lo = 0; let hi = sorted.length; while (lo < hi) { const m = (lo + hi) >> 1; if (sorted[m] <= x) lo = m + 1; else hi = m } return lo }
  const perNode: Record<string, number[]> = {}
  for (const n of nodes) perNode[n] = t.map(x => { const pub = countUpTo(pubTimes, x); return pub === 0 ? 1 : Math.min(1, countUpTo(perNodeTimes.get(n)!, x) / pub) })
  const overall = t.map((_, i) => nodes.reduce((a, n) => a + perNode[n][i], 0) / Math.max(1, nodes.length))
  const samples = rec.samples
  const stops = rec.courierStops
  const assertions = evaluate(sc, r)
  return {
    system: r.system,
    seed: r.seed,
    trace_hash: r.traceHash,
    events: r.events,
    trace_events: r.traceEvents,
    wall_s: Math.round(r.wallMs / 100) / 10,
    published: honest.length,
    flood_published: rec.published.filter(p => p.source === 'flood').length,
    pairs: honest.length * nodes.length,
    delivered_pairs: delivered,
    delivery_ratio: honest.length === 0 ? 1 : Math.round((delivered / (honest.length * nodes.length)) * 1e4) / 1e4,
    latency: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, latencyStats(v)])),
    delivery_over_time: { t_ms: t, overall: overall.map(x => Math.round(x * 1e4) / 1e4), per_node: Object.fromEntries(Object.entries(perNode).map(([k, v]) => [k, v.map(x => Math.round(x * 1e3) / 1e3)])) },
    bytes_by_class: Object.fromEntries([
      ...Object.entries(r.bytesByClass).sort().map(([k, c]) => [k, { frames: c.frames, payload_bytes: c.payloadBytes, wire_bytes: c.wireBytes, retransmissions: c.retransmissions }] as const),
      // The courier as a link class: files written onto sticks, bundle bytes, bundle + manifest bytes.
      ...(stops.length === 0 ? [] : [['courier', { frames: stops.reduce((a, s) => a + (s.bundleBytes > 0 ? 1 : 0) + (s.manifestBytes > 0 ? 1 : 0), 0), payload_bytes: stops.reduce((a, s) => a + s.bundleBytes, 0), wire_bytes: r.courierBytes, retransmissions: 0 }] as const])
    ]),
    courier_bytes: r.courierBytes,
    couriers: stops.map(s => ({ courier: s.courier, node: s.node, t_ms: s.t, bundles_imported: s.imported.bundles, new: s.imported.new, known: s.imported.known, rejected: s.imported.rejected, bundle_bytes: s.bundleBytes, bundle_records: s.bundleRecords, manifest_bytes: s.manifestBytes, method: s.method })),
    queue_depth: {
      t_ms: samples.map(s => s.t),
      total: samples.map(s => s.queued.reduce((a, b) => a + b, 0)),
      max_per_node: Object.fromEntries(nodes.map((n, i) => [n, samples.reduce((m, s) => Math.max(m, s.queued[i]), 0)]))
    },
    rejections: Object.fromEntries([...rec.rejections].sort().map(([n, m]) => [n, Object.fromEntries([...m].sort())])),
    duplicates: rec.duplicates.length,
    assertions,
    passed: assertions.every(a => a.pass !== false)
  }
}

/** `timeScale`: the short form's time factor when its times were compressed (short.time), else 1. */
export function buildReport (sc: Scenario, results: RunResult[], timeScale = 1): SimReport {
  const systems = results.map(r => systemReport(sc, r))
  const main = results[0]
  return {
    report: 'c5mesh-sim',
    version: 1,
    scenario: {
      name: sc.name,
      title: sc.title,
      description: sc.description,
      file: sc.file,
      topology: sc.topologyName,
      start: new Date(sc.startMs).toISOString(),
      duration_ms: sc.durationMs,
      nodes: sc.nodes,
      classes: Object.fromEntries([...new Set(sc.edges.map(e => e.cls))].map(c => [c, sc.classes.get(c)!.description]))
    },
    seed: main.seed,
    scale: main.scale,
    time_scale: timeScale,
    systems,
    timeline: { outages: main.recorder.outages, marks: main.recorder.marks },
    passed: systems[0].passed
  }
}
