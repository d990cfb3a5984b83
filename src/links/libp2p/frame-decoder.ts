/**
 * Splits a byte stream into length-prefixed frames (docs/protocol/links.md §3). Pure: no
 * I/O. The length is checked against maxFrameBytes as soon as the prefix is complete and
 * BEFORE the frame's buffer is allocated, so an oversize prefix costs the reader nothing.
 * Only one partial frame is held at a time, so memory stays below maxFrameBytes + prefix.
 */
import { C5Error } from '../../errors.js'
import { VarintReader, varintLength } from './varint.js'

export class FrameDecoder {
  readonly maxFrameBytes: number
  readonly #length: VarintReader
  #frame: Uint8Array | undefined
  #filled = 0

  constructor (maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes
    this.#length = new VarintReader(varintLength(maxFrameBytes))
  }

  /** True when the bytes so far end inside a prefix or a frame (a close now would truncate). */
  get partial (): boolean { return this.#length.partial || this.#frame !== undefined }

  /**
   * Feeds one chunk; calls `onFrame` for each complete frame, in order.
   * Throws C5Error LINK_FRAME_TOO_LARGE when a prefix announces more than maxFrameBytes.
   */
  push (chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let i = 0
    while (i < chunk.byteLength) {
      if (this.#frame === undefined) {
        const len = this.#length.push(chunk[i++])
        if (len === undefined) continue
        if (len < 0 || len > this.maxFrameBytes) {
          throw new C5Error('LINK_FRAME_TOO_LARGE', `remote announced a frame longer than ${this.maxFrameBytes} bytes`, { details: { announced: len < 0 ? 'prefix too long' : len, maxFrameBytes: this.maxFrameBytes } })
        }
        if (len === 0) { onFrame(new Uint8Array(0)); continue }
        this.#frame = new Uint8Array(len)
        this.#filled = 0
        continue
      }
      const n = Math.min(this.#frame.byteLength - this.#filled, chunk.byteLength - i)
      this.#frame.set(chunk.subarray(i, i + n), this.#filled)
      this.#filled += n
      i += n
      if (this.#filled === this.#frame.byteLength) {
        const frame = this.#frame
        this.#frame = undefined
        onFrame(frame)
      }
    }
  }
}
