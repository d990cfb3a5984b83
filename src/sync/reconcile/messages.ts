/**
 * Wire codec of the reconciliation messages (docs/protocol/reconcile.md §Messages). Every
 * message is `version type body`; every length is checked against the bytes present
 * before anything is allocated, and trailing bytes are refused.
 */
import { C5Error } from '../../errors.js'
import {
  ID_BYTES, MSG_DONE, MSG_HELLO, MSG_LIST, MSG_LIST_REQUEST, MSG_MORE, MSG_SKETCH, MSG_SYMBOLS,
  RECONCILE_VERSION, SET_DIGEST_BYTES, SKETCH_MAX_CELLS, SKETCH_MAX_LEVELS, SYMBOL_BYTES
} from './constants.js'
import { readVarint, varintLength, writeVarint } from '../varint.js'

export type Message =
  | { type: 'hello', size: number, digest: Uint8Array }
  | { type: 'sketch', size: number, digest: Uint8Array, levels: number, buckets: number, cells: Uint8Array }
  /** `bytes`/`offset`: where the `count` symbols lie (not copied here). */
  | { type: 'symbols', start: number, count: number, bytes: Uint8Array, offset: number }
  | { type: 'more', total: number }
  | { type: 'list', ids: Uint8Array[] }
  | { type: 'list-request' }
  | { type: 'done' }

export interface CodecLimits {
  maxSymbols: number
  maxItems: number
  /** Largest message accepted (unset: no cap beyond the counts). */
  maxMessageBytes?: number
}

function malformed (reason: string, details?: Record<string, unknown>): C5Error {
  return new C5Error('SYNC_MALFORMED', `reconcile message: ${reason}`, { details: { reason, ...details } })
}

class Writer {
  readonly out: Uint8Array
  pos = 2
  constructor (type: number, bodyBytes: number) {
    this.out = new Uint8Array(2 + bodyBytes)
    this.out[0] = RECONCILE_VERSION
    this.out[1] = type
  }

  varint (v: number): this { this.pos = writeVarint(this.out, this.pos, v); return this }
  bytes (b: Uint8Array): this { this.out.set(b, this.pos); this.pos += b.length; return this }
}

export function encodeHello (size: number, digest: Uint8Array): Uint8Array {
  return new Writer(MSG_HELLO, varintLength(size) + SET_DIGEST_BYTES).varint(size).bytes(digest).out
}

export function encodeSketch (size: number, digest: Uint8Array, levels: number, buckets: number, cells: Uint8Array): Uint8Array {
  const body = varintLength(size) + SET_DIGEST_BYTES + varintLength(levels) + varintLength(buckets) + cells.length
  return new Writer(MSG_SKETCH, body).varint(size).bytes(digest).varint(levels).varint(buckets).bytes(cells).out
}

/** `fill(out, offset)` writes the `count` symbols at `offset`. */
export function encodeSymbols (start: number, count: number, fill: (out: Uint8Array, offset: number) => void): Uint8Array {
  const w = new Writer(MSG_SYMBOLS, varintLength(start) + varintLength(count) + count * SYMBOL_BYTES).varint(start).varint(count)
  fill(w.out, w.pos)
  return w.out
}

export function encodeMore (total: number): Uint8Array {
  return new Writer(MSG_MORE, varintLength(total)).varint(total).out
}

export function encodeList (ids: Uint8Array[]): Uint8Array {
  const w = new Writer(MSG_LIST, varintLength(ids.length) + ids.length * ID_BYTES).varint(ids.length)
  for (const id of ids) w.bytes(id)
  return w.out
}

export function encodeListRequest (): Uint8Array { return new Writer(MSG_LIST_REQUEST, 0).out }
export function encodeDone (): Uint8Array { return new Writer(MSG_DONE, 0).out }

/** Decodes one message. Throws SYNC_MALFORMED, or SYNC_LIMIT_EXCEEDED past `limits`. */
export function decodeMessage (bytes: Uint8Array, limits: CodecLimits): Message {
  if (!(bytes instanceof Uint8Array)) throw malformed('not bytes')
  if (bytes.length < 2) throw malformed('truncated header')
  if (limits.maxMessageBytes !== undefined && bytes.length > limits.maxMessageBytes) throw limit('bytes', bytes.length, limits.maxMessageBytes)
  if (bytes[0] !== RECONCILE_VERSION) throw malformed('unknown version', { version: bytes[0] })
  let pos = 2
  const varint = (): number => { const [v, next] = readVarint(bytes, pos); pos = next; return v }
  const take = (n: number): Uint8Array => {
    if (bytes.length - pos < n) throw malformed('truncated body')
    const out = bytes.slice(pos, pos + n)
    pos += n
    return out
  }
  const end = <T>(m: T): T => {
    if (pos !== bytes.length) throw malformed('trailing bytes')
    return m
  }
  switch (bytes[1]) {
    case MSG_HELLO: {
      const size = varint()
      if (size > limits.maxItems) throw limit('items', size, limits.maxItems)
      return end({ type: 'hello', size, digest: take(SET_DIGEST_BYTES) })
    }
    case MSG_SKETCH: {
      const size = varint()
      if (size > limits.maxItems) throw limit('items', size, limits.maxItems)
      const digest = take(SET_DIGEST_BYTES)
      const levels = varint()
      const buckets = varint()
      if (levels < 1 || buckets < 1 || levels > SKETCH_MAX_LEVELS || levels * buckets > SKETCH_MAX_CELLS) {
        throw malformed('sketch shape', { levels, buckets })
      }
      return end({ type: 'sketch', size, digest, levels, buckets, cells: take(Math.ceil(levels * buckets / 2)) })
    }
    case MSG_SYMBOLS: {
      const start = varint()
      const count = varint()
      if (count < 1) throw malformed('empty symbol batch')
      if (start + count > limits.maxSymbols) throw limit('symbols', start + count, limits.maxSymbols)
      if (bytes.length - pos !== count * SYMBOL_BYTES) throw malformed('symbol batch length', { count })
      return { type: 'symbols', start, count, bytes, offset: pos }
    }
    case MSG_MORE: {
      const total = varint()
      if (total > limits.maxSymbols) throw limit('symbols', total, limits.maxSymbols)
      return end({ type: 'more', total })
    }
    case MSG_LIST: {
      const count = varint()
      if (count > limits.maxItems) throw limit('items', count, limits.maxItems)
      if (bytes.length - pos !== count * ID_BYTES) throw malformed('list length', { count })
      const ids: Uint8Array[] = []
      for (let i = 0; i < count; i++) ids.push(take(ID_BYTES))
      return end({ type: 'list', ids })
    }
    case MSG_LIST_REQUEST: return end({ type: 'list-request' })
    case MSG_DONE: return end({ type: 'done' })
    default: throw malformed('unknown type', { type: bytes[1] })
  }
}

function limit (what: string, value: number, max: number): C5Error {
  return new C5Error('SYNC_LIMIT_EXCEEDED', `reconcile message: too many ${what}`, { details: { what, value, max } })
}
