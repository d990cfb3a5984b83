/**
 * The scenario's timeline on the virtual clock: cuts and restores of links and regions,
 * class changes, power losses and restarts, courier trips, clock skew, revocations, roster
 * updates and a rogue member's attacks. Each action is traced and recorded for the report.
 *
 * Couriers carry real bundles (courier.ts): at each stop the node imports the stick's
 * bundles through its ingest and leaves its manifest and its bundle, as `c5mesh courier`
 * does; the road time of each leg passes on the virtual clock.
 */
import { composeEnvelope } from '../envelope/index.js'
import { encodeFrame } from '../sync/frames.js'
import { keyId, toHex } from '../identity/index.js'
import { rosterMembers, signWorldRoster } from './world.js'
import { ROSTER_ENVELOPE_ORG } from '../node/roster-envelope.js'
import type { VirtualClock } from './clock.js'
import type { Recorder } from './metrics.js'
import type { SimNetwork, Edge } from './network.js'
import type { Keys } from './run.js'
import type { Scenario } from './scenario/load.js'
import type { LinkSelector, TimelineItem } from './scenario/schema.js'
import type { SimStack, SystemName } from './stack.js'
import type { Trace } from './trace.js'
import { bundleStop, plainStop, type Stick } from './courier.js'
import type { Planned } from './workload.js'
import { DEFAULT_DESCRIPTION_CHARS, DEFAULT_TTL_MS } from './workload.js'

export interface TimelineContext {
  sc: Scenario
  system: SystemName
  clock: VirtualClock
  network: SimNetwork
  stacks: Map<string, SimStack>
  keys: Keys
  rec: Recorder
  trace: Trace
  publish: (p: Planned) => Promise<void>
  /** Draws `fraction` choices (the same for every system of a run). */
  random: () => number
  scale: number
  /** Couriers' sticks by courier name (kept between trips). */
  sticks: Map<string, Stick>
}

/** A seeded choice of ⌈fraction × n⌉ items (at least one), in their original order. */
function pick<T> (items: T[], fraction: number | undefined, random: () => number): T[] {
  if (fraction === undefined || fraction >= 1) return items
  const n = Math.max(1, Math.ceil(fraction * items.length))
  const order = items.map((item, i) => ({ item, i, r: random() })).sort((a, b) => a.r - b.r).slice(0, n)
  return order.sort((a, b) => a.i - b.i).map(x => x.item)
}

const edgeLabel = (e: Edge): string => e.channel !== undefined ? `${e.channel.name} (${e.a}–${e.b})` : `${e.a}–${e.b} ${e.cls.name}`

export function scheduleTimeline (ctx: TimelineContext): void {
  const { sc, clock, network, rec, trace } = ctx
  const edges = (sel: LinkSelector, field: string): Edge[] => pick(sc.selectEdges(sel, field).map(i => network.edges[i]), sel.fraction, ctx.random)
  const setEdges = (list: Edge[], up: boolean, note?: string): void => {
    for (const e of list) {
      if (e.up === up) continue
      network.setUp(e, up)
      if (e.channel === undefined) rec.outage('link', `${e.a}–${e.b}`, !up, note)
    }
  }

  // The partition shorthand: the crossing links cut at `at`, restored at `heal`.
  const part = sc.raw.partition
  if (part !== undefined) {
    const groupOf = new Map<string, number>()
    part.groups.forEach((g, i) => { for (const o of g) groupOf.set(o, i) })
    const crossing = network.edges.filter(e => e.channel === undefined && groupOf.get(e.a) !== groupOf.get(e.b))
    clock.setTimeout(() => { rec.mark('partition'); trace.add('-', 'partition', `${crossing.length} links`); setEdges(crossing, false, 'partition') }, part.at ?? 0)
    if (part.heal !== undefined) clock.setTimeout(() => { rec.mark('partition heals'); trace.add('-', 'heal', `${crossing.length} links`); setEdges(crossing, true) }, part.heal)
  }

  sc.raw.timeline?.forEach((t, i) => {
    if (t.publish !== undefined) return // planned with the workload (workload.ts)
    clock.setTimeout(() => { void act(ctx, t, i, edges, setEdges) }, t.at)
  })
  void edgeLabel
}

