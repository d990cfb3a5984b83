/**
 * v1 on-disk key and value layouts (docs/protocol/store.md §"Keys" and §"Values").
 * Everything here is a pure function over bytes so the layout can be tested and
 * documented byte for byte. Timestamps are 8-byte big-endian unsigned milliseconds, so
 * byte order is time order and values above 2^32 are safe.
 */
import { C5Error } from '../errors.js'
import { DIGEST_BYTES, SOURCE_MAX_BYTES } from './constants.js'

export const TIME_BYTES = 8
const TWO_32 = 0x1_0000_0000
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

/** 8-byte big-endian ms. Only 0 … 2^53-1 (what a JS number holds exactly). */
export function writeTime (out: Uint8Array, offset: number, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new C5Error('STORE_INVALID_ARGUMENT', `time must be a non-negative safe integer, got ${ms}`)
  }
  // Byte by byte (no DataView per call: this runs ~6 times per stored message). `>>>`
  // works on uint32, and both halves are below 2^32.
  const hi = Math.floor(ms / TWO_32)
  const lo = ms % TWO_32
  out[offset] = hi >>> 24; out[offset + 1] = (hi >>> 16) & 0xff; out[offset + 2] = (hi >>> 8) & 0xff; out[offset + 3] = hi & 0xff
  out[offset + 4] = lo >>> 24; out[offset + 5] = (lo >>> 16) & 0xff; out[offset + 6] = (lo >>> 8) & 0xff; out[offset + 7] = lo & 0xff
}

export function readTime (bytes: Uint8Array, offset: number): number {
  if (!(offset >= 0 && offset + TIME_BYTES <= bytes.length)) throw new C5Error('STORE_CORRUPT', 'a stored time is shorter than 8 bytes')
  const hi = ((bytes[offset] << 24) >>> 0) + (bytes[offset + 1] << 16) + (bytes[offset + 2] << 8) + bytes[offset + 3]
  const lo = ((bytes[offset + 4] << 24) >>> 0) + (bytes[offset + 5] << 16) + (bytes[offset + 6] << 8) + bytes[offset + 7]
  return hi * TWO_32 + lo
}

export function timeBytes (ms: number): Uint8Array {
  const out = new Uint8Array(TIME_BYTES)
  writeTime(out, 0, ms)
  return out
}

/**
 * `head.length + n` bytes starting with `head`. With a head (a sublevel's root prefix: the
 * store's write path builds root keys at once) the bytes come from Node's shared pool, as
 * LevelDB copies keys into its batch; without, a plain Uint8Array of its own.
 */
function withHead (head: Uint8Array | undefined, n: number): Uint8Array {
  if (head === undefined) return new Uint8Array(n)
  const out = Buffer.allocUnsafe(head.length + n)
  out.set(head, 0)
  return out
}

/** time(8) || digest(32): idx-created, idx-expires, tomb-expires. */
export function timeDigestKey (ms: number, digest: Uint8Array, head?: Uint8Array): Uint8Array {
  const out = withHead(head, TIME_BYTES + DIGEST_BYTES)
  const o = out.length - TIME_BYTES - DIGEST_BYTES
  writeTime(out, o, ms)
  out.set(digest, o + TIME_BYTES)
  return out
}

/** head || bytes (a message's `msg` key under its root prefix). */
export function headed (bytes: Uint8Array, head: Uint8Array): Uint8Array {
  const out = withHead(head, bytes.length)
  out.set(bytes, head.length)
  return out
}

/** Keys and values read back from LevelDB are Buffers; the store hands out plain Uint8Arrays (copies). */

/** Splits a time(8) || digest(32) key (or the tail of a longer key). */
export function splitTimeDigest (key: Uint8Array): { time: number, digest: Uint8Array } {
  const start = key.length - TIME_BYTES - DIGEST_BYTES
  return { time: readTime(key, start), digest: new Uint8Array(key.subarray(start + TIME_BYTES)) }
}

/** The digest at the end of any index key. */
export function digestOfKey (key: Uint8Array): Uint8Array {
  return new Uint8Array(key.subarray(key.length - DIGEST_BYTES))
}

/** u8 length || bytes: the prefix of idx-kind, idx-org and idx-author keys. */
/** Encoded kind and org prefixes (a few dozen distinct strings); bounded all the same. */
const prefixCache = new Map<string, Uint8Array>()
const PREFIX_CACHE_MAX = 1024

export function lengthPrefixed (value: Uint8Array | string): Uint8Array {
  if (typeof value === 'string') {
    const hit = prefixCache.get(value)
    if (hit !== undefined) return hit
  }
  const bytes = typeof value === 'string' ? utf8.encode(value) : value
  if (bytes.length > 255) throw new C5Error('STORE_INVALID_ARGUMENT', 'index value longer than 255 bytes')
  const out = new Uint8Array(1 + bytes.length)
  out[0] = bytes.length
  out.set(bytes, 1)
  if (typeof value === 'string' && prefixCache.size < PREFIX_CACHE_MAX) prefixCache.set(value, out)
  return out
}

