/**
 * Reconnection to the roster's nodes (docs/PROTOCOL.md §7): every interval, each roster
 * node we may link with and are not linked to is dialled, unless its backoff says not yet.
 * A failed dial doubles that node's backoff (from minBackoffMs up to maxBackoffMs, with
 * ±25 % jitter so that 32 states do not redial in step); a connection clears it. A refused
 * peer (banned, or cut by a partition filter) is not dialled: a refusal is not a failure
 * and must not grow the backoff that delays the heal.
 *
 * Transport-agnostic: the libp2p mesh dials through its host, the simulator through its
 * simulated links; both on the core's clock (virtual in the simulator) with an injected
 * random source (seeded in the simulator).
 */
import type { TimerClock } from '../util/clock.js'

export const RECONNECT_INTERVAL_MS = 5_000
export const RECONNECT_MIN_BACKOFF_MS = 1_000
export const RECONNECT_MAX_BACKOFF_MS = 5 * 60_000
/** Failures past which the backoff stops doubling (it is at the maximum long before). */
const MAX_DOUBLINGS = 20

export interface ReconnectTarget { id: string, key: Uint8Array }

/** What a dial came to: linked, failed (backoff grows), or not attempted (no address known). */
export type DialOutcome = 'connected' | 'failed' | 'skipped'

export interface ReconnectComponents {
  clock: TimerClock
  /** Uniform in [0, 1): the jitter. */
  random: () => number
  /** The nodes to keep linked with now: allowed by the roster, bans and filters; not ourselves. */
  targets: () => ReconnectTarget[]
  /** Whether a link (connection) to it is up. */
  connected: (t: ReconnectTarget) => boolean
  /** Called for a connected target each pass (e.g. to open a missing session). */
  whileConnected?: (t: ReconnectTarget) => void
  dial: (t: ReconnectTarget) => Promise<DialOutcome>
}

export interface ReconnectOptions {
  intervalMs?: number
  minBackoffMs?: number
  maxBackoffMs?: number
  /**
   * Skip the passes that would find every target connected, until `wake()` (a link was lost,
   * the roster or a ban changed): the next pass then runs at the time the periodic schedule
   * would have run it, so the outcome is the same. The simulator uses it (most passes of a
   * quiet simulated day do nothing, and each is a timer); the daemon keeps a plain period.
   */
  idleWhenConnected?: boolean
}

export interface Reconnector {
  /** Runs a pass now, then one every interval. */
  start: () => void
  stop: () => void
  /** A connection to `id` came up (by our dial or theirs): its backoff is cleared. */
  connected: (id: string) => void
  /** Dial failures since the last connection. */
  failures: (id: string) => number | undefined
  /** One pass, now (tests). */
  pass: () => Promise<void>
  /** With idleWhenConnected: something changed, resume the periodic passes. */
  wake: () => void
}

interface Backoff { failures: number, next: number }

export function createReconnector (c: ReconnectComponents, options: ReconnectOptions = {}): Reconnector {
  const intervalMs = options.intervalMs ?? RECONNECT_INTERVAL_MS
  const minMs = options.minBackoffMs ?? RECONNECT_MIN_BACKOFF_MS
  const maxMs = options.maxBackoffMs ?? RECONNECT_MAX_BACKOFF_MS
  const backoff = new Map<string, Backoff>()
  let timer: unknown
  let running = false
  let started = false
  let halted = false
  let idle = false
  let phase = 0 // when the periodic schedule started (passes fall on phase + k × interval)

  /** Runs a pass; true when every target was connected (nothing to do until something changes). */
  async function pass (): Promise<boolean> {
    const t = c.clock.now()
    let all = true
    for (const target of c.targets()) {
      if (halted) return false
      if (c.connected(target)) { c.whileConnected?.(target); continue }
      all = false
      const b = backoff.get(target.id) ?? { failures: 0, next: 0 }
      if (b.next > t) continue
      if (await c.dial(target) !== 'failed') continue
      b.failures++
      b.next = t + Math.min(maxMs, minMs * 2 ** Math.min(b.failures, MAX_DOUBLINGS)) * (0.75 + c.random() * 0.5)
      backoff.set(target.id, b)
    }
    return all
  }

  const runPass = (): void => {
    running = true
    void pass().then(all => { if (all && options.idleWhenConnected === true && !halted) idle = true }, () => {}).finally(() => { running = false })
  }

  function tick (): void {
    timer = undefined
    if (halted || idle) return
    if (!running) runPass()
    timer = c.clock.setTimeout(tick, intervalMs)
  }

  return {
    start: () => {
      if (started || halted) return
      started = true
      phase = c.clock.now()
      runPass()
      timer = c.clock.setTimeout(tick, intervalMs)
    },
    stop: () => {
      halted = true
      if (timer !== undefined) c.clock.clearTimeout(timer)
      timer = undefined
    },
    connected: id => { backoff.delete(id) },
    failures: id => backoff.get(id)?.failures,
    pass: async () => { await pass() },
    wake: () => {
      if (!idle || halted) return
      idle = false
      if (timer !== undefined) return
      const now = c.clock.now()
      const next = phase + Math.ceil((now - phase) / intervalMs) * intervalMs
      timer = c.clock.setTimeout(tick, next - now)
    }
  }
}
