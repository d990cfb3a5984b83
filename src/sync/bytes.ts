/**
 * Bounds-checked byte reader and a growable writer for the frame codec. Every read checks
 * the bytes present first, so a hostile length can never cause an allocation.
 */
import { C5Error } from '../errors.js'
import { encodeVarint, readVarint } from './varint.js'

export class ByteReader {
  constructor (private readonly bytes: Uint8Array, private offset = 0) {}

  remaining (): number { return this.bytes.length - this.offset }

  u8 (): number {
    if (this.remaining() < 1) throw new C5Error('SYNC_MALFORMED', 'truncated frame')
    return this.bytes[this.offset++]
  }

  varint (): number {
    const [value, next] = readVarint(this.bytes, this.offset)
    this.offset = next
    return value
  }

  /** A copy of the next `n` bytes (kept beyond the frame's life: ids, keys). */
  copy (n: number): Uint8Array {
    return this.view(n).slice()
  }

  /** A view of the next `n` bytes. */
  view (n: number): Uint8Array {
    if (n > this.remaining()) throw new C5Error('SYNC_MALFORMED', 'truncated frame')
    const out = this.bytes.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  /** A view of everything left. */
  rest (): Uint8Array { return this.view(this.remaining()) }

  utf8 (n: number): string {
    const b = this.view(n)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b)
    } catch (cause) {
      throw new C5Error('SYNC_MALFORMED', 'invalid UTF-8', { cause })
    }
  }
}

export class ByteWriter {
  private readonly parts: Uint8Array[] = []
  private length = 0

  u8 (v: number): void { this.push(Uint8Array.of(v)) }

  varint (v: number): void {
    this.push(encodeVarint(v))
  }

  bytes (b: Uint8Array): void { this.push(b) }

  finish (): Uint8Array {
    const out = new Uint8Array(this.length)
    let o = 0
    for (const p of this.parts) { out.set(p, o); o += p.length }
    return out
  }

  private push (b: Uint8Array): void { this.parts.push(b); this.length += b.length }
}
