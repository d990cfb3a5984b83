/**
 * Per-id hashes and the rateless index sequence (docs/protocol/reconcile.md §Symbol mapping).
 *
 * Ids are already sha2-256 digests; these hashes only need to be independent, fast and
 * exactly specified for a second implementation: MurmurHash3 x86_32 of the 32 id bytes
 * under four protocol seeds. Correctness never rests on them: a decoded result is accepted
 * only when the sha2-256 digest of the resulting set matches the peer's (§Verification).
 */

/** MurmurHash3 x86_32 seeds: checksum low/high word, index-sequence seed, sketch level. */
export const SEED_CHECK_LO = 0x63356d31
export const SEED_CHECK_HI = 0x72656331
export const SEED_INDEX = 0x69647831
export const SEED_SKETCH = 0x736b7431

/** Reads the 8 little-endian uint32 words of a 32-byte id at `offset` into `out[at..at+8)`. */
export function idWords (bytes: Uint8Array, offset: number, out: Uint32Array, at: number): void {
  for (let i = 0; i < 8; i++) {
    const o = offset + 4 * i
    out[at + i] = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0
  }
}

export function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** MurmurHash3 x86_32 of the 32 bytes held as 8 words at `words[at..at+8)`. */
export function murmur32 (words: Uint32Array, at: number, seed: number): number {
  let h = seed >>> 0
  for (let i = 0; i < 8; i++) {
    let k = Math.imul(words[at + i], 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  return fmix32(h ^ 32)
}

const TWO_POW_32 = 4294967296

/**
 * One step of the index sequence. Each item is in symbol 0; from index `i` its next index
 * is max(i + 1, ceil((i + 2) / sqrt(u) − 2)), u = (fmix32(state) + 1) / 2^32 ∈ (0, 1].
 * This makes P(item in symbol k) ≈ 1 / (1 + k/2), the density of Rateless IBLT (Yang et
 * al., SIGCOMM 2024): the survival function ((i+2)/(j+2))² has hazard 2/(j+2). All
 * operations are IEEE-754 double (sqrt, division, ceil are exactly rounded), so every
 * implementation computes the same indices.
 */
export function nextIndex (i: number, state: number): number {
  const u = (fmix32(state) + 1) / TWO_POW_32
  const j = Math.ceil((i + 2) / Math.sqrt(u) - 2)
  return j > i ? j : i + 1
}

/** The PRNG state after `state` (Weyl sequence step). */
export function nextState (state: number): number {
  return (state + 0x9e3779b9) >>> 0
}

/** True when the item whose index seed is `seed` maps to symbol `index`. */
export function mapsTo (seed: number, index: number): boolean {
  let i = 0
  let s = seed
  while (i < index) {
    s = nextState(s)
    i = nextIndex(i, s)
  }
  return i === index
}
