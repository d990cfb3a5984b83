/**
 * One run of a scenario with one system (c5mesh, or a baseline): builds the network and
 * the nodes on a virtual clock, schedules the workload and the timeline, runs to the end
 * and returns what was recorded. The same scenario and seed give the same trace (hash).
 *
 * Random streams are separate so that systems compare fairly: the workload and the
 * `fraction` draws of the timeline come from streams seeded by the seed alone (every system
 * publishes the same messages from the same states at the same times, and loses the same
 * links), while link losses and jitter come from the network's own stream.
 */
import { createHash } from 'node:crypto'
import { VirtualClock } from './clock.js'
import { createTestWorld, seededKeyPair, type TestWorld } from './world.js'
import { seededRandom } from './random.js'
import type { Scenario } from './scenario/load.js'
import { SimNetwork } from './network.js'
import { createC5Node } from './c5-node.js'
import { createGossipNode } from './baselines/gossip.js'
import { createFloodNode } from './baselines/flood.js'
import type { SimStack, StackEvents, SystemName } from './stack.js'
import { Recorder } from './metrics.js'
import { Trace } from './trace.js'
import { planMessages, composePlanned, type Planned } from './workload.js'
import { scheduleTimeline } from './timeline.js'
import { toHex, type KeyPair } from '../identity/index.js'
import { RECONCILE_INTERVAL_MS } from '../sync/constants.js'
import type { LinkCounters } from './medium.js'

/** Queue-depth samples per run when the scenario sets no `sample` period (each reads every session's stats). */
export const SAMPLES_PER_RUN = 120
/** Seconds of virtual time the nodes get to stop at the end of a run. */
const STOP_MAX_STEPS = 600

export interface RunOptions {
  seed?: number
  /** Multiplies every workload count (the short form of a scenario in CI: its `short.scale`). */
  scale?: number
  /** Keep the trace's lines (for trace.log); the hash is always computed. */
  keepTrace?: boolean
  /** LevelDB stores on disk in this folder instead of in memory (c5mesh only). */
  diskDir?: string
  /** Called now and then with the progress (virtual ms from start, timers fired, deliveries). */
  onProgress?: (p: Progress) => void
}

export interface Progress { system: SystemName, simMs: number, durationMs: number, events: number, delivered: number, expected: number }

export interface RunResult {
  system: SystemName
  seed: number
  scale: number
  traceHash: string
  trace: string
  traceEvents: number
  /** Timers fired on the virtual clock. */
  events: number
  wallMs: number
  nodes: string[]
  recorder: Recorder
  bytesByClass: Record<string, LinkCounters>
  courierBytes: number
  /** At the end: messages of revoked keys (created at or after the revocation) still held, by node. */
  revokedHeld: Array<{ node: string, id: string }>
  rosterVersions: Record<string, number>
  latestRosterVersion: number
  /** Nodes running at the end. */
  runningAtEnd: string[]
}

/** A stable 32-bit number from a text (separate random streams per purpose). */
function streamSeed (seed: number, label: string): number {
  return createHash('sha256').update(`${seed}:${label}`).digest().readUInt32LE(0)
}

/** The operators' keys, rotated by roster updates: `current(org)` signs what the org publishes. */
export interface Keys { world: TestWorld, operator: (org: string) => KeyPair, rotate: (org: string) => KeyPair, node: (org: string) => KeyPair }

function keysFor (sc: Scenario): Keys {
  const world = createTestWorld(sc.nodes.map(n => n.org), sc.startMs, [], { keyPair: seededKeyPair })
  const operators = new Map(world.members.map(m => [m.org, m.operator]))
  const generation = new Map<string, number>()
  return {
    world,
    operator: org => operators.get(org)!,
    rotate: org => {
      const g = (generation.get(org) ?? 1) + 1
      generation.set(org, g)
      const k = seededKeyPair(`${org}/operator#${g}`)
      operators.set(org, k)
      return k
    },
    node: org => world.members.find(m => m.org === org)!.node
  }
}

