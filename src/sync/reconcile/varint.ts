/**
 * Unsigned LEB128 varints safe up to 2^53 − 1 (docs/protocol/reconcile.md §Varints).
 * Arithmetic uses division, never 32-bit bit operators, which would corrupt values above
 * 2^31 (millisecond timestamps). Decoding refuses non-minimal encodings and values above
 * Number.MAX_SAFE_INTEGER, so a value has exactly one encoding.
 */
import { C5Error } from '../../errors.js'
import { MAX_VARINT_BYTES } from './constants.js'

function check (value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new C5Error('SYNC_MALFORMED', 'a varint must be a non-negative safe integer', { details: { value } })
  }
}

export function varintLength (value: number): number {
  check(value)
  let n = 1
  while (value >= 128) { value = Math.floor(value / 128); n++ }
  return n
}

/** Writes `value` at `offset` of `out` (sized by the caller); returns the next offset. */
export function writeVarint (out: Uint8Array, offset: number, value: number): number {
  check(value)
  while (value >= 128) {
    out[offset++] = (value % 128) + 128
    value = Math.floor(value / 128)
  }
  out[offset++] = value
  return offset
}

export function encodeVarint (value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value))
  writeVarint(out, 0, value)
  return out
}

/** Reads a varint at `offset`: [value, next offset]. Throws SYNC_MALFORMED. */
export function readVarint (bytes: Uint8Array, offset: number): [number, number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= bytes.length) throw new C5Error('SYNC_MALFORMED', 'truncated varint')
    const b = bytes[offset + i]
    value += (b % 128) * scale
    if (value > Number.MAX_SAFE_INTEGER) throw new C5Error('SYNC_MALFORMED', 'varint above 2^53 - 1')
    if (b < 128) {
      if (b === 0 && i > 0) throw new C5Error('SYNC_MALFORMED', 'non-minimal varint')
      return [value, offset + i + 1]
    }
    scale *= 128
  }
  throw new C5Error('SYNC_MALFORMED', `varint longer than ${MAX_VARINT_BYTES} bytes`)
}
