/**
 * A structural pre-scan of CBOR headers before decoding (docs/protocol/roster.md §Limits).
 *
 * Why: cborg (under @ipld/dag-cbor) recurses once per nesting level and has no depth
 * option, so a few thousand nested arrays overflow the stack. This walk is iterative,
 * allocates only a stack bounded by MAX_CBOR_DEPTH, and checks that every declared length
 * fits in the bytes that remain, so the real decode cannot recurse deep or read past the end.
 * Tags and indefinite lengths are refused here (the roster grammar uses neither).
 */
import { MAX_CBOR_DEPTH } from './constants.js'
import { malformed } from './schema.js'

const MAJOR_BYTES = 2
const MAJOR_TEXT = 3
const MAJOR_ARRAY = 4
const MAJOR_MAP = 5
const MAJOR_TAG = 6
const MAJOR_SIMPLE = 7

export function prescanCbor (buf: Uint8Array, path: string): void {
  const fail = (why: string, offset: number): never => { throw malformed(path, `well-formed CBOR (${why} at byte ${offset})`) }
  const counts: number[] = [1] // items still to read in each open container; [0] is the top level
  let pos = 0
  while (counts.length > 0) {
    const top = counts.length - 1
    if (counts[top] === 0) { counts.pop(); continue }
    counts[top]--
    if (pos >= buf.length) fail('truncated', pos)
    const start = pos
    const major = buf[pos] >> 5
    const info = buf[pos] & 0x1f
    pos++
    let value: number
    if (info < 24) {
      value = info
    } else if (info <= 27) {
      const n = 1 << (info - 24) // 1, 2, 4 or 8 bytes
      if (pos + n > buf.length) fail('truncated header', start)
      value = 0
      for (let i = 0; i < n; i++) value = value * 256 + buf[pos + i] // exact up to 2^53; larger only overstates
      pos += n
    } else {
      value = fail(info === 31 ? 'indefinite length' : 'reserved header', start)
    }
    if (major === MAJOR_SIMPLE && info === 24) continue // one-byte simple value: already skipped
    if (major === MAJOR_BYTES || major === MAJOR_TEXT) {
      if (value > buf.length - pos) fail('string longer than the input', start)
      pos += value
    } else if (major === MAJOR_ARRAY || major === MAJOR_MAP) {
      const items = major === MAJOR_MAP ? value * 2 : value
      // Every item takes at least one byte: a count beyond the rest of the input is a lie.
      if (items > buf.length - pos) fail('more items than bytes', start)
      if (items > 0) {
        if (counts.length >= MAX_CBOR_DEPTH) fail(`nesting deeper than ${MAX_CBOR_DEPTH}`, start)
        counts.push(items)
      }
    } else if (major === MAJOR_TAG) {
      fail('tag', start)
    }
  }
  if (pos !== buf.length) fail('trailing bytes', pos)
}
