/**
 * `npm run bench -- mesh`: c5mesh against a GossipSub baseline on the same topology
 * (config/topologies/mx-32.json), the same signed alerts from the same origins at the same
 * times, both measured in this run (the machine is shared: compare the ratios).
 *
 *  1. steady: ALERTS alerts from random states (seeded), a Poisson process with mean gap
 *     MEAN_GAP_MS; per alert the time until the LAST node delivers it; p50/p99, delivery
 *     ratio (every node within DELIVERY_DEADLINE_MS), message transmissions per alert.
 *     Then a lighter run (LIGHT_ALERTS at LIGHT_MEAN_GAP_MS) on the same network: at the
 *     default rate a loaded 2-core machine is CPU-saturated and both systems mostly queue.
 *     A third system, GossipSub with the same c5mesh ingest as its topic validator (verify
 *     and store before forwarding), runs the steady and light phases: it separates the cost
 *     of the application work from that of the dissemination protocol.
 *  2. partition (config/scenarios/southeast-cut.json): the crossing links cut at both ends,
 *     PARTITION_ALERTS alerts from both sides, the cut held CUT_HOLD_MS after the last
 *     publish, then healed (links allowed and redialled); the fraction of (alert, node)
 *     pairs delivered within HEAL_DEADLINE_MS of the heal.
 *
 * "Messages sent per alert" = full message payloads received by any node from a peer,
 * duplicates included (c5mesh: MSG frames handed to ingest from `peer:*`; GossipSub:
 * messages entering its validation, counted via fastMsgIdFn), divided by the alerts.
 * Reconciliation (RECON/WANT) and gossip control (IHAVE/IWANT ids) are not counted.
 */
import { loadavg, cpus } from 'node:os'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../src/util/root.js'
import { createTestWorld } from '../src/sim/world.js'
import { crossingLinks, diameter, loadScenario, loadTopology } from '../src/sim/topology.js'
import type { BenchNetwork, Edge, OnDeliver } from './mesh/network.js'
import { startC5Network } from './mesh/c5.js'
import { startGossipNetwork } from './mesh/gossip.js'
import { startGossipIngestNetwork } from './mesh/gossip-ingest.js'
import { createTracker, payloadKey, type DeliveryTracker } from './mesh/tracker.js'
import { buildWorkload, type Publication } from './mesh/workload.js'
import { partitionRun, quiesce, steadyRun, SETTLE_DEADLINE_MS, type PartitionResult, type SteadyResult } from './mesh/runner.js'
import { round } from './mesh/stats.js'

// Overridable like bench/ingest.ts's BENCH_N, to explore load (e.g. BENCH_MESH_GAP_MS=200).
export const ALERTS = Number(process.env.BENCH_MESH_ALERTS ?? 200)
export const PARTITION_ALERTS = 50
export const MEAN_GAP_MS = Number(process.env.BENCH_MESH_GAP_MS ?? 30)
/** A second, lighter steady run on the same network: latency when the CPU is not saturated. */
export const LIGHT_ALERTS = 60
export const LIGHT_MEAN_GAP_MS = 150
export const CUT_HOLD_MS = 8_000
export const HEAL_DEADLINE_MS = 15_000
export const SEED = 0xC5
/**
 * Unmeasured alerts before the steady phase, the same for every system (random origins,
 * MEAN_GAP_MS): the phases measure a running mesh. c5mesh's lazy-push tree forms from
 * traffic (links are pruned as duplicates arrive), GossipSub's mesh from its heartbeat
 * before any traffic; both also warm the JIT. The warm-up's own latencies are reported
 * (warmup_*), so the cost of forming the tree stays visible.
 */
export const WARMUP_ALERTS = Number(process.env.BENCH_MESH_WARMUP ?? 40)

const root = PROJECT_ROOT
const log = (line: string): void => { console.log(line) }

