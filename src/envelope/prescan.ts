/**
 * A structural pre-scan of the signed part's CBOR headers, run before any decoding.
 *
 * Why: cborg (under @ipld/dag-cbor) has no depth or size options. Its decoder recurses once
 * per nesting level (a few thousand nested arrays overflow the stack) and trusts declared
 * counts. This scan walks the headers iteratively, allocating nothing but a small stack of
 * counters bounded by `maxDepth`, and checks each declared length and count against the
 * limits AND against the bytes that remain, so that the real decode afterwards cannot
 * recurse deeper than `maxDepth` nor build anything larger than the input.
 *
 * It also restricts the CBOR subset to what the envelope grammar uses
 * (docs/protocol/envelope.md §"CBOR subset"): unsigned and negative integers, byte strings,
 * text strings (valid UTF-8), definite-length arrays and null. Maps, tags, floats, booleans,
 * undefined and indefinite lengths are ENVELOPE_MALFORMED; non-minimal integer or length
 * encodings, and text that starts with a byte-order mark, are ENVELOPE_NOT_CANONICAL.
 * Together these make the encoding of every admitted value unique (codec.ts sameWireValue).
 */
import { isUtf8 } from 'node:buffer'
import { C5Error, type ErrorCode } from '../errors.js'
import type { EnvelopeLimits } from './limits.js'

const MAJOR_UINT = 0
const MAJOR_NEGINT = 1
const MAJOR_BYTES = 2
const MAJOR_TEXT = 3
const MAJOR_ARRAY = 4
const MAJOR_SIMPLE = 7
const SIMPLE_NULL = 22
const TWO_POW_32 = 2 ** 32

function fail (code: ErrorCode, message: string, offset: number, extra: Record<string, unknown> = {}): never {
  throw new C5Error(code, message, { details: { field: 'signedPart', offset, ...extra } })
}

/**
 * Checks that `buf[0..end)` is exactly one CBOR item of the envelope subset within
 * `limits`. Throws C5Error; returns nothing.
 */
export function prescanSignedPart (buf: Uint8Array, end: number, limits: EnvelopeLimits): void {
  // counts[i] = items still to read in the i-th open array; counts[0] is the top level.
  const counts: number[] = [1]
  let pos = 0
  while (counts.length > 0) {
    const top = counts.length - 1
    if (counts[top] === 0) { counts.pop(); continue }
    counts[top]--
    if (pos >= end) fail('ENVELOPE_MALFORMED', 'signed part ends inside an item', pos)
    const start = pos
    const ib = buf[pos++]
    const major = ib >> 5
    const ai = ib & 31
    let val: number
    if (ai < 24) {
      val = ai
    } else if (ai <= 27) {
      const n = 1 << (ai - 24) // 1, 2, 4 or 8 argument bytes
      if (n > end - pos) fail('ENVELOPE_MALFORMED', 'truncated CBOR header', start)
      if (n === 8) {
        const hi = (buf[pos] * 2 ** 24) + (buf[pos + 1] << 16 | buf[pos + 2] << 8 | buf[pos + 3])
        const lo = (buf[pos + 4] * 2 ** 24) + (buf[pos + 5] << 16 | buf[pos + 6] << 8 | buf[pos + 7])
        // Approximate above 2^53, which only matters for comparisons with small limits.
        val = hi * TWO_POW_32 + lo
        if (hi === 0) fail('ENVELOPE_NOT_CANONICAL', 'non-minimal CBOR argument', start)
      } else {
        val = 0
        for (let i = 0; i < n; i++) val = val * 256 + buf[pos + i]
        const min = n === 1 ? 24 : n === 2 ? 256 : 65536
        if (val < min) fail('ENVELOPE_NOT_CANONICAL', 'non-minimal CBOR argument', start)
      }
      pos += n
    } else {
      fail('ENVELOPE_MALFORMED', 'indefinite length or reserved CBOR header', start)
    }
    switch (major) {
      case MAJOR_UINT:
      case MAJOR_NEGINT:
        break
      case MAJOR_BYTES:
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'byte string longer than the remaining bytes', start)
        pos += val
        break
      case MAJOR_TEXT:
        if (val > limits.maxStringBytes) fail('ENVELOPE_LIMIT_EXCEEDED', 'text string too long', start, { limit: 'maxStringBytes' })
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'text string longer than the remaining bytes', start)
        if (!isUtf8(buf.subarray(pos, pos + val))) fail('ENVELOPE_BAD_FIELD', 'text string is not valid UTF-8', start)
        // A leading U+FEFF would be dropped by the decoder (TextDecoder strips a BOM), so
        // the bytes would not be the encoding of what was decoded.
        if (val >= 3 && buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) fail('ENVELOPE_NOT_CANONICAL', 'text string starts with a byte-order mark', start)
        pos += val
        break
      case MAJOR_ARRAY:
        if (val > limits.maxItems) fail('ENVELOPE_LIMIT_EXCEEDED', 'array has too many items', start, { limit: 'maxItems' })
        // Every item takes at least one byte: a count beyond the remaining bytes is a lie.
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'array count exceeds the remaining bytes', start)
        if (counts.length > limits.maxDepth) fail('ENVELOPE_LIMIT_EXCEEDED', 'arrays nested too deeply', start, { limit: 'maxDepth' })
        counts.push(val)
        break
      case MAJOR_SIMPLE:
        if (ai !== SIMPLE_NULL) fail('ENVELOPE_MALFORMED', 'only null is allowed among CBOR simple values and floats', start)
        break
      default: // maps (5) and tags (6) are not part of the envelope grammar
        fail('ENVELOPE_MALFORMED', `CBOR major type ${major} is not allowed in an envelope`, start)
    }
  }
  if (pos !== end) fail('ENVELOPE_MALFORMED', 'trailing bytes after the signed part', pos)
}
