/**
 * The messages of a run: the scenario's workload (counts of alerts and bulletins from
 * groups of states over a window, a precedence mix) and its timeline `publish` events,
 * planned once from the seed — every system of a run (c5mesh and the baselines) publishes
 * the same messages at the same times from the same states — and composed at publish time
 * by the origin's operator key on the origin's clock.
 */
import { composeEnvelope } from '../envelope/index.js'
import type { Envelope, Kind, Precedence } from '../envelope/types.js'
import { PRECEDENCES } from '../envelope/types.js'
import type { KeyPair } from '../identity/index.js'
import type { Scenario } from './scenario/load.js'
import type { WorkloadItem } from './scenario/schema.js'

export const DEFAULT_TTL_MS = 24 * 3_600_000
/** Description length when a workload gives no `bytes`: a ~300-byte alert, as the benches use. */
export const DEFAULT_DESCRIPTION_CHARS = 200

export interface Planned {
  /** ms from the scenario start. */
  at: number
  origin: string
  kind: Extract<Kind, 'alert' | 'bulletin'>
  precedence: Precedence
  ttlMs: number
  bytes: number
  scope: string[]
  tag?: string
  headline: string
  /** 'workload', 'timeline' (a publish event) or 'flood' (a rogue member). */
  source: 'workload' | 'timeline' | 'flood'
}

function pickPrecedence (mix: WorkloadItem['precedence'], rand: () => number): Precedence {
  if (mix === undefined) return 'routine'
  if (typeof mix === 'string') return mix
  const weights = PRECEDENCES.map(p => mix[p] ?? 0)
  const total = weights.reduce((a, b) => a + b, 0)
  let x = rand() * total
  for (let i = 0; i < PRECEDENCES.length; i++) { x -= weights[i]; if (x < 0) return PRECEDENCES[i] }
  return PRECEDENCES[weights.findLastIndex(w => w > 0)]
}

/** The workload's and the timeline's publications, in time order (ties in file order). */
export function planMessages (sc: Scenario, rand: () => number, scale = 1): Planned[] {
  const out: Planned[] = []
  let seq = 0
  sc.raw.workload?.forEach((w, wi) => {
    const origins = sc.group(w.from, `workload.${wi}.from`)
    const [from, to] = w.between ?? [0, sc.durationMs]
    const count = Math.max(1, Math.round(w.count * scale))
    const kind = w.kind ?? 'alert'
    for (let i = 0; i < count; i++) {
      const origin = origins[Math.floor(rand() * origins.length)]
      const at = Math.floor(from + rand() * (to - from))
      const precedence = pickPrecedence(w.precedence, rand)
      const tag = w.tag ?? `w${wi}`
      out.push({ at, origin, kind, precedence, ttlMs: w.ttl ?? DEFAULT_TTL_MS, bytes: w.bytes ?? DEFAULT_DESCRIPTION_CHARS, scope: [], tag, headline: `${tag} ${kind} ${seq++} ${origin}`, source: 'workload' })
    }
  })
  sc.raw.timeline?.forEach((t, ti) => {
    const p = t.publish
    if (p === undefined) return
    const origins = sc.group(p.from, `timeline.${ti}.publish.from`)
    for (const origin of origins) {
      for (let i = 0; i < (p.count ?? 1); i++) {
        const kind = p.kind ?? 'alert'
        out.push({
          at: t.at,
          origin,
          kind,
          precedence: p.precedence ?? 'flash',
          ttlMs: p.ttl ?? DEFAULT_TTL_MS,
          bytes: p.bytes ?? DEFAULT_DESCRIPTION_CHARS,
          scope: p.scope === undefined || p.scope === 'national' ? [] : p.scope,
          ...(p.tag === undefined ? {} : { tag: p.tag }),
          headline: `${p.headline ?? t.note ?? `${kind} ${origin}`} [${seq++}]`,
          source: 'timeline'
        })
      }
    }
  })
  // Stable: equal times keep the order above.
  return out.map((p, i) => ({ p, i })).sort((x, y) => x.p.at - y.p.at || x.i - y.i).map(x => x.p)
}

const FILLER = 'Se solicita a los C5 estatales difundir y mantener vigilancia. Coordinacion con Proteccion Civil, Guardia Nacional y Cruz Roja. '

const URGENCY: Record<Precedence, { urgency: 'Immediate' | 'Expected' | 'Future', severity: 'Extreme' | 'Severe' | 'Moderate' | 'Minor' }> = {
  flash: { urgency: 'Immediate', severity: 'Extreme' },
  immediate: { urgency: 'Immediate', severity: 'Severe' },
  priority: { urgency: 'Expected', severity: 'Moderate' },
  routine: { urgency: 'Future', severity: 'Minor' }
}

/** The signed envelope of a planned message, by `operator` at `now` (the origin's clock). */
export function composePlanned (p: Planned, operator: KeyPair, now: number): Envelope {
  const description = FILLER.repeat(Math.ceil(p.bytes / FILLER.length) + 1).slice(0, Math.max(1, p.bytes))
  return composeEnvelope({
    kind: p.kind,
    org: p.origin,
    precedence: p.precedence,
    scope: p.scope,
    ttlS: Math.max(1, Math.round(p.ttlMs / 1000)),
    content: {
      msgType: 'Alert',
      category: 'Safety',
      event: p.kind === 'alert' ? 'Emergencia' : 'Boletin',
      ...URGENCY[p.precedence],
      certainty: 'Observed',
      headline: p.headline.slice(0, 200),
      description
    }
  }, operator, { now })
}
