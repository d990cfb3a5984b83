/**
 * The contract between the attack bench and its attacks (bench/attacks/*.ts): an attack is
 * prepared (keys loaded, envelopes signed, connections opened — not measured), then run
 * until its signal aborts, and says what it did in a few counters.
 */
import type { WorldSeeds } from './world.js'

export interface AttackTarget {
  /** The victim's libp2p address with /p2p/. */
  syncAddr: string
  /** The victim's local API (loopback) and the headers it needs. */
  api: string
  auth: Record<string, string>
  /** Every roster member's keys (world.ts). */
  seeds: WorldSeeds
}

/** What an attack did, for the bench's output: counters by name. */
export type AttackStats = Record<string, number>

export interface Attack {
  name: string
  /** One line: what the attacker does. */
  what: string
  /** Gets ready; the returned function runs the attack until the signal aborts. */
  prepare: (target: AttackTarget) => Promise<(signal: AbortSignal) => Promise<AttackStats>>
}

/** Resolves after `ms`, or at once when the signal aborts. */
export async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const t = setTimeout(done, ms)
    function done (): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve() }
    signal.addEventListener('abort', done, { once: true })
  })
}

export function bump (stats: AttackStats, key: string, n = 1): void {
  stats[key] = (stats[key] ?? 0) + n
}
