/**
 * The honest state's flash alerts and their latency: every FLASH_EVERY_MS an operator at H
 * posts a flash alert to H's API; the latency is from the post until V's event stream shows
 * the alert (what an operator at V sees). Each alert is labelled with the phase it was sent
 * in; one that has not arrived when a phase is read counts with the time it has waited
 * (a lower bound), and is reported as lost.
 */
import type { ApiClient } from './api.js'

export const FLASH_EVERY_MS = 500
/** Ids seen on V's stream before H's API answered their post, remembered (the most recent). */
const EARLY_MAX = 10_000

interface Flash { phase: string, sentAt: number, arrivedAt?: number, posted?: boolean, failed?: boolean, id?: string }

export interface PhaseLatency {
  n: number
  lost: number
  p50: number
  p99: number
  max: number
  lostIds: string[]
  /** The slowest alerts that arrived (at most SLOWEST_KEPT), to see where their time went. */
  slowest: Array<{ id: string, sentAt: number, arrivedAt: number }>
}

const SLOWEST_KEPT = 3

export interface FlashSender {
  /** Labels the alerts sent from now on. */
  setPhase: (phase: string) => void
  /** V's event stream saw a message. */
  arrived: (id: string) => void
  /** The latencies of the alerts sent in `phase`, waiting up to `graceMs` for stragglers. */
  latency: (phase: string, graceMs?: number) => Promise<PhaseLatency>
  /**
   * Whether the node is quiet again: the last `k` alerts sent at least `boundMs` ago all
   * arrived within `boundMs`.
   */
  settled: (boundMs: number, k: number) => boolean
  /** Posts that failed (the API refused or did not answer). */
  failures: () => number
  stop: () => void
}

export function quantile (sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

export function startFlashes (h: ApiClient): FlashSender {
  const flashes: Flash[] = []
  const byId = new Map<string, Flash>()
  const early = new Map<string, number>() // arrived before the post answered
  let phase = 'setup'
  let n = 0
  let failed = 0
  const timer = setInterval(() => {
    const flash: Flash = { phase, sentAt: Date.now() }
    flashes.push(flash)
    const i = n++
    void h.post('/v1/messages', { kind: 'alert', precedence: 'flash', headline: `Alerta ${i}: sismo`, scope: 'national' }).then(r => {
      const id = (r.body as { message?: { id?: string } })?.message?.id
      if (r.status !== 201 || typeof id !== 'string') { failed++; flash.failed = true; return }
      flash.posted = true
      flash.id = id
      const at = early.get(id)
      if (at !== undefined) { early.delete(id); flash.arrivedAt = at }
      byId.set(id, flash)
    }, () => { failed++; flash.failed = true })
  }, FLASH_EVERY_MS)
  return {
    setPhase: p => { phase = p },
    arrived: id => {
      const f = byId.get(id)
      // Not (yet) one of ours: remember it a while — H's API answers after its durable write,
      // and the push to V can beat it. Oldest forgotten first (every other message lands here).
      if (f === undefined) { early.set(id, Date.now()); if (early.size > EARLY_MAX) early.delete(early.keys().next().value as string); return }
      if (f.arrivedAt === undefined) f.arrivedAt = Date.now()
    },
    latency: async (p, graceMs = 5_000) => {
      const deadline = Date.now() + graceMs
      const mine = (): Flash[] => flashes.filter(f => f.phase === p && f.failed !== true)
      while (Date.now() < deadline && mine().some(f => f.arrivedAt === undefined)) await new Promise(resolve => setTimeout(resolve, 100))
      const now = Date.now()
      const xs = mine().map(f => (f.arrivedAt ?? now) - f.sentAt).sort((a, b) => a - b)
      const lost = mine().filter(f => f.arrivedAt === undefined)
      const slowest = mine().flatMap(f => f.arrivedAt === undefined || f.id === undefined ? [] : [{ id: f.id, sentAt: f.sentAt, arrivedAt: f.arrivedAt }])
        .sort((a, b) => (b.arrivedAt - b.sentAt) - (a.arrivedAt - a.sentAt)).slice(0, SLOWEST_KEPT)
      return { n: xs.length, lost: lost.length, lostIds: lost.flatMap(f => f.id === undefined ? [] : [f.id]), p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: xs[xs.length - 1] ?? NaN, slowest }
    },
    settled: (boundMs, k) => {
      const old = flashes.filter(f => f.failed !== true && f.sentAt <= Date.now() - boundMs).slice(-k)
      return old.length === k && old.every(f => f.arrivedAt !== undefined && f.arrivedAt - f.sentAt <= boundMs)
    },
    failures: () => failed,
    stop: () => { clearInterval(timer) }
  }
}
