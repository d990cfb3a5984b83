/**
 * One side's set in columnar form: id words, per-id hashes, an id → row index, and the
 * set digest (docs/protocol/reconcile.md §Set digest). Built once per reconciler; typed
 * arrays rather than per-id objects so that 100,000 ids cost milliseconds, not seconds.
 */
import { createHash } from 'node:crypto'
import { C5Error } from '../../errors.js'
import type { SyncItem } from '../types.js'
import { ID_BYTES, SET_DIGEST_BYTES } from './constants.js'
import { idWords, murmur32, SEED_CHECK_HI, SEED_CHECK_LO, SEED_INDEX, SEED_SKETCH } from './hash.js'

/** Domain tag hashed before the sorted ids to form the set digest. */
export const SET_DIGEST_DOMAIN = new TextEncoder().encode('c5mesh/reconcile/set/1')

export interface ItemTable {
  readonly size: number
  /** 8 little-endian words per id. */
  readonly words: Uint32Array
  /** Checksum words (lo, hi) per id. */
  readonly checks: Uint32Array
  /** Index-sequence seed per id. */
  readonly seeds: Uint32Array
  /** Sketch hash per id. */
  readonly sketch: Uint32Array
  readonly ids: Uint8Array[]
  /** Row of an id, or -1. */
  rowOf: (id: Uint8Array) => number
  /** Rows in bytewise order of their ids. */
  sortedRows: () => Uint32Array
  /** Truncated sha2-256 over the domain tag and the ids in bytewise order. */
  digest: () => Uint8Array
}

export function hex (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}

/** Compares two ids bytewise (unsigned lexicographic order). */
export function compareIds (a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/** The first 6 bytes of an id as an exact number: bytewise order, and a map key. */
export function prefix48 (id: Uint8Array): number {
  return ((id[0] * 256 + id[1]) * 256 + id[2]) * 16777216 + ((id[3] << 16) | (id[4] << 8) | id[5])
}

/** The set digest of `count` ids written back to back in bytewise order in `concat`. */
export function digestConcat (concat: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(SET_DIGEST_DOMAIN).update(concat).digest().subarray(0, SET_DIGEST_BYTES))
}

/** `words` holds little-endian words: on a little-endian machine they are the id bytes. */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

/** Row numbers take the low 22 bits of a packed sort key (2^22 = the default maxItems). */
const ROW_BITS = 22
const ROW_SPAN = 2 ** ROW_BITS

/**
 * Rows 0..n-1 ordered by the bytewise order of their ids. Why not one comparator sort: at
 * 100,000 ids it took ~60 ms per reconciliation round. Instead each row becomes one number,
 * the id's first 31 bits above the row (< 2^53), sorted natively (no comparator); only the
 * rare runs that share those 31 bits are then ordered by the whole id.
 */
export function sortRowsById (ids: Uint8Array[]): Uint32Array {
  const n = ids.length
  const rows = new Uint32Array(n)
  if (n >= ROW_SPAN) {
    for (let r = 0; r < n; r++) rows[r] = r
    return rows.sort((x, y) => compareIds(ids[x], ids[y]))
  }
  const packed = new Float64Array(n)
  for (let r = 0; r < n; r++) {
    const id = ids[r]
    const top31 = ((id[0] << 23) | (id[1] << 15) | (id[2] << 7) | (id[3] >>> 1)) >>> 0
    packed[r] = top31 * ROW_SPAN + r
  }
  packed.sort()
  for (let i = 0; i < n; i++) rows[i] = packed[i] % ROW_SPAN
  // Runs with equal leading 31 bits are in row order: put each in id order.
  for (let i = 0; i < n;) {
    const top = Math.floor(packed[i] / ROW_SPAN)
    let j = i + 1
    while (j < n && Math.floor(packed[j] / ROW_SPAN) === top) j++
    if (j - i > 1) rows.subarray(i, j).sort((x, y) => compareIds(ids[x], ids[y]))
    i = j
  }
  return rows
}

/** Validates ids (32 bytes, no duplicates) and builds the table. Throws SYNC_MALFORMED. */
export function buildItemTable (ids: Uint8Array[]): ItemTable {
  const n = ids.length
  const words = new Uint32Array(n * 8)
  const checks = new Uint32Array(n * 2)
  const seeds = new Uint32Array(n)
  const sketch = new Uint32Array(n)
  const keys = new Float64Array(n)
  for (let r = 0; r < n; r++) {
    const id = ids[r]
    if (!(id instanceof Uint8Array) || id.length !== ID_BYTES) {
      throw new C5Error('SYNC_MALFORMED', `an id must be ${ID_BYTES} bytes`, { details: { row: r } })
    }
    idWords(id, 0, words, r * 8)
    checks[2 * r] = murmur32(words, r * 8, SEED_CHECK_LO)
    checks[2 * r + 1] = murmur32(words, r * 8, SEED_CHECK_HI)
    seeds[r] = murmur32(words, r * 8, SEED_INDEX)
    sketch[r] = murmur32(words, r * 8, SEED_SKETCH)
    keys[r] = prefix48(id)
  }
  // Sorted rows double as the lookup index (binary search on the 48-bit prefix).
  const rows = sortRowsById(ids)
  for (let i = 1; i < n; i++) {
    if (keys[rows[i - 1]] === keys[rows[i]] && compareIds(ids[rows[i - 1]], ids[rows[i]]) === 0) {
      throw new C5Error('SYNC_MALFORMED', 'duplicate id in a set', { details: { id: hex(ids[rows[i]]) } })
    }
  }
  const rowOf = (id: Uint8Array): number => {
    const k = prefix48(id)
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[rows[mid]] < k) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < n && keys[rows[i]] === k; i++) if (compareIds(ids[rows[i]], id) === 0) return rows[i]
    return -1
  }
  let setDigest: Uint8Array | undefined
  const digest = (): Uint8Array => {
    if (setDigest === undefined) {
      // The ids in bytewise order, copied word by word from `words` (a plain loop: a
      // set() call per id cost more than the hashing).
      const concat = new Uint8Array(n * ID_BYTES)
      if (LITTLE_ENDIAN) {
        const out = new Uint32Array(concat.buffer)
        for (let i = 0; i < n; i++) {
          const from = rows[i] * 8
          const to = i * 8
          for (let k = 0; k < 8; k++) out[to + k] = words[from + k]
        }
      } else {
        for (let i = 0; i < n; i++) concat.set(ids[rows[i]], i * ID_BYTES)
      }
      setDigest = digestConcat(concat)
    }
    return setDigest
  }
  return { size: n, words, checks, seeds, sketch, ids, rowOf, sortedRows: () => rows, digest }
}

/** Ids of a SyncItem list, validated (timestamps: non-negative safe integers). */
export function idsOf (items: SyncItem[]): Uint8Array[] {
  if (!Array.isArray(items)) throw new C5Error('SYNC_MALFORMED', 'items must be an array')
  return items.map((it, row) => {
    if (it === null || typeof it !== 'object' || !Number.isSafeInteger(it.timestamp) || it.timestamp < 0) {
      throw new C5Error('SYNC_MALFORMED', 'an item timestamp must be a non-negative safe integer', { details: { row } })
    }
    return it.id
  })
}