async function act (ctx: TimelineContext, t: TimelineItem, i: number, edges: (s: LinkSelector, f: string) => Edge[], setEdges: (l: Edge[], up: boolean, note?: string) => void): Promise<void> {
  const { sc, network, stacks, rec, trace } = ctx
  const f = `timeline.${i}`
  if (t.note !== undefined) rec.mark(t.note)
  if (t.cut !== undefined) {
    const list = edges(t.cut, `${f}.cut`)
    trace.add('-', 'cut', `${list.length} links`)
    for (const e of list) if (e.channel !== undefined) { network.setChannelUp(e.channel, false); rec.outage('channel', e.channel.name, true, t.note) }
    setEdges(list.filter(e => e.channel === undefined), false, t.note)
  }
  if (t.restore !== undefined) {
    const list = edges(t.restore, `${f}.restore`)
    trace.add('-', 'restore', `${list.length} links`)
    for (const e of list) if (e.channel !== undefined) { network.setChannelUp(e.channel, true); rec.outage('channel', e.channel.name, false) }
    setEdges(list.filter(e => e.channel === undefined), true)
  }
  if (t.degrade !== undefined) {
    const { to, ...sel } = t.degrade
    const cls = sc.classes.get(to)!
    const list = edges(sel, `${f}.degrade`)
    trace.add('-', 'degrade', `${list.length} links ${to}`)
    for (const e of list) network.setClass(e, cls)
  }
  for (const [key, down] of [['power-off', true], ['power-on', false]] as const) {
    const sel = t[key]
    if (sel === undefined) continue
    const { orgs, fraction } = sc.selectNodes(sel, `${f}.${key}`)
    const candidates = orgs.filter(o => stacks.get(o)!.running() === down) // power-off: those running; power-on: those off
    for (const o of pick(candidates, fraction, ctx.random)) {
      trace.add(o, key)
      rec.outage('node', o, down, t.note)
      const s = stacks.get(o)!
      if (down) await s.powerOff(); else await s.powerOn()
    }
  }
  if (t.skew !== undefined) {
    stacks.get(t.skew.node)!.skewMs = t.skew.by
    trace.add(t.skew.node, 'skew', String(t.skew.by))
    rec.mark(`${t.skew.node} clock ${t.skew.by >= 0 ? '+' : ''}${Math.round(t.skew.by / 60_000)} min`)
  }
  if (t.courier !== undefined) void courier(ctx, t.courier, i)
  if (t.revoke !== undefined) await revoke(ctx, t.revoke)
  if (t['roster-update'] !== undefined) await rosterUpdate(ctx, t['roster-update'])
  if (t.rogue !== undefined) await rogue(ctx, t.rogue, t.at)
}

/** Where the national authority publishes: the given node, else CMX, else the first one running. */
function viaNode (ctx: TimelineContext, via: string | undefined): SimStack | undefined {
  const s = via !== undefined ? ctx.stacks.get(via) : ctx.stacks.get('MX-CMX')
  if (s?.running() === true) return s
  return [...ctx.stacks.values()].find(x => x.running())
}

async function courier (ctx: TimelineContext, c: NonNullable<TimelineItem['courier']>, i: number): Promise<void> {
  const { clock, stacks, rec, trace } = ctx
  const name = c.name ?? `courier-${i}`
  // The same courier (name) keeps its stick from trip to trip.
  let stick = ctx.sticks.get(name)
  if (stick === undefined) { stick = new Map(); ctx.sticks.set(name, stick) }
  rec.outage('link', `${name}: ${c.route.join(' → ')}`, true, 'courier on the road')
  for (const [leg, org] of c.route.entries()) {
    if (leg > 0) await clock.sleep(Array.isArray(c.travel) ? c.travel[leg - 1] : c.travel)
    const s = stacks.get(org)!
    if (!s.running()) { trace.add(org, 'courier-closed', name); continue }
    const node = s.bundles?.()
    const stop = node === undefined
      ? await plainStop(s, stick, name, rec.t())
      : await bundleStop(node, { org, key: s.key }, stick, c.route.slice(leg + 1), name, rec.t(), clock.now() + s.skewMs)
    rec.courier(stop)
    trace.add(org, 'courier', `${name} in ${stop.imported.bundles}/${stop.imported.new} out ${stop.bundleRecords} ${stop.bundleBytes}+${stop.manifestBytes} B ${stop.method}`)
    rec.mark(`${name} at ${org}`)
    if (c.stop !== undefined) await clock.sleep(c.stop)
  }
  rec.outage('link', `${name}: ${c.route.join(' → ')}`, false)
}

