/**
 * A scenario's short form (`--short`, what CI runs): its `short.scale` of the workload and
 * its timeline compressed by `short.time`. Compressing multiplies every time of the
 * *scenario* — its duration, the timeline's times, the workload's windows, the partition
 * shorthand, couriers' road and stop times, a rogue's flood window, the sample period, the
 * assertions' deadlines and `after`/`before` filters — and none of the *network's*: link
 * latencies and bandwidths, message lifetimes, clock skews, the reconcile interval, and the
 * `p99-latency` bounds (how fast a message crosses is a property of the links, not of how
 * long the storm lasts). The same events happen in the same order, sooner: a day-long
 * scenario costs a quarter of the virtual time (the nodes' periodic work — reconciliation
 * rounds, radio beacons — is most of a run's cost) with the same assertions.
 */
import type { Scenario } from './load.js'
import type { AssertionItem, MessageFilter, TimelineItem } from './schema.js'

/** Virtual time is whole milliseconds. */
const ms = (t: number, f: number): number => Math.round(t * f)

function filter (m: MessageFilter | undefined, f: number): MessageFilter | undefined {
  if (m === undefined) return undefined
  return { ...m, ...(m.after === undefined ? {} : { after: ms(m.after, f) }), ...(m.before === undefined ? {} : { before: ms(m.before, f) }) }
}

function assertion (a: AssertionItem, f: number): AssertionItem {
  const out: AssertionItem = { ...a }
  if (a.delivered !== undefined) out.delivered = { ...a.delivered, by: ms(a.delivered.by, f), ...(a.delivered.messages === undefined ? {} : { messages: filter(a.delivered.messages, f) }) }
  const r = a['delivery-ratio']
  if (r !== undefined) out['delivery-ratio'] = { ...r, ...(r.by === undefined ? {} : { by: ms(r.by, f) }), ...(r.messages === undefined ? {} : { messages: filter(r.messages, f) }) }
  const p = a['p99-latency']
  if (p !== undefined) out['p99-latency'] = { ...p, ...(p.messages === undefined ? {} : { messages: filter(p.messages, f) }) } // max: a network bound, kept
  return out
}

function item (t: TimelineItem, f: number): TimelineItem {
  const out: TimelineItem = { ...t, at: ms(t.at, f) }
  const c = t.courier
  if (c !== undefined) out.courier = { ...c, travel: Array.isArray(c.travel) ? c.travel.map(x => ms(x, f)) : ms(c.travel, f), ...(c.stop === undefined ? {} : { stop: ms(c.stop, f) }) }
  if (t.rogue?.over !== undefined) out.rogue = { ...t.rogue, over: ms(t.rogue.over, f) }
  return out
}

/** The scenario with its times multiplied by `time` (0 < time ≤ 1); itself when time is 1. */
export function compressTime (sc: Scenario, time: number): Scenario {
  if (time === 1) return sc
  if (!(time > 0 && time <= 1)) throw new RangeError(`time factor ${time} outside (0, 1]`)
  const raw = sc.raw
  const part = raw.partition
  return {
    ...sc,
    durationMs: ms(sc.durationMs, time),
    raw: {
      ...raw,
      duration: ms(raw.duration, time),
      ...(part === undefined ? {} : { partition: { ...part, ...(part.at === undefined ? {} : { at: ms(part.at, time) }), ...(part.heal === undefined ? {} : { heal: ms(part.heal, time) }) } }),
      ...(raw.workload === undefined ? {} : { workload: raw.workload.map(w => w.between === undefined ? w : { ...w, between: [ms(w.between[0], time), ms(w.between[1], time)] as [number, number] }) }),
      ...(raw.timeline === undefined ? {} : { timeline: raw.timeline.map(t => item(t, time)) }),
      ...(raw.assertions === undefined ? {} : { assertions: raw.assertions.map(a => assertion(a, time)) }),
      ...(raw.sample === undefined ? {} : { sample: Math.max(1_000, ms(raw.sample, time)) })
    }
  }
}

/** The short form's two factors: workload scale (default 0.1) and time (default 1: the whole timeline). */
export function shortFactors (sc: Scenario): { scale: number, time: number } {
  return { scale: sc.raw.short?.scale ?? 0.1, time: sc.raw.short?.time ?? 1 }
}
