/**
 * The unsigned LEB128 varint that prefixes every frame on a stream link
 * (docs/protocol/links.md §3). Frame lengths are far below 2^53, so plain numbers are safe;
 * the decoder is incremental (bytes arrive in arbitrary chunks) and refuses a prefix longer
 * than the limit needs, so an attacker cannot make it buffer or loop.
 */

/** Bytes needed to encode n as an unsigned varint. */
export function varintLength (n: number): number {
  let len = 1
  while (n >= 0x80) { n = Math.floor(n / 0x80); len++ }
  return len
}

export function encodeVarint (n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint out of range: ${n}`)
  const out = new Uint8Array(varintLength(n))
  let i = 0
  while (n >= 0x80) {
    out[i++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  out[i] = n
  return out
}

/** Incremental varint reader: feed bytes one at a time until it returns a value. */
export class VarintReader {
  #value = 0
  #scale = 1
  #bytes = 0
  readonly #maxBytes: number

  constructor (maxBytes: number) { this.#maxBytes = maxBytes }

  /** True while part of a varint has been read. */
  get partial (): boolean { return this.#bytes > 0 }

  /**
   * Feeds one byte. Returns the value when complete, undefined when more bytes are needed,
   * or -1 when the prefix runs past maxBytes (the caller refuses the frame).
   */
  push (byte: number): number | undefined {
    this.#value += (byte & 0x7f) * this.#scale
    this.#scale *= 0x80
    this.#bytes++
    if ((byte & 0x80) === 0) {
      const v = this.#value
      this.#value = 0
      this.#scale = 1
      this.#bytes = 0
      return v
    }
    return this.#bytes >= this.#maxBytes ? -1 : undefined
  }
}