export async function runScenario (sc: Scenario, system: SystemName, options: RunOptions = {}): Promise<RunResult> {
  const seed = options.seed ?? sc.seed
  const scale = options.scale ?? 1
  const wall0 = performance.now()
  const clock = new VirtualClock(sc.startMs)
  const t0 = sc.startMs
  const trace = new Trace(clock.now, t0, options.keepTrace === true)
  const rec = new Recorder(clock.now, t0)
  const keys = keysFor(sc)
  const netRandom = seededRandom(streamSeed(seed, 'network'))
  const nodeRandom = seededRandom(streamSeed(seed, 'nodes'))
  const network = new SimNetwork(clock, netRandom, e => {
    if (e.type === 'link-up' || e.type === 'link-down') trace.add(`${e.a}-${e.b}`, e.type, e.cls)
    else trace.add(e.a, e.type, `${e.b} ${e.cls}`)
  })
  // IP edges, then channels: the same ids as the scenario's edge list.
  for (const e of sc.edges) if (e.channel === undefined) network.addEdge(e.a, e.b, sc.classes.get(e.cls)!, e.up)
  for (const c of sc.channels) network.addChannel(c.name, sc.classes.get(c.cls)!, c.members, c.up)

  let deliveredPairs = 0
  const events: StackEvents = {
    delivered: (org, env, source) => {
      const id = toHex(env.digest)
      if (rec.deliver(org, id)) deliveredPairs++
      trace.add(org, 'deliver', `${id.slice(0, 16)} ${source.startsWith('peer:') ? 'peer' : source.split(':')[0]}`)
    },
    rejected: (org, code, id, source) => {
      rec.reject(org, code)
      trace.add(org, 'reject', `${code} ${id?.slice(-16) ?? '-'} ${source}`)
    },
    session: (org, peer, event, reason) => { trace.add(org, `session-${event}`, `${peer}${reason === undefined ? '' : ' ' + reason}`) },
    banned: (org, peer) => { trace.add(org, 'banned', peer); rec.mark(`${org} bans ${peer}`) }
  }

  const node = sc.raw.node
  const stacks = new Map<string, SimStack>()
  for (const n of sc.nodes) {
    const nodeKey = keys.node(n.org)
    const common = { org: n.org, nodeKey, clock, network, random: nodeRandom, events }
    stacks.set(n.org, system === 'c5mesh'
      ? createC5Node({
        ...common,
        anchors: keys.world.anchors,
        rosterEnvelope: keys.world.rosterEnvelope.bytes,
        sync: {
          reconcileIntervalMs: node?.reconcileInterval ?? RECONCILE_INTERVAL_MS,
          ...(node?.bandwidth === undefined ? {} : { bytesPerSecond: node.bandwidth })
        },
        ...(node?.maxClockSkew === undefined ? {} : { maxClockSkewMs: node.maxClockSkew }),
        ...(options.diskDir === undefined ? {} : { diskDir: options.diskDir })
      })
      : system === 'gossip' ? createGossipNode(common) : createFloodNode(common))
  }
  for (const s of stacks.values()) await s.start()

  // The messages: planned from the seed alone, composed when published.
  const plan = planMessages(sc, seededRandom(streamSeed(seed, 'workload')), scale)
  let expected = 0
  const publish = async (p: Planned): Promise<void> => {
    const stack = stacks.get(p.origin)!
    if (!stack.running()) { trace.add(p.origin, 'publish-skipped', 'node off'); return }
    const env = composePlanned(p, keys.operator(p.origin), clock.now() + stack.skewMs)
    const pub = rec.publish(p, env)
    if (p.source !== 'flood') expected += sc.nodes.length
    trace.add(p.origin, 'publish', `${pub.id.slice(0, 16)} ${p.precedence} ${p.kind}`)
    await stack.publish(env)
  }
  for (const p of plan) clock.setTimeout(() => { void publish(p) }, p.at)
  scheduleTimeline({ sc, system, clock, network, stacks, keys, rec, trace, publish, random: seededRandom(streamSeed(seed, 'timeline')), scale, sticks: new Map() })

  // Queue depths, sampled.
  const sampleMs = sc.raw.sample ?? Math.max(60_000, Math.round(sc.durationMs / SAMPLES_PER_RUN))
  const orgs = sc.nodes.map(n => n.org)
  const sample = (): void => {
    rec.samples.push({ t: clock.now() - t0, queued: orgs.map(o => stacks.get(o)!.queued()) })
    if (clock.now() - t0 + sampleMs <= sc.durationMs) clock.setTimeout(sample, sampleMs)
  }
  clock.setTimeout(sample, 0)

  const end = t0 + sc.durationMs
  let lastReport = 0
  const report = (): void => { options.onProgress?.({ system, simMs: clock.now() - t0, durationMs: sc.durationMs, events: clock.fired, delivered: deliveredPairs, expected }) }
  await clock.runUntil(end, () => {
    if (options.onProgress !== undefined && (clock.fired & 255) === 0) {
      const w = performance.now()
      if (w - lastReport > 100) { lastReport = w; report() }
    }
    return true
  })
  report()

  // End state, before the nodes stop.
  const revokedHeld: RunResult['revokedHeld'] = []
  for (const r of rec.revocations) {
    for (const pub of rec.published) {
      if (pub.created < r.effective) continue
      if (pub.author !== r.key && pub.author !== r.keyId) continue
      for (const [org, s] of stacks) if (s.holds(pub.digest)) revokedHeld.push({ node: org, id: pub.id })
    }
  }
  const rosterVersions = Object.fromEntries([...stacks].map(([o, s]) => [o, s.rosterVersion()]))
  const runningAtEnd = [...stacks].filter(([, s]) => s.running()).map(([o]) => o)
  // Stopping may wait on timers (a radio station's goodbye): keep the clock going meanwhile.
  let stopped = false
  void Promise.all([...stacks.values()].map(async s => { await s.stop() })).finally(() => { stopped = true })
  for (let i = 0; i < STOP_MAX_STEPS && !stopped; i++) await clock.runUntil(clock.now() + 1_000)
  network.radioTotals()
  return {
    system,
    seed,
    scale,
    traceHash: trace.digest(),
    trace: trace.text(),
    traceEvents: trace.count,
    events: clock.fired,
    wallMs: performance.now() - wall0,
    nodes: orgs,
    recorder: rec,
    bytesByClass: Object.fromEntries(network.byClass),
    courierBytes: rec.courierBytes,
    revokedHeld,
    rosterVersions,
    latestRosterVersion: Math.max(...Object.values(rosterVersions)),
    runningAtEnd
  }
}
