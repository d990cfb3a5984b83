/** Small statistics for the mesh benchmark; the seeded PRNG lives in src/sim/random.ts. */

export { seededRandom } from '../../src/sim/random.js'

/** Nearest-rank percentile (p in 0..100) of finite values; NaN for none. */
export function percentile (values: number[], p: number): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (v.length === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil((p / 100) * v.length))
  return v[rank - 1]
}

export const round = (x: number, digits = 1): number => Number.isFinite(x) ? Number(x.toFixed(digits)) : x

/** Resolves after ms (the workload's own pacing: a publish schedule, a partition's length). */
export async function pause (ms: number): Promise<void> {
  if (ms <= 0) return
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Runs fn over items with at most `limit` in flight. */
export async function mapLimit<T, R> (items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i) }
  }))
  return out
}

/** Retries a failing async step (a dial under load can hit an upgrade timeout), then throws the last error. */
export async function retry<T> (fn: () => Promise<T>, attempts = 3, backoffMs = 250): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn()
    } catch (err) {
      if (i >= attempts) throw err
      await pause(backoffMs * i)
    }
  }
}
