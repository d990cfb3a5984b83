/**
 * One side's set in columnar form: id words, per-id hashes, a lazy id → row map, and the
 * set digest (docs/protocol/reconcile.md §Set digest). Built once per reconciler.
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
  /** 8 words per id. */
  readonly words: Uint32Array
  /** Checksum words (lo, hi) per id. */
  readonly checks: Uint32Array
  /** Index-sequence seed per id. */
  readonly seeds: Uint32Array
  /** Sketch hash per id. */
  readonly sketch: Uint32Array
  readonly ids: Uint8Array[]
  /** Row of an id given as hex, or undefined. */
  rowOf: (hex: string) => number | undefined
  /** Truncated sha2-256 over the domain tag and the ids in byte order. */
  digest: () => Uint8Array
  /** The ids in byte order (cached). */
  sorted: () => Uint8Array[]
}

export function hex (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}

/** Compares two ids bytewise (unsigned lexicographic order). */
export function compareIds (a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b)
}

/** The set digest of ids already sorted bytewise and free of duplicates. */
export function digestSorted (sorted: Iterable<Uint8Array>): Uint8Array {
  const h = createHash('sha256').update(SET_DIGEST_DOMAIN)
  for (const id of sorted) h.update(id)
  return new Uint8Array(h.digest().subarray(0, SET_DIGEST_BYTES))
}

/** Validates ids (32 bytes, no duplicates) and builds the table. Throws SYNC_MALFORMED. */
export function buildItemTable (ids: Uint8Array[]): ItemTable {
  const n = ids.length
  const words = new Uint32Array(n * 8)
  const checks = new Uint32Array(n * 2)
  const seeds = new Uint32Array(n)
  const sketch = new Uint32Array(n)
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
  }
  let map: Map<string, number> | undefined
  const rowOf = (h: string): number | undefined => {
    if (map === undefined) {
      map = new Map()
      for (let r = 0; r < n; r++) map.set(hex(ids[r]), r)
    }
    return map.get(h)
  }
  let sorted: Uint8Array[] | undefined
  let setDigest: Uint8Array | undefined
  const sortedIds = (): Uint8Array[] => {
    sorted ??= [...ids].sort(compareIds)
    return sorted
  }
  const digest = (): Uint8Array => {
    if (setDigest === undefined) {
      sorted = sortedIds()
      for (let i = 1; i < sorted.length; i++) {
        if (compareIds(sorted[i - 1], sorted[i]) === 0) {
          throw new C5Error('SYNC_MALFORMED', 'duplicate id in a set', { details: { id: hex(sorted[i]) } })
        }
      }
      setDigest = digestSorted(sorted)
    }
    return setDigest
  }
  return { size: n, words, checks, seeds, sketch, ids, rowOf, digest, sorted: sortedIds }
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
