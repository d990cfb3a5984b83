/**
 * The radio frame codec (docs/protocol/links.md §7.4): what one KISS data frame carries.
 * Pure; every length is checked before use and every bad frame is RADIO_MALFORMED.
 *
 *   DATA    = 0x10 src:2 stream:1 seq:2 flags:1 [dst:2 if F] payload
 *   DATA-P  = 0x11 … as DATA … payload 00* pad-count:1      (frames padded to 15 bytes)
 *   NACK    = 0x12 src:2 target:2 stream:1 n:1 n×(seq:2 run-1:1) 00*
 *   STATUS  = 0x13 src:2 stream:1 next:2 oldest:2 00*
 *
 * flags = lane (bits 0–2) | F first fragment (bit 3) | L last fragment (bit 4)
 *       | Z compressed (bit 5, F only) | kind (bits 6–7, F only)
 */
import { C5Error } from '../../errors.js'
import {
  DATA_HEADER_BYTES, DST_BYTES, LANES, MAX_NACK_RANGES, MAX_NACK_RUN, MIN_FRAME_BYTES, RADIO_FRAME_VERSION,
  SEQ_MODULO, TYPE_DATA, TYPE_DATA_PADDED, TYPE_NACK, TYPE_STATUS
} from './constants.js'

export interface DataFrame {
  type: 'data'
  src: number
  stream: number
  seq: number
  lane: number
  first: boolean
  last: boolean
  /** First fragment only: the packet's payload is DEFLATE-compressed. */
  compressed: boolean
  /** First fragment only: KIND_*. */
  kind: number
  /** First fragment only: destination tag (BROADCAST_TAG: everyone). */
  dst?: number
  payload: Uint8Array
}

export interface NackFrame {
  type: 'nack'
  src: number
  /** The station whose frames are missing. */
  target: number
  stream: number
  /** [first seq, count] pairs, count 1 … MAX_NACK_RUN. */
  ranges: Array<[number, number]>
}

export interface StatusFrame {
  type: 'status'
  src: number
  stream: number
  /** The seq the next new frame will carry. */
  next: number
  /** The oldest seq still held for retransmission. */
  oldest: number
}

export type RadioFrame = DataFrame | NackFrame | StatusFrame

const malformed = (why: string): never => { throw new C5Error('RADIO_MALFORMED', `radio frame: ${why}`) }

/** a − b in serial-number arithmetic (RFC 1982) on 16 bits: in [−32768, 32767]. */
export function seqDiff (a: number, b: number): number {
  return ((a - b + SEQ_MODULO + SEQ_MODULO / 2) % SEQ_MODULO) - SEQ_MODULO / 2
}

export const seqAdd = (a: number, n: number): number => ((a + n) % SEQ_MODULO + SEQ_MODULO) % SEQ_MODULO

/** Header bytes of a DATA frame (first fragments carry the destination too). */
export const dataHeaderBytes = (first: boolean): number => DATA_HEADER_BYTES + (first ? DST_BYTES : 0)

function u16 (v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new C5Error('RADIO_MALFORMED', `${what} must be a 16-bit integer`)
  return v
}

export function encodeRadioFrame (f: RadioFrame): Uint8Array {
  switch (f.type) {
    case 'data': return encodeData(f)
    case 'nack': {
      if (f.ranges.length < 1 || f.ranges.length > MAX_NACK_RANGES) malformed(`NACK needs 1–${MAX_NACK_RANGES} ranges`)
      const out = new Uint8Array(Math.max(MIN_FRAME_BYTES, 7 + 3 * f.ranges.length))
      out[0] = (RADIO_FRAME_VERSION << 4) | TYPE_NACK
      put16(out, 1, u16(f.src, 'src'))
      put16(out, 3, u16(f.target, 'target'))
      out[5] = f.stream & 0xff
      out[6] = f.ranges.length
      let o = 7
      for (const [seq, count] of f.ranges) {
        if (!Number.isInteger(count) || count < 1 || count > MAX_NACK_RUN) malformed(`NACK run must be 1–${MAX_NACK_RUN}`)
        put16(out, o, u16(seq, 'seq'))
        out[o + 2] = count - 1
        o += 3
      }
      return out
    }
    case 'status': {
      const out = new Uint8Array(MIN_FRAME_BYTES)
      out[0] = (RADIO_FRAME_VERSION << 4) | TYPE_STATUS
      put16(out, 1, u16(f.src, 'src'))
      out[3] = f.stream & 0xff
      put16(out, 4, u16(f.next, 'next'))
      put16(out, 6, u16(f.oldest, 'oldest'))
      return out
    }
  }
}