async function revoke (ctx: TimelineContext, r: NonNullable<TimelineItem['revoke']>): Promise<void> {
  const { keys, rec, trace, clock } = ctx
  const target = r.role === 'node' ? keys.node(r.org) : keys.operator(r.org)
  const via = viaNode(ctx, r.via)
  if (via === undefined) return
  const effective = clock.now() + via.skewMs
  rec.revocations.push({ key: toHex(target.publicKey), keyId: toHex(keyId(target.publicKey)), effective, org: r.org, at: rec.t() })
  rec.mark(`revoke ${r.org} ${r.role ?? 'operator'}`)
  const env = composeEnvelope({ kind: 'revocation', org: ROSTER_ENVELOPE_ORG, revocation: { key: target.publicKey, effective, ...(r.reason === undefined ? {} : { reason: r.reason }) } }, keys.world.root, { now: effective, authorForm: 'key' })
  trace.add(via.org, 'revoke', `${r.org} ${r.role ?? 'operator'} ${toHex(env.digest).slice(0, 16)}`)
  await via.publish(env)
}

async function rosterUpdate (ctx: TimelineContext, u: NonNullable<TimelineItem['roster-update']>): Promise<void> {
  const { keys, rec, trace, clock } = ctx
  const via = viaNode(ctx, u.via)
  if (via === undefined) return
  const now = clock.now() + via.skewMs
  const doc = keys.world.document
  const added = u.rotate.flatMap(org => {
    const k = keys.rotate(org)
    return rosterMembers({ org, node: keys.node(org), operator: k }, ctx.sc.startMs).filter(m => m.role === 'operator')
  })
  const next = { ...doc, version: doc.version + 1, issued: now, members: [...doc.members, ...added] }
  keys.world.document = next
  const { rosterEnvelope } = signWorldRoster(keys.world.root, next, now)
  rec.mark(`roster v${next.version}: new keys for ${u.rotate.join(', ')}`)
  trace.add(via.org, 'roster-update', `v${next.version} ${u.rotate.join(',')}`)
  await via.publish(rosterEnvelope)
}

async function rogue (ctx: TimelineContext, r: NonNullable<TimelineItem['rogue']>, at: number): Promise<void> {
  const { stacks, keys, rec, trace, clock, sc } = ctx
  const s = stacks.get(r.node)!
  rec.mark(`rogue ${r.node}`)
  const victims = sc.nodes.map(n => n.org).filter(o => o !== r.node)
  // Forged: another state's author key id, signed with the rogue's own key (bad signature).
  for (let i = 0; i < (r.forged ?? 0); i++) {
    const victim = victims[i % victims.length]
    const forger = { publicKey: keys.operator(victim).publicKey, privateKey: keys.operator(r.node).privateKey }
    const env = composeEnvelope({ kind: 'alert', org: victim, precedence: 'flash', content: { msgType: 'Alert', headline: `forged ${i} as ${victim}`, urgency: 'Immediate', severity: 'Extreme' } }, forger, { now: clock.now() + s.skewMs })
    const frame = encodeFrame({ type: 'msg', envelope: env.bytes })
    for (const l of s.links()) await l.sendRaw(frame).catch(() => {})
  }
  if ((r.forged ?? 0) > 0) trace.add(r.node, 'rogue-forged', String(r.forged))
  // Oversized: a frame past the link's limit, which the receiving link must refuse.
  for (let i = 0; i < (r.oversized ?? 0); i++) {
    for (const l of s.links()) await l.sendRaw(new Uint8Array(l.maxFrameBytes + 1)).catch(() => {})
  }
  if ((r.oversized ?? 0) > 0) trace.add(r.node, 'rogue-oversized', String(r.oversized))
  // Flood: valid routine bulletins from the rogue's own operator, as fast as the window says.
  const n = Math.round((r.flood ?? 0) * ctx.scale)
  const over = r.over ?? 600_000
  for (let i = 0; i < n; i++) {
    const p: Planned = { at: at + Math.floor((i * over) / Math.max(1, n)), origin: r.node, kind: 'bulletin', precedence: 'routine', ttlMs: DEFAULT_TTL_MS, bytes: DEFAULT_DESCRIPTION_CHARS, scope: [], tag: 'flood', headline: `flood ${i} ${r.node}`, source: 'flood' }
    clock.setTimeout(() => { void ctx.publish(p) }, p.at - (clock.now() - sc.startMs))
  }
  if (n > 0) trace.add(r.node, 'rogue-flood', String(n))
}
