/**
 * Difference-size sketch (docs/protocol/reconcile.md §Sketch). Each id falls in level
 * L = ctz(sketch hash) (probability 2^-(L+1)) and bucket checkLo mod B; a cell holds the
 * XOR of the 8-bit fingerprints (checkHi & 0xff) of its ids. XOR-ing two sketches leaves
 * the fingerprints of the symmetric difference only; from which cells are empty at which
 * level, a maximum-likelihood estimate of d follows. 16 buckets × ~16 levels ≈ 256 bytes
 * give d̂ within about ±20% — enough to size the first batch of symbols (§Batches).
 */
import type { ItemTable } from './items.js'

function ctz32 (x: number): number {
  if (x === 0) return 32
  let n = 0
  while ((x & 1) === 0) { x >>>= 1; n++ }
  return n
}

/** Levels for sets of sizes `a` and `b`: enough that the top levels are nearly empty. */
export function sketchLevels (a: number, b: number, buckets: number, maxLevels: number): number {
  const l = Math.ceil(Math.log2((a + b) / buckets + 1)) + 3
  return Math.max(2, Math.min(maxLevels, l))
}

export function buildSketch (table: ItemTable, levels: number, buckets: number): Uint8Array {
  const cells = new Uint8Array(levels * buckets)
  for (let r = 0; r < table.size; r++) {
    const level = ctz32(table.sketch[r])
    if (level >= levels) continue
    const bucket = table.checks[2 * r] % buckets
    cells[level * buckets + bucket] ^= table.checks[2 * r + 1] & 0xff
  }
  return cells
}

/**
 * Estimates d from two sketches of equal shape, with d known to lie in [dMin, dMax].
 * P(a cell looks empty) = (1−q)^d + (1 − (1−q)^d)/256 with q = 2^-(L+1)/B (the second
 * term: fingerprints that cancel). The log-likelihood is maximised on a geometric grid.
 */
export function estimateDifference (a: Uint8Array, b: Uint8Array, levels: number, buckets: number, dMin: number, dMax: number): number {
  const empties: number[] = []
  for (let l = 0; l < levels; l++) {
    let e = 0
    for (let k = 0; k < buckets; k++) if ((a[l * buckets + k] ^ b[l * buckets + k]) === 0) e++
    empties.push(e)
  }
  const loglik = (d: number): number => {
    let s = 0
    for (let l = 0; l < levels; l++) {
      const q = Math.pow(2, -(l + 1)) / buckets
      const pe = Math.exp(d * Math.log1p(-q))
      const p = pe + (1 - pe) / 256
      s += empties[l] * Math.log(p) + (buckets - empties[l]) * Math.log1p(-p)
    }
    return s
  }
  const lo = Math.max(1, dMin)
  const hi = Math.max(lo, dMax)
  let best = lo
  let bestL = loglik(lo)
  for (let d = lo; d <= hi;) {
    const v = loglik(d)
    if (v > bestL) { bestL = v; best = d }
    const step = Math.max(1, Math.floor(d * 0.02))
    if (d < hi && d + step > hi) d = hi
    else d += step
    if (d === hi) {
      const vh = loglik(hi)
      if (vh > bestL) { bestL = vh; best = hi }
      break
    }
  }
  return best
}
