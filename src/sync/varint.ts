/**
 * Unsigned LEB128 varints, safe for every integer up to 2^53 − 1 (millisecond timestamps,
 * roster versions). 32-bit bit operators are never used: they corrupt values above 2^31
 * (docs/protocol/sync.md §1 "Varints"). Decoding refuses non-minimal encodings so one value
 * has exactly one encoding.
 */
import { C5Error } from '../errors.js'
import { MAX_VARINT_BYTES } from './constants.js'

function checkValue (value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new C5Error('SYNC_MALFORMED', 'a varint must be a non-negative safe integer', { details: { value } })
  }
}

export function varintLength (value: number): number {
  checkValue(value)
  let n = 1
  while (value >= 128) { value = Math.floor(value / 128); n++ }
  return n
}

/** Writes `value` at `offset`; returns the offset after it. The caller sized `out`. */
export function writeVarint (out: Uint8Array, offset: number, value: number): number {
  checkValue(value)
  while (value >= 128) {
    out[offset++] = (value % 128) | 0x80
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

/** Reads a varint at `offset`: [value, offset after it]. Throws SYNC_MALFORMED. */
export function readVarint (bytes: Uint8Array, offset: number): [number, number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (offset + i >= bytes.length) throw new C5Error('SYNC_MALFORMED', 'truncated varint')
    const b = bytes[offset + i]
    value += (b & 0x7f) * scale
    if (value > Number.MAX_SAFE_INTEGER) throw new C5Error('SYNC_MALFORMED', 'varint above 2^53 - 1')
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) throw new C5Error('SYNC_MALFORMED', 'non-minimal varint')
      return [value, offset + i + 1]
    }
    scale *= 128
  }
  throw new C5Error('SYNC_MALFORMED', `varint longer than ${MAX_VARINT_BYTES} bytes`)
}