function encodeData (f: DataFrame): Uint8Array {
  if (!Number.isInteger(f.lane) || f.lane < 0 || f.lane >= LANES) malformed('lane out of range')
  if (!f.first && (f.compressed || f.kind !== 0 || f.dst !== undefined)) malformed('only a first fragment carries kind, Z and dst')
  if (!Number.isInteger(f.kind) || f.kind < 0 || f.kind > 3) malformed('kind out of range')
  const header = dataHeaderBytes(f.first)
  const bare = header + f.payload.length
  const padded = bare < MIN_FRAME_BYTES
  const out = new Uint8Array(padded ? MIN_FRAME_BYTES : bare)
  out[0] = (RADIO_FRAME_VERSION << 4) | (padded ? TYPE_DATA_PADDED : TYPE_DATA)
  put16(out, 1, u16(f.src, 'src'))
  out[3] = f.stream & 0xff
  put16(out, 4, u16(f.seq, 'seq'))
  out[6] = f.lane | (f.first ? 0x08 : 0) | (f.last ? 0x10 : 0) | (f.compressed ? 0x20 : 0) | (f.kind << 6)
  if (f.first) put16(out, 7, u16(f.dst ?? 0, 'dst'))
  out.set(f.payload, header)
  if (padded) out[out.length - 1] = MIN_FRAME_BYTES - bare
  return out
}

export function decodeRadioFrame (b: Uint8Array): RadioFrame {
  if (b.length < MIN_FRAME_BYTES) malformed(`${b.length} bytes, under ${MIN_FRAME_BYTES}`)
  if (b[0] >> 4 !== RADIO_FRAME_VERSION) malformed(`version ${b[0] >> 4}`)
  const type = b[0] & 0x0f
  switch (type) {
    case TYPE_DATA:
    case TYPE_DATA_PADDED: return decodeData(b, type === TYPE_DATA_PADDED)
    case TYPE_NACK: {
      const n = b[6]
      if (n < 1 || n > MAX_NACK_RANGES) malformed(`NACK with ${n} ranges`)
      const end = 7 + 3 * n
      if (b.length < end) malformed('NACK truncated')
      zeros(b, end, b.length)
      const ranges: Array<[number, number]> = []
      for (let o = 7; o < end; o += 3) ranges.push([get16(b, o), b[o + 2] + 1])
      return { type: 'nack', src: get16(b, 1), target: get16(b, 3), stream: b[5], ranges }
    }
    case TYPE_STATUS:
      zeros(b, 8, b.length)
      return { type: 'status', src: get16(b, 1), stream: b[3], next: get16(b, 4), oldest: get16(b, 6) }
    default: return malformed(`unknown type ${type}`)
  }
}

function decodeData (b: Uint8Array, padded: boolean): DataFrame {
  const flags = b[6]
  const lane = flags & 0x07
  const first = (flags & 0x08) !== 0
  if (lane >= LANES) malformed(`lane ${lane}`)
  if (!first && (flags & 0xe0) !== 0) malformed('kind or Z set on a later fragment')
  const header = dataHeaderBytes(first)
  let end = b.length
  if (padded) {
    const pad = b[b.length - 1]
    if (pad < 1 || b.length - pad < header) malformed(`bad pad count ${pad}`)
    end = b.length - pad
    zeros(b, end, b.length - 1)
    // A padded frame is exactly MIN_FRAME_BYTES: padding only ever fills up to it.
    if (b.length !== MIN_FRAME_BYTES) malformed('padding on a frame that needs none')
  }
  if (end < header) malformed('truncated header')
  return {
    type: 'data',
    src: get16(b, 1),
    stream: b[3],
    seq: get16(b, 4),
    lane,
    first,
    last: (flags & 0x10) !== 0,
    compressed: (flags & 0x20) !== 0,
    kind: first ? flags >> 6 : 0,
    ...(first ? { dst: get16(b, 7) } : {}),
    payload: b.slice(header, end)
  }
}

function zeros (b: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) if (b[i] !== 0) malformed('non-zero padding')
}
function put16 (b: Uint8Array, o: number, v: number): void { b[o] = v >> 8; b[o + 1] = v & 0xff }
function get16 (b: Uint8Array, o: number): number { return (b[o] << 8) | b[o + 1] }
