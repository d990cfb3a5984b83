/**
 * A scenario's assertions, judged on what a run recorded. Each result says pass or fail
 * (null: does not apply to this system, e.g. revocation for a baseline without a roster)
 * and, when it fails, which node, which message and what was expected — the line a tester
 * reads at 4 a.m.
 */
import { idFromDigest } from '../envelope/index.js'
import { formatDuration } from './duration.js'
import type { Publication } from './metrics.js'
import type { RunResult } from './run.js'
import type { Scenario } from './scenario/load.js'
import type { AssertionItem, AssertionKind, MessageFilter } from './scenario/schema.js'
import { ASSERTIONS } from './scenario/schema.js'

/** Failures listed per assertion (the count says how many there were in all). */
export const MAX_FAILURES_LISTED = 20

export interface Failure { node?: string, message?: string, detail: string }
export interface AssertionResult {
  index: number
  kind: AssertionKind
  name: string
  pass: boolean | null
  summary: string
  failures: Failure[]
  failureCount: number
}

/** Nearest-rank percentile; Infinity counts (an undelivered pair). */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const v = [...values].sort((a, b) => a - b)
  return v[Math.max(1, Math.ceil((p / 100) * v.length)) - 1]
}

export const messageLabel = (p: Publication): string => `"${p.headline}" (${idFromDigest(p.digest)})`

/** Publications a filter names; by default every honest one (not a rogue's flood, not a revoked key's). */
export function selectMessages (sc: Scenario, r: RunResult, f: MessageFilter | undefined, field: string): Publication[] {
  const from = f?.from === undefined ? undefined : new Set(sc.group(f.from, `${field}.from`))
  const prec = f?.precedence === undefined ? undefined : new Set(Array.isArray(f.precedence) ? f.precedence : [f.precedence])
  const revoked = (p: Publication): boolean => r.recorder.revocations.some(x => p.created >= x.effective && (p.author === x.key || p.author === x.keyId))
  return r.recorder.published.filter(p =>
    (f?.tag === undefined ? p.source !== 'flood' : p.tag === f.tag) &&
    !revoked(p) &&
    (from === undefined || from.has(p.origin)) &&
    (prec === undefined || prec.has(p.precedence)) &&
    (f?.kind === undefined || p.kind === f.kind) &&
    (f?.after === undefined || p.at >= f.after) &&
    (f?.before === undefined || p.at <= f.before))
}

function scopeOf (sc: Scenario, to: string | string[] | undefined, field: string): string[] {
  return to === undefined || to === 'all' ? sc.nodes.map(n => n.org) : sc.group(to, field)
}

function describe (a: AssertionItem): { kind: AssertionKind, name: string } {
  const kind = ASSERTIONS.find(k => a[k] !== undefined)!
  const d = a.delivered
  const r = a['delivery-ratio']
  const l = a['p99-latency']
  const auto = kind === 'delivered' ? `every message delivered to ${to(d!.to)} by ${formatDuration(d!.by)}`
    : kind === 'delivery-ratio' ? `delivery ratio ≥ ${r!.min}${r!.by === undefined ? '' : ` by ${formatDuration(r!.by)}`}`
      : kind === 'p99-latency' ? `p99 latency${l!.precedence === undefined ? '' : ` of ${l!.precedence}`} ≤ ${formatDuration(l!.max)}`
        : kind === 'no-duplicates' ? 'no duplicates in any inbox'
          : kind === 'revoked-refused' ? "a revoked key's later messages refused everywhere"
            : 'every running node on the latest roster'
  return { kind, name: a.name ?? auto }
}
const to = (t: string | string[] | undefined): string => t === undefined || t === 'all' ? 'every node' : Array.isArray(t) ? t.join(', ') : t

