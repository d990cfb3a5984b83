/**
 * Coded symbols of a Rateless IBLT (docs/protocol/reconcile.md §Symbols). A symbol holds
 * the XOR of the ids mapped to it (8 words) and the XOR of their checksums (2 words). The
 * encoder extends its prefix of symbols on demand: each item remembers the next index of
 * its sequence, so growing from m to m' symbols costs only the new mappings.
 */
import { ID_BYTES, SYMBOL_BYTES } from './constants.js'
import { idWords, nextIndex, nextState } from './hash.js'
import type { ItemTable } from './items.js'

/** Words per symbol: 8 for the id XOR, 2 for the checksum XOR. */
export const SYMBOL_WORDS = 10

export class SymbolArray {
  words: Uint32Array
  length = 0

  constructor (capacity = 16) {
    this.words = new Uint32Array(Math.max(1, capacity) * SYMBOL_WORDS)
  }

  /** Grows to `m` symbols (new ones zero). */
  resize (m: number): void {
    if (m * SYMBOL_WORDS > this.words.length) {
      const next = new Uint32Array(Math.max(m, 2 * this.length) * SYMBOL_WORDS)
      next.set(this.words.subarray(0, this.length * SYMBOL_WORDS))
      this.words = next
    }
    this.length = Math.max(this.length, m)
  }

  /** True when every word of symbol `i` is zero. */
  isZero (i: number): boolean {
    const w = this.words
    const o = i * SYMBOL_WORDS
    for (let k = 0; k < SYMBOL_WORDS; k++) if (w[o + k] !== 0) return false
    return true
  }

  /** Serialises symbols [from, to) as 32 id bytes + 8 checksum bytes (little-endian). */
  encode (from: number, to: number, out: Uint8Array, offset: number): void {
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
    for (let i = from; i < to; i++) {
      const o = i * SYMBOL_WORDS
      const at = offset + (i - from) * SYMBOL_BYTES
      for (let k = 0; k < SYMBOL_WORDS; k++) view.setUint32(at + 4 * k, this.words[o + k], true)
    }
  }

  /** Appends `count` symbols read from `bytes` at `offset` (length checked by the caller). */
  append (bytes: Uint8Array, offset: number, count: number): void {
    const start = this.length
    this.resize(start + count)
    for (let i = 0; i < count; i++) {
      const at = offset + i * SYMBOL_BYTES
      idWords(bytes, at, this.words, (start + i) * SYMBOL_WORDS)
      const v = new DataView(bytes.buffer, bytes.byteOffset + at + ID_BYTES, 8)
      this.words[(start + i) * SYMBOL_WORDS + 8] = v.getUint32(0, true)
      this.words[(start + i) * SYMBOL_WORDS + 9] = v.getUint32(4, true)
    }
  }
}

/** XORs an item (8 id words at `w[wAt..]`, 2 checksum words at `c[cAt..]`) into symbol `i`. */
export function xorInto (s: Uint32Array, i: number, w: Uint32Array, wAt: number, c: Uint32Array, cAt: number): void {
  const o = i * SYMBOL_WORDS
  for (let k = 0; k < 8; k++) s[o + k] ^= w[wAt + k]
  s[o + 8] ^= c[cAt]
  s[o + 9] ^= c[cAt + 1]
}

/** The encoder of one side's set: a growing prefix of its coded symbols. */
export class SymbolEncoder {
  readonly symbols = new SymbolArray()
  private readonly next: Float64Array
  private readonly state: Uint32Array

  constructor (private readonly table: ItemTable) {
    this.next = new Float64Array(table.size)
    this.state = Uint32Array.from(table.seeds)
  }

  get length (): number { return this.symbols.length }

  /** Makes sure the first `m` symbols are computed. */
  extend (m: number): void {
    if (m <= this.symbols.length) return
    this.symbols.resize(m)
    const s = this.symbols.words
    const { words, checks, size } = this.table
    const next = this.next
    const state = this.state
    for (let r = 0; r < size; r++) {
      let i = next[r]
      if (i >= m) continue
      let st = state[r]
      while (i < m) {
        xorInto(s, i, words, r * 8, checks, r * 2)
        st = nextState(st)
        i = nextIndex(i, st)
      }
      next[r] = i
      state[r] = st
    }
  }
}
