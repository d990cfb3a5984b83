/**
 * `npm run bench -- reconcile` (issue 3): bytes and round trips to reconcile two stores of
 * n = 100,000 ids differing by d = 100 (50 only on each side), with the differences spread
 * at random and as the newest items. Figures are properties of the algorithm (bytes,
 * round trips); `ms` is the engine's CPU time on both sides, set generation excluded.
 * Extra seeds show the spread of the bytes, since they depend on the sketch estimate.
 */
import { createReconciler, makeSets, minus, runLocal, type Pattern } from '../src/sync/reconcile/index.js'

const N = 100_000
const D = 100
const ID_BYTES = 32
const EXTRA_SEEDS = [2, 3, 4, 5]

interface One { bytes: number, rtt: number, ms: number, sizes: number[] }

function once (seed: number, pattern: Pattern): One {
  const { a, b } = makeSets(seed, N - D / 2, D / 2, D / 2, pattern)
  const t0 = performance.now()
  const run = runLocal(createReconciler(a), createReconciler(b))
  const ms = performance.now() - t0
  // Check the answer against brute force: a benchmark of a wrong answer is worthless.
  const got = [...run.initiator.have, ...run.responder.need].length + [...run.initiator.need, ...run.responder.have].length
  if (got !== D || minus(a, b).length + minus(b, a).length !== D) throw new Error(`wrong difference: ${got}`)
  return { bytes: run.bytes, rtt: run.roundTrips, ms, sizes: run.sizes }
}

export async function run (): Promise<Record<string, unknown>> {
  const bound = D * ID_BYTES
  const random = once(1, 'random')
  console.log(`random: ${random.bytes} B in ${random.rtt} round trips, messages ${random.sizes.join(' ')} B, ${random.ms.toFixed(0)} ms`)
  const newest = once(1, 'newest')
  console.log(`newest: ${newest.bytes} B in ${newest.rtt} round trips, messages ${newest.sizes.join(' ')} B, ${newest.ms.toFixed(0)} ms`)
  let worst = Math.max(random.bytes, newest.bytes)
  let worstRtt = Math.max(random.rtt, newest.rtt)
  for (const seed of EXTRA_SEEDS) {
    for (const pattern of ['random', 'newest'] as const) {
      const r = once(seed, pattern)
      worst = Math.max(worst, r.bytes)
      worstRtt = Math.max(worstRtt, r.rtt)
    }
  }
  const round = (x: number): number => Math.round(x * 100) / 100
  return {
    bench: 'reconcile',
    n: N,
    d: D,
    random_bytes: random.bytes,
    random_rtt: random.rtt,
    newest_bytes: newest.bytes,
    newest_rtt: newest.rtt,
    bound_bytes: bound,
    naive_bytes: N * ID_BYTES,
    random_ratio_to_bound: round(random.bytes / bound),
    newest_ratio_to_bound: round(newest.bytes / bound),
    seeds: 1 + EXTRA_SEEDS.length,
    worst_ratio_to_bound: round(worst / bound),
    worst_rtt: worstRtt,
    ms: Math.round(random.ms + newest.ms)
  }
}
