/**
 * The decoder of the signed part: one iterative pass over the CBOR that checks and builds.
 *
 * Why not cborg (under @ipld/dag-cbor): it has no depth or size options. Its decoder
 * recurses once per nesting level (a few thousand nested arrays overflow the stack) and
 * trusts declared counts. This walk is iterative, with a stack bounded by `maxDepth`, and
 * checks each declared length and count against the limits AND against the bytes that
 * remain before building anything, so nothing larger than the input is ever allocated.
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

type Slice = (this: Uint8Array, start: number, end: number) => string
// Buffer.prototype.utf8Slice decodes straight from any Uint8Array (no Buffer view per text);
// it is not in Node's documentation, so a documented path stands in should it go away.
const utf8Slice: Slice = (Buffer.prototype as { utf8Slice?: Slice }).utf8Slice ??
  function (this: Uint8Array, start: number, end: number): string { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('utf8', start, end) }
const MAX_SAFE = Number.MAX_SAFE_INTEGER

/**
 * Checks that `buf[0..end)` is exactly one CBOR item of the envelope subset within
 * `limits`, and returns it decoded: arrays, numbers (bigint beyond 2^53, as DAG-CBOR
 * decoders give), strings, null, and byte strings as VIEWS of `buf` (fromWire copies every
 * byte string it keeps). Throws C5Error.
 *
 * Why by hand: this walk has to exist anyway (the limits must be checked before anything
 * is built, which cborg cannot do), and building the values in the same pass halves the
 * decoding time and allocations of the ingest path. A differential property test
 * (test/envelope/subset-decode.test.ts) holds it equal to @ipld/dag-cbor's decode.
 */
export function decodeSignedPart (buf: Uint8Array, end: number, limits: EnvelopeLimits): unknown {
  // The arrays being filled (ancestors of the next item) and how many items each still needs.
  const open: unknown[][] = []
  const counts: number[] = []
  let root: unknown
  let pos = 0
  for (;;) {
    let top = open.length - 1
    while (top >= 0 && counts[top] === 0) { open.pop(); counts.pop(); top-- }
    if (top < 0 && pos > 0) break // the one top-level item is complete
    if (pos >= end) fail('ENVELOPE_MALFORMED', 'signed part ends inside an item', pos)
    const start = pos
    const ib = buf[pos++]
    const major = ib >> 5
    const ai = ib & 31
    let val: number
    let big: bigint | undefined // the exact argument when it does not fit a double
    if (ai < 24) {
      val = ai
    } else if (ai <= 27) {
      const n = 1 << (ai - 24) // 1, 2, 4 or 8 argument bytes
      if (n > end - pos) fail('ENVELOPE_MALFORMED', 'truncated CBOR header', start)
      if (n === 8) {
        const hi = (buf[pos] * 2 ** 24) + (buf[pos + 1] << 16 | buf[pos + 2] << 8 | buf[pos + 3])
        const lo = (buf[pos + 4] * 2 ** 24) + (buf[pos + 5] << 16 | buf[pos + 6] << 8 | buf[pos + 7])
        if (hi === 0) fail('ENVELOPE_NOT_CANONICAL', 'non-minimal CBOR argument', start)
        // Approximate above 2^53, which only matters for comparisons with small limits;
        // integer values keep the exact bigint.
        val = hi * TWO_POW_32 + lo
        if (val > MAX_SAFE) big = (BigInt(hi) << 32n) | BigInt(lo)
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
    let value: unknown
    let array: unknown[] | undefined
    switch (major) {
      case MAJOR_UINT:
        value = big ?? val
        break
      case MAJOR_NEGINT:
        value = big !== undefined ? -1n - big : val >= MAX_SAFE ? -1n - BigInt(val) : -1 - val
        break
      case MAJOR_BYTES:
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'byte string longer than the remaining bytes', start)
        value = buf.subarray(pos, pos + val)
        pos += val
        break
      case MAJOR_TEXT:
        if (val > limits.maxStringBytes) fail('ENVELOPE_LIMIT_EXCEEDED', 'text string too long', start, { limit: 'maxStringBytes' })
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'text string longer than the remaining bytes', start)
        if (!isUtf8Range(buf, pos, pos + val)) fail('ENVELOPE_BAD_FIELD', 'text string is not valid UTF-8', start)
        // A leading U+FEFF would be dropped by common decoders (TextDecoder strips a BOM),
        // so the bytes would not be the one encoding of the text (codec.ts sameWireValue).
        if (val >= 3 && buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf) fail('ENVELOPE_NOT_CANONICAL', 'text string starts with a byte-order mark', start)
        value = utf8Slice.call(buf, pos, pos + val)
        pos += val
        break
      case MAJOR_ARRAY:
        if (val > limits.maxItems) fail('ENVELOPE_LIMIT_EXCEEDED', 'array has too many items', start, { limit: 'maxItems' })
        // Every item takes at least one byte: a count beyond the remaining bytes is a lie.
        if (val > end - pos) fail('ENVELOPE_MALFORMED', 'array count exceeds the remaining bytes', start)
        if (open.length + 1 > limits.maxDepth) fail('ENVELOPE_LIMIT_EXCEEDED', 'arrays nested too deeply', start, { limit: 'maxDepth' })
        array = []
        value = array
        break
      case MAJOR_SIMPLE:
        if (ai !== SIMPLE_NULL) fail('ENVELOPE_MALFORMED', 'only null is allowed among CBOR simple values and floats', start)
        value = null
        break
      default: // maps (5) and tags (6) are not part of the envelope grammar
        fail('ENVELOPE_MALFORMED', `CBOR major type ${major} is not allowed in an envelope`, start)
    }
    if (top >= 0) {
      open[top].push(value)
      counts[top]--
    } else {
      root = value
    }
    if (array !== undefined) { open.push(array); counts.push(val) }
  }
  if (pos !== end) fail('ENVELOPE_MALFORMED', 'trailing bytes after the signed part', pos)
  return root
}

/** Whether buf[from..to) is valid UTF-8: ASCII checked here, the rest by node:buffer. */
function isUtf8Range (buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] >= 0x80) return isUtf8(buf.subarray(from, to))
  return true
}