/** Lets a late phase finish before the next starts (all delivered, or SETTLE_DEADLINE_MS), then waits for quiet. */
async function settle (net: BenchNetwork, tracker: DeliveryTracker, keys: string[], nodes: number[]): Promise<void> {
  if (!await tracker.waitAll(keys, nodes, SETTLE_DEADLINE_MS)) log(`  ${net.name}: some alerts still missing after ${SETTLE_DEADLINE_MS} ms more`)
  await quiesce(net)
}

interface SystemResult { warmup: SteadyResult, steady: SteadyResult, light: SteadyResult, partition?: PartitionResult, setup_s: number, cpu_ms_per_alert: number }

async function measure (
  name: string,
  start: (onDeliver: OnDeliver) => Promise<BenchNetwork>,
  edges: Edge[], nodes: number[], warmup: Publication[], steady: Publication[], light: Publication[], cut: Publication[],
  partition: { groups: number[][], crossing: Edge[] } | undefined, originDelivered: boolean
): Promise<SystemResult> {
  const tracker: DeliveryTracker = createTracker()
  const t0 = performance.now()
  const net = await start((node, bytes) => { tracker.delivered(node, payloadKey(bytes)) })
  try {
    await net.connect(edges)
    const setup = (performance.now() - t0) / 1000
    const w = await steadyRun(net, tracker, warmup, nodes, originDelivered)
    if (w.delivery !== 1) throw new Error(`${name}: a warm-up alert did not reach every node`)
    log(`  ${name}: warm-up (${warmup.length} alerts, unmeasured): p50 ${w.p50_ms} ms, p99 ${w.p99_ms} ms, ${w.msgs_per_alert} msgs/alert`)
    await settle(net, tracker, w.keys, nodes)
    log(`  ${name}: ${nodes.length} nodes, ${edges.length} links up in ${round(setup, 1)} s; publishing ${steady.length} alerts`)
    const cpu0 = process.cpuUsage()
    const s = await steadyRun(net, tracker, steady, nodes, originDelivered)
    const cpu = process.cpuUsage(cpu0)
    const cpuMsPerAlert = round((cpu.user + cpu.system) / 1000 / steady.length, 2)
    log(`  ${name}: p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms, delivery ${s.delivery}, ${s.msgs_per_alert} msgs/alert (published over ${s.publish_s} s), ${cpuMsPerAlert} CPU ms/alert`)
    await settle(net, tracker, s.keys, nodes)
    const l = await steadyRun(net, tracker, light, nodes, originDelivered)
    await settle(net, tracker, l.keys, nodes)
    log(`  ${name}: light load (${light.length} alerts over ${l.publish_s} s): p50 ${l.p50_ms} ms, p99 ${l.p99_ms} ms, delivery ${l.delivery}, ${l.msgs_per_alert} msgs/alert`)
    if (partition === undefined) return { warmup: w, steady: s, light: l, setup_s: round(setup, 1), cpu_ms_per_alert: cpuMsPerAlert }
    const p = await partitionRun(net, tracker, cut, { ...partition, holdMs: CUT_HOLD_MS, healDeadlineMs: HEAL_DEADLINE_MS }, originDelivered, log)
    log(`  ${name}: after heal ${round(p.partition_delivery * 100, 2)}% of pairs (${round(p.partition_cross_delivery * 100, 2)}% across the cut), heal ${p.partition_heal_ms ?? `> ${HEAL_DEADLINE_MS}`} ms`)
    return { warmup: w, steady: s, light: l, partition: p, setup_s: round(setup, 1), cpu_ms_per_alert: cpuMsPerAlert }
  } finally {
    await net.stop()
  }
}

