/**
 * Deterministic pairs of sets for tests, the `reconcile` benchmark and the simulator: no
 * randomness beyond a seed, ids are sha2-256 digests like real envelope ids.
 */
import { createHash } from 'node:crypto'
import type { SyncItem } from '../types.js'

export const BASE_MS = 1_764_000_000_000 // > 2^32: millisecond timestamps

export function idFor (seed: number, i: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${seed}/${i}`).digest())
}

export type Pattern = 'random' | 'newest'

/**
 * Two sets sharing `common` items, plus `onlyA` and `onlyB` items. With 'newest' the
 * differences carry the latest timestamps; with 'random' they are spread among the
 * common ones. Both arrays are sorted by (timestamp, id) as the store delivers them.
 */
export function makeSets (seed: number, common: number, onlyA: number, onlyB: number, pattern: Pattern): { a: SyncItem[], b: SyncItem[] } {
  const total = common + onlyA + onlyB
  let k = 0
  const item = (ts: number): SyncItem => ({ timestamp: ts, id: idFor(seed, k++) })
  const a: SyncItem[] = []
  const b: SyncItem[] = []
  // Deterministic spread: difference j sits at position floor(j * total / diffs) in time.
  const diffs = onlyA + onlyB
  const isDiff = new Map<number, 'a' | 'b'>()
  if (pattern === 'random') {
    let x = (seed * 2654435761) >>> 0
    let placed = 0
    while (placed < diffs) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0
      const pos = x % total
      if (isDiff.has(pos)) continue
      isDiff.set(pos, placed < onlyA ? 'a' : 'b')
      placed++
    }
  } else {
    for (let j = 0; j < diffs; j++) isDiff.set(common + j, j < onlyA ? 'a' : 'b')
  }
  for (let p = 0; p < total; p++) {
    const it = item(BASE_MS + p * 1000)
    const side = isDiff.get(p)
    if (side !== 'b') a.push(it)
    if (side !== 'a') b.push(it)
  }
  return { a, b }
}

export function hexSet (ids: Uint8Array[]): string[] {
  return ids.map(id => Buffer.from(id).toString('hex')).sort()
}

export function minus (x: SyncItem[], y: SyncItem[]): string[] {
  const ys = new Set(y.map(i => Buffer.from(i.id).toString('hex')))
  return x.map(i => Buffer.from(i.id).toString('hex')).filter(h => !ys.has(h)).sort()
}
