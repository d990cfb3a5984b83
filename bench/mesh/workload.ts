/**
 * The benchmark workload, built once and replayed on both systems: signed alerts (real
 * c5mesh envelopes, each by its origin state's operator) with origins and publish times
 * drawn from a seeded PRNG.
 */
import { composeEnvelope, sampleAlert } from '../../src/envelope/index.js'
import { keyId } from '../../src/identity/index.js'
import type { TestWorld } from '../../src/sim/world.js'
import { seededRandom } from './stats.js'

export interface Publication { origin: number, bytes: Uint8Array, atMs: number }

export interface WorkloadOptions {
  count: number
  /** Mean gap between publishes (a Poisson process), ms. */
  meanGapMs: number
  seed: number
  /** Origins are drawn from these node indexes. */
  origins: number[]
  now: number
  /** Distinguishes the headlines of separate workloads. */
  label: string
}

/** Shortest and longest gap: a Poisson process clipped so one run stays short and timers are meaningful. */
export const MIN_GAP_MS = 2
export const MAX_GAP_MS = 200
/** ~300-byte alerts, as in the ingest benchmark. */
export const DESCRIPTION_CHARS = 200

export function buildWorkload (world: TestWorld, o: WorkloadOptions): Publication[] {
  const rand = seededRandom(o.seed)
  const out: Publication[] = []
  let at = 0
  for (let i = 0; i < o.count; i++) {
    const origin = o.origins[Math.floor(rand() * o.origins.length)]
    const m = world.members[origin]
    const created = o.now - 1000
    const u = sampleAlert({ author: keyId(m.operator.publicKey), org: m.org, created, seq: i, descriptionChars: DESCRIPTION_CHARS })
    const { version: _v, author: _a, created: _c, ...fields } = u
    const content = { ...fields.content, headline: `${o.label} ${i} ${m.org}` } as typeof fields.content
    const env = composeEnvelope({ ...fields, content, org: m.org, ttlS: 86_400 }, m.operator, { now: created })
    out.push({ origin, bytes: env.bytes, atMs: at })
    at += Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, -Math.log(1 - rand()) * o.meanGapMs))
  }
  return out
}
