/**
 * `npm run bench -- sim`: the simulator's speed. (1) One simulated hour of the 32 states
 * (config/topologies/mx-32.json, internet links) with 1,000 alerts from random states, run
 * twice: wall time, simulated speed-up (simulated seconds per wall second), timers fired,
 * and whether both runs gave the same trace hash. (2) A synthetic 500-node topology (a
 * ring with seeded chords, degree ~4) for ten simulated minutes with 100 alerts: that it
 * runs, and its wall time. Peak RSS of the process. The push-gossip baseline runs the same
 * hour in the same process as the reference (its ratio to c5mesh is reported).
 *
 * Goals: the hour ≤ 60 s of wall time on one core; the 500-node run completes; deterministic.
 * BENCH_SIM_ALERTS / BENCH_SIM_BIG_NODES override the sizes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir, loadavg } from 'node:os'
import { join } from 'node:path'
import { resolveScenario } from '../src/sim/scenario/load.js'
import { runScenario } from '../src/sim/run.js'
import { seededRandom } from '../src/sim/random.js'

const ALERTS = Number(process.env.BENCH_SIM_ALERTS ?? 1_000)
const BIG_NODES = Number(process.env.BENCH_SIM_BIG_NODES ?? 500)
const BIG_ALERTS = 100
const HOUR_MS = 3_600_000
const round = (x: number, d = 1): number => Number(x.toFixed(d))
const log = (s: string): void => { console.log(s) }

function hourScenario (): unknown {
  return {
    name: 'bench-hour',
    description: 'One hour of the 32 states with alerts from random states (npm run bench -- sim).',
    duration: '1h',
    seed: 42,
    workload: [{ from: 'all', count: ALERTS, precedence: { flash: 5, immediate: 15, priority: 30, routine: 50 } }],
    assertions: [{ delivered: { to: 'all', by: '1h' } }, { 'no-duplicates': true }]
  }
}

/** A ring of n nodes plus n seeded chords: connected, degree ~4, diameter ~log n. */
function syntheticTopology (n: number): unknown {
  const rand = seededRandom(500)
  const org = (i: number): string => `N-${String(i).padStart(4, '0')}`
  const seen = new Set<string>()
  const links: Array<{ a: string, b: string }> = []
  const add = (i: number, j: number): void => {
    if (i === j) return
    const k = i < j ? `${i} ${j}` : `${j} ${i}`
    if (seen.has(k)) return
    seen.add(k)
    links.push({ a: org(i), b: org(j) })
  }
  for (let i = 0; i < n; i++) add(i, (i + 1) % n)
  for (let i = 0; i < n; i++) add(i, Math.floor(rand() * n))
  return { name: `synthetic-${n}`, description: `${n} nodes: a ring with seeded chords`, nodes: Array.from({ length: n }, (_, i) => ({ org: org(i) })), links }
}

export async function run (): Promise<Record<string, unknown>> {
  const load0 = loadavg()[0]
  const hour = await resolveScenario(hourScenario(), 'bench-hour')
  log(`sim: ${hour.nodes.length} nodes, ${hour.edges.length} links, ${ALERTS} alerts over one simulated hour; load ${round(load0, 2)}`)
  const cpu0 = process.cpuUsage()
  const first = await runScenario(hour, 'c5mesh')
  const cpu = process.cpuUsage(cpu0)
  log(`  c5mesh run 1: ${round(first.wallMs / 1000)} s wall (${round((cpu.user + cpu.system) / 1e6)} s CPU), ${first.events} events, trace ${first.traceHash.slice(0, 16)}`)
  const second = await runScenario(hour, 'c5mesh')
  log(`  c5mesh run 2: ${round(second.wallMs / 1000)} s wall, trace ${second.traceHash.slice(0, 16)}`)
  const delivered = [...first.recorder.delivered.values()].reduce((a, m) => a + m.size, 0)
  const pairs = first.recorder.published.length * hour.nodes.length
  log(`  delivered ${delivered}/${pairs} (message, node) pairs`)
  const gossip = await runScenario(hour, 'gossip')
  log(`  gossip baseline: ${round(gossip.wallMs / 1000)} s wall, ${gossip.events} events`)

  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-sim-'))
  let big: { wall_s: number, events: number, delivered: number, pairs: number } | undefined
  try {
    const topoFile = join(dir, 'synthetic.json')
    await writeFile(topoFile, JSON.stringify(syntheticTopology(BIG_NODES)))
    const sc = await resolveScenario({
      name: 'bench-synthetic',
      description: 'A synthetic topology for npm run bench -- sim.',
      topology: topoFile,
      duration: '10m',
      seed: 500,
      workload: [{ from: 'all', count: BIG_ALERTS, between: ['0s', '5m'], precedence: 'immediate' }]
    }, join(dir, 'bench-synthetic.yaml'))
    log(`sim: synthetic topology of ${sc.nodes.length} nodes, ${sc.edges.length} links, ${BIG_ALERTS} alerts over ten simulated minutes`)
    const r = await runScenario(sc, 'c5mesh')
    const d = [...r.recorder.delivered.values()].reduce((a, m) => a + m.size, 0)
    big = { wall_s: round(r.wallMs / 1000), events: r.events, delivered: d, pairs: r.recorder.published.length * sc.nodes.length }
    log(`  ${big.wall_s} s wall, ${big.events} events, delivered ${d}/${big.pairs} pairs`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }

  const wallS = first.wallMs / 1000
  const peakRssMb = round(process.resourceUsage().maxRSS / 1024)
  const deterministic = first.traceHash === second.traceHash
  const goals = { hour_wall_s: wallS <= 60, big_topology_runs: big !== undefined && big.delivered === big.pairs, deterministic }
  log(`goals: one hour of 32 states with ${ALERTS} alerts ≤ 60 s ${goals.hour_wall_s ? 'MET' : 'MISSED'}; ${BIG_NODES}-node topology runs (every pair delivered) ${goals.big_topology_runs ? 'MET' : 'MISSED'}; deterministic ${deterministic ? 'MET' : 'MISSED'}`)
  return {
    bench: 'sim',
    scenario: 'bench-hour (mx-32, internet, 1 h)',
    nodes: hour.nodes.length,
    alerts: ALERTS,
    sim_hours: 1,
    wall_s: round(wallS),
    cpu_s: round((cpu.user + cpu.system) / 1e6),
    sim_speedup: round(HOUR_MS / first.wallMs),
    events: first.events,
    delivered_ratio: round(delivered / pairs, 4),
    peak_rss_mb: peakRssMb,
    max_nodes: big === undefined ? hour.nodes.length : BIG_NODES,
    big_wall_s: big?.wall_s ?? null,
    big_events: big?.events ?? null,
    big_delivered_ratio: big === undefined ? null : round(big.delivered / big.pairs, 4),
    gossip_wall_s: round(gossip.wallMs / 1000),
    wall_ratio_vs_gossip: round(first.wallMs / gossip.wallMs, 2),
    deterministic,
    trace_hash: first.traceHash,
    goals,
    load_before: round(load0, 2),
    load_after: round(loadavg()[0], 2)
  }
}