/** prefix || created(8) || digest(32): every secondary index. */
export function indexKey (prefix: Uint8Array, created: number, digest: Uint8Array, head?: Uint8Array): Uint8Array {
  const out = withHead(head, prefix.length + TIME_BYTES + DIGEST_BYTES)
  const o = out.length - prefix.length - TIME_BYTES - DIGEST_BYTES
  out.set(prefix, o)
  writeTime(out, o + prefix.length, created)
  out.set(digest, o + prefix.length + TIME_BYTES)
  return out
}

/** Inclusive key range of prefix || created in [since, until], any digest. */
export function indexRange (prefix: Uint8Array, since: number, until: number): { gte: Uint8Array, lte: Uint8Array } {
  const gte = indexKey(prefix, since, new Uint8Array(DIGEST_BYTES))
  const lte = indexKey(prefix, until, new Uint8Array(DIGEST_BYTES).fill(0xff))
  return { gte, lte }
}

/**
 * Message record (sublevel `msg`, value):
 *   0x01 | received u64 BE | source length u16 BE | source UTF-8 | envelope wire bytes
 */
export const RECORD_VERSION = 1

/** Encoded sources: a node sees a few dozen ('local', 'peer:<key>', 'file:…'); bounded all the same. */
const sourceCache = new Map<string, Uint8Array>()
const SOURCE_CACHE_MAX = 1024

function encodeSource (source: string): Uint8Array {
  let src = sourceCache.get(source)
  if (src === undefined) {
    src = utf8.encode(source)
    if (sourceCache.size < SOURCE_CACHE_MAX) sourceCache.set(source, src)
  }
  return src
}

export function encodeRecord (bytes: Uint8Array, received: number, source: string): Uint8Array {
  const src = encodeSource(source)
  if (src.length > SOURCE_MAX_BYTES) throw new C5Error('STORE_INVALID_ARGUMENT', `source longer than ${SOURCE_MAX_BYTES} bytes`)
  // From Node's shared pool (no allocation of its own, no zero fill: every byte is written):
  // a record lives only until LevelDB has copied it into a batch.
  const n = 1 + TIME_BYTES + 2 + src.length + bytes.length
  const pooled = Buffer.allocUnsafe(n)
  const out = new Uint8Array(pooled.buffer, pooled.byteOffset, n)
  out[0] = RECORD_VERSION
  writeTime(out, 1, received)
  out[9] = src.length >> 8
  out[10] = src.length & 0xff
  out.set(src, 11)
  out.set(bytes, 11 + src.length)
  return out
}

export function decodeRecord (value: Uint8Array): { bytes: Uint8Array, received: number, source: string } {
  if (value.length < 11 || value[0] !== RECORD_VERSION) {
    throw new C5Error('STORE_CORRUPT', 'message record has a bad header')
  }
  const received = readTime(value, 1)
  const srcLen = (value[9] << 8) | value[10]
  if (11 + srcLen > value.length) throw new C5Error('STORE_CORRUPT', 'message record source overruns the record')
  let source: string
  try {
    source = fromUtf8.decode(value.subarray(11, 11 + srcLen))
  } catch (cause) {
    throw new C5Error('STORE_CORRUPT', 'message record source is not UTF-8', { cause })
  }
  return { bytes: new Uint8Array(value.subarray(11 + srcLen)), received, source }
}

/** The envelope bytes of a message record, as a view (no copy, source not decoded); undefined when the header is bad. */
export function recordEnvelopeBytes (value: Uint8Array): Uint8Array | undefined {
  if (value.length < 11 || value[0] !== RECORD_VERSION) return undefined
  const start = 11 + ((value[9] << 8) | value[10])
  return start < value.length ? value.subarray(start) : undefined
}

/** Meta value: 0x00 || raw bytes, or 0x01 || JSON text (UTF-8). */
export const META_TAG_BYTES = 0x00
export const META_TAG_JSON = 0x01

export function encodeMetaValue (value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(1 + value.length)
    out[0] = META_TAG_BYTES
    out.set(value, 1)
    return out
  }
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (cause) {
    throw new C5Error('STORE_INVALID_ARGUMENT', 'meta value is not JSON-serialisable', { cause })
  }
  if (text === undefined) throw new C5Error('STORE_INVALID_ARGUMENT', 'meta value is not JSON-serialisable')
  const json = utf8.encode(text)
  const out = new Uint8Array(1 + json.length)
  out[0] = META_TAG_JSON
  out.set(json, 1)
  return out
}

export function decodeMetaValue (value: Uint8Array): unknown {
  if (value.length >= 1 && value[0] === META_TAG_BYTES) return new Uint8Array(value.subarray(1))
  if (value.length >= 2 && value[0] === META_TAG_JSON) {
    try {
      return JSON.parse(fromUtf8.decode(value.subarray(1)))
    } catch (cause) {
      throw new C5Error('STORE_CORRUPT', 'meta value is not valid JSON', { cause })
    }
  }
  throw new C5Error('STORE_CORRUPT', 'meta value has an unknown tag')
}

/** Lexicographic byte comparison (the order LevelDB's default comparator uses). */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
