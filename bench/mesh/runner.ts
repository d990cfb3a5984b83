/**
 * The two measured phases, the same code for both systems: a steady run (alerts on a
 * schedule, time until the last node delivers each) and a partition run (publish during a
 * cut, hold the cut, heal, count (alert, node) pairs delivered).
 */
import type { BenchNetwork, Edge } from './network.js'
import type { DeliveryTracker } from './tracker.js'
import { payloadKey } from './tracker.js'
import type { Publication } from './workload.js'
import { pause, percentile, round } from './stats.js'

/** An alert counts as delivered when every node has it within this time of its publish. */
export const DELIVERY_DEADLINE_MS = 30_000
/** Transmissions are read once none has happened for this long (pushes still in flight). */
export const QUIET_MS = 500
export const QUIET_MAX_MS = 10_000

/** Between phases: waits (events) for a late phase to finish, so its traffic is not counted in the next. */
export const SETTLE_DEADLINE_MS = 60_000

export interface Measured { keys: string[], elapsedMs: number }

/** Publishes on the workload's schedule (no waiting on deliveries: publishes overlap). */
export async function publishAll (net: BenchNetwork, tracker: DeliveryTracker, pubs: Publication[], originDelivered: boolean): Promise<Measured> {
  const t0 = performance.now()
  const handed: Array<Promise<void>> = []
  const keys: string[] = []
  for (const p of pubs) {
    await pause(t0 + p.atMs - performance.now())
    const key = payloadKey(p.bytes)
    keys.push(key)
    tracker.published(key, p.origin, originDelivered)
    handed.push(net.publish(p.origin, p.bytes))
  }
  await Promise.all(handed)
  return { keys, elapsedMs: performance.now() - t0 }
}

/** Waits until the transmission counter stops moving, so late duplicates are counted. */
export async function quiesce (net: BenchNetwork): Promise<void> {
  const start = performance.now()
  let last = net.transmissions()
  let since = performance.now()
  while (performance.now() - start < QUIET_MAX_MS) {
    await pause(100)
    const now = net.transmissions()
    if (now !== last) { last = now; since = performance.now() } else if (performance.now() - since >= QUIET_MS) return
  }
}

export interface SteadyResult { keys: string[], p50_ms: number, p99_ms: number, max_ms: number, delivery: number, msgs_per_alert: number, publish_s: number }

export async function steadyRun (net: BenchNetwork, tracker: DeliveryTracker, pubs: Publication[], nodes: number[], originDelivered: boolean): Promise<SteadyResult> {
  const before = net.transmissions()
  const { keys, elapsedMs } = await publishAll(net, tracker, pubs, originDelivered)
  await tracker.waitAll(keys, nodes, DELIVERY_DEADLINE_MS)
  await quiesce(net)
  const sent = net.transmissions() - before
  const lat = keys.map(k => tracker.lastNodeMs(k, nodes)).filter(ms => ms <= DELIVERY_DEADLINE_MS)
  return {
    keys,
    p50_ms: round(percentile(lat, 50)),
    p99_ms: round(percentile(lat, 99)),
    max_ms: round(percentile(lat, 100)),
    delivery: round(lat.length / keys.length, 4),
    msgs_per_alert: round(sent / keys.length, 2),
    publish_s: round(elapsedMs / 1000, 2)
  }
}

export interface PartitionOptions {
  groups: number[][]
  crossing: Edge[]
  /** How long the cut lasts after the last publish (a real one lasts hours). */
  holdMs: number
  healDeadlineMs: number
}

export interface PartitionResult {
  /** (alert, node) pairs delivered by healDeadlineMs after the heal / all pairs. */
  partition_delivery: number
  /** The same, counting only pairs across the cut. */
  partition_cross_delivery: number
  /** Same-side pairs delivered during the cut / same-side pairs. */
  partition_own_side_delivery: number
  /** From the heal until every pair was delivered (null when some never were). */
  partition_heal_ms: number | null
  partition_msgs_per_alert: number
}

export async function partitionRun (net: BenchNetwork, tracker: DeliveryTracker, pubs: Publication[], o: PartitionOptions, originDelivered: boolean, progress: (line: string) => void): Promise<PartitionResult> {
  const all = o.groups.flat()
  const groupOf = new Map<number, number>()
  o.groups.forEach((g, i) => { for (const n of g) groupOf.set(n, i) })
  await net.cut(o.crossing)
  const before = net.transmissions()
  const { keys } = await publishAll(net, tracker, pubs, originDelivered)
  const own = o.groups.map((g, gi) => ({ nodes: g, keys: keys.filter((_, i) => groupOf.get(pubs[i].origin) === gi) }))
  await Promise.all(own.map(async s => tracker.waitAll(s.keys, s.nodes, DELIVERY_DEADLINE_MS)))
  const count = (pairs: Array<[string, number]>): number => pairs.filter(([k, n]) => tracker.has(k, n)).length
  const ownPairs = own.flatMap(s => s.keys.flatMap(k => s.nodes.map(n => [k, n] as [string, number])))
  const ownDelivered = count(ownPairs) / ownPairs.length
  progress(`  ${net.name}: cut ${o.crossing.length} links, ${keys.length} alerts published, own side ${round(ownDelivered * 100, 1)}%; holding the cut ${o.holdMs} ms`)
  await pause(o.holdMs)
  const tHeal = performance.now() // heal time includes redialling the links
  await net.heal(o.crossing)
  const ok = await tracker.waitAll(keys, all, o.healDeadlineMs)
  const healMs = performance.now() - tHeal
  await quiesce(net)
  const allPairs = keys.flatMap(k => all.map(n => [k, n] as [string, number]))
  const crossPairs = allPairs.filter(([k, n]) => groupOf.get(pubs[keys.indexOf(k)].origin) !== groupOf.get(n))
  return {
    partition_delivery: round(count(allPairs) / allPairs.length, 4),
    partition_cross_delivery: round(count(crossPairs) / crossPairs.length, 4),
    partition_own_side_delivery: round(ownDelivered, 4),
    partition_heal_ms: ok ? round(healMs) : null,
    partition_msgs_per_alert: round((net.transmissions() - before) / keys.length, 2)
  }
}