export async function run (): Promise<Record<string, unknown>> {
  const load0 = loadavg()[0]
  const topo = await loadTopology(join(root, 'config/topologies/mx-32.json'))
  const scen = await loadScenario(join(root, 'config/scenarios/southeast-cut.json'), topo)
  const orgs = topo.nodes.map(n => n.org)
  const index = new Map(orgs.map((o, i) => [o, i]))
  const edges: Edge[] = topo.links.map(l => [index.get(l.a)!, index.get(l.b)!])
  const crossing: Edge[] = crossingLinks(topo, scen.partition.groups).map(l => [index.get(l.a)!, index.get(l.b)!])
  const groups = scen.partition.groups.map(g => g.map(o => index.get(o)!))
  const nodes = orgs.map((_, i) => i)
  log(`mesh: ${topo.name}, ${orgs.length} nodes, ${edges.length} links, diameter ${diameter(topo)}; ${scen.name} cuts ${crossing.length} links; load ${round(load0, 2)} on ${cpus().length} cores`)

  const now = Date.now()
  const world = createTestWorld(orgs, now)
  const warmup = buildWorkload(world, { count: WARMUP_ALERTS, meanGapMs: MEAN_GAP_MS, seed: SEED + 2, origins: nodes, now, label: 'warm-up' })
  const steady = buildWorkload(world, { count: ALERTS, meanGapMs: MEAN_GAP_MS, seed: SEED, origins: nodes, now, label: 'steady' })
  const light = buildWorkload(world, { count: LIGHT_ALERTS, meanGapMs: LIGHT_MEAN_GAP_MS, seed: SEED + 3, origins: nodes, now, label: 'light' })
  const cut = buildWorkload(world, { count: PARTITION_ALERTS, meanGapMs: MEAN_GAP_MS, seed: SEED + 1, origins: nodes, now, label: 'cut' })
  log(`mesh: ${ALERTS} + ${PARTITION_ALERTS} alerts of ${steady[0].bytes.length} bytes, mean gap ${MEAN_GAP_MS} ms`)

  const part = { groups, crossing }
  const runC5 = async (): Promise<SystemResult> => { log('mesh: c5mesh'); return await measure('c5mesh', async d => startC5Network(world, d), edges, nodes, warmup, steady, light, cut, part, false) }
  const runGs = async (): Promise<SystemResult> => { log('mesh: gossipsub'); return await measure('gossipsub', async d => startGossipNetwork(orgs.length, d), edges, nodes, warmup, steady, light, cut, part, true) }
  // BENCH_MESH_ORDER=gossipsub-first checks that the order (machine load drifting) is not the result.
  const gossipFirst = process.env.BENCH_MESH_ORDER === 'gossipsub-first'
  const gs0 = gossipFirst ? await runGs() : undefined
  const c5 = await runC5()
  const gs = gs0 ?? await runGs()
  // The same application work on GossipSub: where the difference between the two comes from.
  log('mesh: gossipsub+ingest (each node runs the c5mesh ingest as its topic validator)')
  const gi = await measure('gossipsub+ingest', async d => startGossipIngestNetwork(world, d), edges, nodes, warmup, steady, light, cut, undefined, true)
  const load1 = loadavg()[0]

  const goals = {
    p50: c5.steady.p50_ms <= gs.steady.p50_ms,
    p99: c5.steady.p99_ms <= gs.steady.p99_ms,
    msgs_per_alert: c5.steady.msgs_per_alert <= gs.steady.msgs_per_alert,
    partition_delivery: c5.partition!.partition_delivery === 1
  }
  log(`goals: p50 ≤ gossipsub ${goals.p50 ? 'MET' : 'MISSED'}; p99 ≤ gossipsub ${goals.p99 ? 'MET' : 'MISSED'}; msgs/alert ≤ gossipsub ${goals.msgs_per_alert ? 'MET' : 'MISSED'}; 100% delivery after heal ${goals.partition_delivery ? 'MET' : 'MISSED'}`)
  return {
    bench: 'mesh',
    topology: topo.name,
    nodes: orgs.length,
    links: edges.length,
    alerts: ALERTS,
    alert_bytes: steady[0].bytes.length,
    mean_gap_ms: MEAN_GAP_MS,
    p50_ms: c5.steady.p50_ms,
    p99_ms: c5.steady.p99_ms,
    max_ms: c5.steady.max_ms,
    warmup_alerts: WARMUP_ALERTS,
    warmup_p50_ms: c5.warmup.p50_ms,
    warmup_p99_ms: c5.warmup.p99_ms,
    gossipsub_warmup_p50_ms: gs.warmup.p50_ms,
    gossipsub_warmup_p99_ms: gs.warmup.p99_ms,
    delivery: c5.steady.delivery,
    msgs_per_alert: c5.steady.msgs_per_alert,
    gossipsub_p50_ms: gs.steady.p50_ms,
    gossipsub_p99_ms: gs.steady.p99_ms,
    gossipsub_max_ms: gs.steady.max_ms,
    gossipsub_delivery: gs.steady.delivery,
    gossipsub_msgs_per_alert: gs.steady.msgs_per_alert,
    cpu_ms_per_alert: c5.cpu_ms_per_alert,
    gossipsub_cpu_ms_per_alert: gs.cpu_ms_per_alert,
    light_alerts: LIGHT_ALERTS,
    light_mean_gap_ms: LIGHT_MEAN_GAP_MS,
    light_p50_ms: c5.light.p50_ms,
    light_p99_ms: c5.light.p99_ms,
    light_delivery: c5.light.delivery,
    light_msgs_per_alert: c5.light.msgs_per_alert,
    gossipsub_light_p50_ms: gs.light.p50_ms,
    gossipsub_light_p99_ms: gs.light.p99_ms,
    gossipsub_light_delivery: gs.light.delivery,
    gossipsub_light_msgs_per_alert: gs.light.msgs_per_alert,
    partition_alerts: PARTITION_ALERTS,
    partition_cut_links: crossing.length,
    partition_hold_ms: CUT_HOLD_MS,
    partition_delivery: c5.partition!.partition_delivery,
    partition_cross_delivery: c5.partition!.partition_cross_delivery,
    partition_own_side_delivery: c5.partition!.partition_own_side_delivery,
    partition_heal_ms: c5.partition!.partition_heal_ms,
    partition_msgs_per_alert: c5.partition!.partition_msgs_per_alert,
    gossipsub_partition_delivery: gs.partition!.partition_delivery,
    gossipsub_partition_cross_delivery: gs.partition!.partition_cross_delivery,
    gossipsub_partition_own_side_delivery: gs.partition!.partition_own_side_delivery,
    gossipsub_partition_msgs_per_alert: gs.partition!.partition_msgs_per_alert,
    gossipsub_ingest_p50_ms: gi.steady.p50_ms,
    gossipsub_ingest_p99_ms: gi.steady.p99_ms,
    gossipsub_ingest_delivery: gi.steady.delivery,
    gossipsub_ingest_msgs_per_alert: gi.steady.msgs_per_alert,
    gossipsub_ingest_cpu_ms_per_alert: gi.cpu_ms_per_alert,
    gossipsub_ingest_light_p50_ms: gi.light.p50_ms,
    gossipsub_ingest_light_p99_ms: gi.light.p99_ms,
    p50_ratio_vs_gossipsub_ingest: round(c5.steady.p50_ms / gi.steady.p50_ms, 3),
    p99_ratio_vs_gossipsub_ingest: round(c5.steady.p99_ms / gi.steady.p99_ms, 3),
    p50_ratio: round(c5.steady.p50_ms / gs.steady.p50_ms, 3),
    p99_ratio: round(c5.steady.p99_ms / gs.steady.p99_ms, 3),
    light_p50_ratio: round(c5.light.p50_ms / gs.light.p50_ms, 3),
    light_p99_ratio: round(c5.light.p99_ms / gs.light.p99_ms, 3),
    msgs_ratio: round(c5.steady.msgs_per_alert / gs.steady.msgs_per_alert, 3),
    setup_s: c5.setup_s,
    gossipsub_setup_s: gs.setup_s,
    order: gossipFirst ? 'gossipsub-first' : 'c5mesh-first',
    goals,
    load_before: round(load0, 2),
    load_after: round(load1, 2),
    cores: cpus().length
  }
}