export function evaluate (sc: Scenario, r: RunResult): AssertionResult[] {
  return (sc.raw.assertions ?? []).map((a, index) => {
    const { kind, name } = describe(a)
    const field = `assertions.${index}.${kind}`
    const failures: Failure[] = []
    let pass: boolean | null = true
    let summary = ''
    const fail = (x: Failure): void => { pass = false; failures.push(x) }
    const delivered = r.recorder.delivered
    const pairs = (msgs: Publication[], nodes: string[], by: number | undefined): { total: number, ok: number, lat: number[], missing: Array<{ p: Publication, node: string, at?: number }> } => {
      let ok = 0
      const lat: number[] = []
      const missing: Array<{ p: Publication, node: string, at?: number }> = []
      for (const p of msgs) {
        const at = delivered.get(p.id)
        for (const n of nodes) {
          const t = at?.get(n)
          if (t !== undefined && (by === undefined || t <= by)) { ok++; lat.push(t - p.at) } else { lat.push(Infinity); missing.push({ p, node: n, ...(t === undefined ? {} : { at: t }) }) }
        }
      }
      return { total: msgs.length * nodes.length, ok, lat, missing }
    }
    switch (kind) {
      case 'delivered': {
        const d = a.delivered!
        const msgs = selectMessages(sc, r, d.messages, `${field}.messages`).filter(p => p.at <= d.by)
        const res = pairs(msgs, scopeOf(sc, d.to, `${field}.to`), d.by)
        for (const m of res.missing) fail({ node: m.node, message: messageLabel(m.p), detail: m.at === undefined ? `never delivered (published at ${formatDuration(m.p.at)} by ${m.p.origin})` : `delivered at ${formatDuration(m.at)}, after ${formatDuration(d.by)}` })
        summary = `${res.ok}/${res.total} (message, node) pairs by ${formatDuration(d.by)}`
        break
      }
      case 'delivery-ratio': {
        const d = a['delivery-ratio']!
        const msgs = selectMessages(sc, r, d.messages, `${field}.messages`)
        const res = pairs(msgs, scopeOf(sc, d.to, `${field}.to`), d.by)
        const ratio = res.total === 0 ? 1 : res.ok / res.total
        summary = `${(ratio * 100).toFixed(2)} % of ${res.total} pairs (min ${(d.min * 100).toFixed(2)} %)`
        if (ratio < d.min) {
          pass = false
          for (const m of res.missing) failures.push({ node: m.node, message: messageLabel(m.p), detail: 'not delivered' })
        }
        break
      }
      case 'p99-latency': {
        const l = a['p99-latency']!
        const filter = { ...l.messages, ...(l.precedence === undefined ? {} : { precedence: l.precedence }) }
        const msgs = selectMessages(sc, r, filter, `${field}.messages`)
        const res = pairs(msgs, scopeOf(sc, l.to, `${field}.to`), undefined)
        const p99 = percentile(res.lat, 99)
        summary = msgs.length === 0 ? 'no such messages' : `p99 ${formatDuration(p99)} over ${res.total} pairs (max ${formatDuration(l.max)})`
        if (msgs.length > 0 && !(p99 <= l.max)) {
          pass = false
          const slow = res.lat.map((ms, i) => ({ ms, i })).sort((x, y) => y.ms - x.ms).slice(0, MAX_FAILURES_LISTED)
          const nodes = scopeOf(sc, l.to, `${field}.to`)
          for (const s of slow) {
            const p = msgs[Math.floor(s.i / nodes.length)]
            failures.push({ node: nodes[s.i % nodes.length], message: messageLabel(p), detail: Number.isFinite(s.ms) ? `took ${formatDuration(s.ms)}` : 'never delivered' })
          }
        }
        break
      }
      case 'no-duplicates': {
        for (const d of r.recorder.duplicates) {
          const p = r.recorder.byId.get(d.id)
          fail({ node: d.node, ...(p === undefined ? {} : { message: messageLabel(p) }), detail: `delivered a second time at ${formatDuration(d.t)}` })
        }
        summary = `${r.recorder.duplicates.length} duplicate deliveries`
        break
      }
      case 'revoked-refused': {
        if (r.system !== 'c5mesh') { pass = null; summary = 'n/a: no roster'; break }
        const n = r.recorder.revocations.length
        for (const h of r.revokedHeld) {
          const p = r.recorder.byId.get(h.id)
          fail({ node: h.node, ...(p === undefined ? {} : { message: messageLabel(p) }), detail: 'still held at the end, although its key was revoked before it was created' })
        }
        const later = r.recorder.published.filter(p => r.recorder.revocations.some(x => p.created >= x.effective && (p.author === x.key || p.author === x.keyId))).length
        summary = n === 0 ? 'no revocation in this run' : `${later} later messages of revoked keys; held at the end: ${r.revokedHeld.length}`
        break
      }
      case 'roster-converged': {
        if (r.system !== 'c5mesh') { pass = null; summary = 'n/a: no roster'; break }
        for (const o of r.runningAtEnd) {
          const v = r.rosterVersions[o]
          if (v !== r.latestRosterVersion) fail({ node: o, detail: `on roster version ${v}, latest ${r.latestRosterVersion}` })
        }
        summary = `latest version ${r.latestRosterVersion}`
        break
      }
    }
    return { index, kind, name, pass, summary, failures: failures.slice(0, MAX_FAILURES_LISTED), failureCount: failures.length }
  })
}
