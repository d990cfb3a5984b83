/**
 * The sync frame codec (docs/protocol/sync.md §2 "Frames"). Every frame is
 *
 *   frame = version:u8 (=1) type:u8 body
 *
 * with one encode/decode pair per frame type, chosen through a lookup table. Decoding checks
 * every length against the bytes present and the limits BEFORE allocating, and throws only
 * C5Error: SYNC_BAD_VERSION, SYNC_MALFORMED or SYNC_LIMIT_EXCEEDED.
 */
import { C5Error } from '../errors.js'
import { ID_BYTES, MAX_ERROR_CODE_BYTES, MAX_ERROR_TEXT_BYTES, MAX_WANT_IDS, NODE_KEY_BYTES, NONCE_BYTES, SYNC_FRAME_VERSION } from './constants.js'
import { ByteReader, ByteWriter } from './bytes.js'
import { DEFAULT_MAX_FRAME_BYTES } from '../links/types.js'

export interface HelloFrame {
  type: 'hello'
  protocolVersion: number
  /** The sender's 32-byte node key, when it names one. */
  nodeKey?: Uint8Array
  /** 8 random bytes: the initiator tie-break when keys are absent (§4.2 "Who initiates"). */
  nonce: Uint8Array
  rosterVersion: number
  /** Unexpired messages the sender holds (informative). */
  itemCount: number
  /** Feature bits; none are defined in version 1, unknown bits are ignored. */
  features: number
}
export interface RosterFrame { type: 'roster', envelope: Uint8Array }
export interface ReconFrame {
  type: 'recon'
  /** True when the sender started this round (it holds the initiating reconciler). */
  senderInitiated: boolean
  round: number
  /**
   * True when more fragments of the same engine message follow: an engine message larger
   * than one frame travels as consecutive RECON frames (§4.4 "RECON fragments").
   */
  more: boolean
  /** One reconciliation engine message, or a fragment of one (opaque to the codec). */
  message: Uint8Array
}
export interface WantFrame { type: 'want', ids: Uint8Array[] }
export interface MsgFrame { type: 'msg', envelope: Uint8Array }
/** Sent by a round's initiator when its round is complete. */
export interface DoneFrame { type: 'done', round: number }
export interface ErrorFrame { type: 'error', code: string, text: string }
/** Lazy push (§4.9): ids the sender holds, announced instead of pushed. */
export interface IhaveFrame { type: 'ihave', ids: Uint8Array[] }
/** Lazy push: "you sent me a duplicate: announce to me (IHAVE) instead of pushing". */
export interface PruneFrame { type: 'prune' }
/** Lazy push: "push to me again" (sent with the WANT that repairs a broken eager path). */
export interface GraftFrame { type: 'graft' }
export interface ByeFrame { type: 'bye' }
/** Credit flow control (§4.11): the receiver consumed `bytes` more bytes of MSG frames. */
export interface CreditFrame { type: 'credit', bytes: number }

export type SyncFrame = HelloFrame | RosterFrame | ReconFrame | WantFrame | MsgFrame | DoneFrame | ErrorFrame | ByeFrame | IhaveFrame | PruneFrame | GraftFrame | CreditFrame
export type FrameType = SyncFrame['type']

/** Type byte of each frame (docs/protocol/sync.md §2.1 "Frame types"). */
export const FRAME_TYPE_BYTES: Readonly<Record<FrameType, number>> = Object.freeze({
  hello: 0x01, roster: 0x02, recon: 0x03, want: 0x04, msg: 0x05, done: 0x06, error: 0x07, bye: 0x08,
  ihave: 0x09, prune: 0x0a, graft: 0x0b, credit: 0x0c
})
export const FRAME_TYPES = Object.keys(FRAME_TYPE_BYTES) as FrameType[]
const TYPE_BY_BYTE = new Map<number, FrameType>(FRAME_TYPES.map(t => [FRAME_TYPE_BYTES[t], t]))

export interface FrameLimits {
  /** Largest whole frame, in bytes (the link's maxFrameBytes). */
  maxFrameBytes: number
  /** Most ids in one WANT. */
  maxWantIds: number
}
export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({ maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxWantIds: MAX_WANT_IDS })

const HEADER_BYTES = 2
const HELLO_FLAG_NODE_KEY = 0x01
const RECON_FLAG_SENDER_INITIATED = 0x01
const RECON_FLAG_MORE = 0x02
const RECON_FLAGS = RECON_FLAG_SENDER_INITIATED | RECON_FLAG_MORE
const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9_]*$/

interface BodyCodec<F extends SyncFrame> {
  encode: (frame: F, w: ByteWriter, limits: FrameLimits) => void
  decode: (r: ByteReader, limits: FrameLimits) => F
}

function nonEmptyRest (r: ByteReader, what: string): Uint8Array {
  if (r.remaining() === 0) throw new C5Error('SYNC_MALFORMED', `${what} frame without envelope bytes`)
  return r.rest()
}

const hello: BodyCodec<HelloFrame> = {
  encode (f, w) {
    if (f.nodeKey !== undefined && f.nodeKey.length !== NODE_KEY_BYTES) throw new C5Error('SYNC_MALFORMED', `node key must be ${NODE_KEY_BYTES} bytes`)
    if (f.nonce.length !== NONCE_BYTES) throw new C5Error('SYNC_MALFORMED', `nonce must be ${NONCE_BYTES} bytes`)
    w.varint(f.protocolVersion)
    w.u8(f.nodeKey === undefined ? 0 : HELLO_FLAG_NODE_KEY)
    if (f.nodeKey !== undefined) w.bytes(f.nodeKey)
    w.bytes(f.nonce)
    w.varint(f.rosterVersion)
    w.varint(f.itemCount)
    w.varint(f.features)
  },
  decode (r) {
    const protocolVersion = r.varint()
    const flags = r.u8()
    if ((flags & ~HELLO_FLAG_NODE_KEY) !== 0) throw new C5Error('SYNC_MALFORMED', 'unknown HELLO flags')
    const nodeKey = (flags & HELLO_FLAG_NODE_KEY) !== 0 ? r.copy(NODE_KEY_BYTES) : undefined
    const nonce = r.copy(NONCE_BYTES)
    const rosterVersion = r.varint()
    const itemCount = r.varint()
    const features = r.varint()
    return { type: 'hello', protocolVersion, ...(nodeKey === undefined ? {} : { nodeKey }), nonce, rosterVersion, itemCount, features }
  }
}

const roster: BodyCodec<RosterFrame> = {
  encode (f, w) { if (f.envelope.length === 0) throw new C5Error('SYNC_MALFORMED', 'empty ROSTER'); w.bytes(f.envelope) },
  decode (r) { return { type: 'roster', envelope: nonEmptyRest(r, 'ROSTER') } }
}

const recon: BodyCodec<ReconFrame> = {
  encode (f, w) {
    w.u8((f.senderInitiated ? RECON_FLAG_SENDER_INITIATED : 0) | (f.more ? RECON_FLAG_MORE : 0))
    w.varint(f.round)
    w.bytes(f.message)
  },
  decode (r) {
    const flags = r.u8()
    if ((flags & ~RECON_FLAGS) !== 0) throw new C5Error('SYNC_MALFORMED', 'unknown RECON flags')
    const round = r.varint()
    const senderInitiated = (flags & RECON_FLAG_SENDER_INITIATED) !== 0
    return { type: 'recon', senderInitiated, round, more: (flags & RECON_FLAG_MORE) !== 0, message: r.rest() }
  }
}

/** WANT and IHAVE share one body: count:varint then count × 32-byte ids. */
function idList<F extends WantFrame | IhaveFrame> (type: F['type']): BodyCodec<F> {
  const name = type.toUpperCase()
  return {
    encode (f, w, limits) {
      if (f.ids.length === 0) throw new C5Error('SYNC_MALFORMED', `empty ${name}`)
      if (f.ids.length > limits.maxWantIds) throw new C5Error('SYNC_LIMIT_EXCEEDED', `${name} carries at most ${limits.maxWantIds} ids`)
      w.varint(f.ids.length)
      for (const id of f.ids) {
        if (id.length !== ID_BYTES) throw new C5Error('SYNC_MALFORMED', `ids are ${ID_BYTES} bytes`)
        w.bytes(id)
      }
    },
    decode (r, limits) {
      const count = r.varint()
      if (count === 0) throw new C5Error('SYNC_MALFORMED', `empty ${name}`)
      if (count > limits.maxWantIds) throw new C5Error('SYNC_LIMIT_EXCEEDED', `${name} carries at most ${limits.maxWantIds} ids`)
      if (r.remaining() !== count * ID_BYTES) throw new C5Error('SYNC_MALFORMED', `${name} length does not match its count`)
      const ids: Uint8Array[] = []
      for (let i = 0; i < count; i++) ids.push(r.copy(ID_BYTES))
      return { type, ids } as F
    }
  }
}
const want = idList<WantFrame>('want')
const ihave = idList<IhaveFrame>('ihave')

const msg: BodyCodec<MsgFrame> = {
  encode (f, w) { if (f.envelope.length === 0) throw new C5Error('SYNC_MALFORMED', 'empty MSG'); w.bytes(f.envelope) },
  decode (r) { return { type: 'msg', envelope: nonEmptyRest(r, 'MSG') } }
}

const done: BodyCodec<DoneFrame> = {
  encode (f, w) { w.varint(f.round) },
  decode (r) { return { type: 'done', round: r.varint() } }
}

const error: BodyCodec<ErrorFrame> = {
  encode (f, w) {
    const code = new TextEncoder().encode(f.code)
    if (code.length === 0 || code.length > MAX_ERROR_CODE_BYTES || !ERROR_CODE_PATTERN.test(f.code)) throw new C5Error('SYNC_MALFORMED', 'bad ERROR code')
    // The text is informative: cut it (at a character boundary) rather than refuse to report.
    let text = new TextEncoder().encode(f.text)
    if (text.length > MAX_ERROR_TEXT_BYTES) text = new TextEncoder().encode(truncateUtf8(f.text, MAX_ERROR_TEXT_BYTES))
    w.varint(code.length); w.bytes(code)
    w.varint(text.length); w.bytes(text)
  },
  decode (r) {
    const codeLength = r.varint()
    if (codeLength === 0 || codeLength > MAX_ERROR_CODE_BYTES) throw new C5Error('SYNC_MALFORMED', 'bad ERROR code length')
    const code = r.utf8(codeLength)
    if (!ERROR_CODE_PATTERN.test(code)) throw new C5Error('SYNC_MALFORMED', 'bad ERROR code')
    const textLength = r.varint()
    if (textLength > MAX_ERROR_TEXT_BYTES) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'ERROR text too long')
    return { type: 'error', code, text: r.utf8(textLength) }
  }
}

const bye: BodyCodec<ByeFrame> = {
  encode () {},
  decode () { return { type: 'bye' } }
}

const prune: BodyCodec<PruneFrame> = { encode () {}, decode () { return { type: 'prune' } } }
const graft: BodyCodec<GraftFrame> = { encode () {}, decode () { return { type: 'graft' } } }

const credit: BodyCodec<CreditFrame> = {
  encode (f, w) {
    if (!Number.isSafeInteger(f.bytes) || f.bytes < 1) throw new C5Error('SYNC_MALFORMED', 'CREDIT bytes must be a positive integer')
    w.varint(f.bytes)
  },
  decode (r) {
    const bytes = r.varint()
    if (bytes < 1) throw new C5Error('SYNC_MALFORMED', 'CREDIT of 0 bytes')
    return { type: 'credit', bytes }
  }
}

const CODECS: { [T in FrameType]: BodyCodec<Extract<SyncFrame, { type: T }>> } = { hello, roster, recon, want, msg, done, error, bye, ihave, prune, graft, credit }

function truncateUtf8 (s: string, maxBytes: number): string {
  let out = ''
  let n = 0
  for (const ch of s) {
    const len = new TextEncoder().encode(ch).length
    if (n + len > maxBytes) break
    out += ch; n += len
  }
  return out
}

function resolveLimits (limits?: Partial<FrameLimits>): FrameLimits {
  return limits === undefined ? DEFAULT_FRAME_LIMITS : { ...DEFAULT_FRAME_LIMITS, ...limits }
}

/** Encodes one frame. Throws SYNC_MALFORMED (bad field) or SYNC_LIMIT_EXCEEDED (too large). */
export function encodeFrame (frame: SyncFrame, limits?: Partial<FrameLimits>): Uint8Array {
  const l = resolveLimits(limits)
  const codec = CODECS[frame?.type] as BodyCodec<SyncFrame> | undefined
  if (codec === undefined) throw new C5Error('SYNC_MALFORMED', 'unknown frame type')
  const w = new ByteWriter()
  w.u8(SYNC_FRAME_VERSION)
  w.u8(FRAME_TYPE_BYTES[frame.type])
  codec.encode(frame, w, l)
  const out = w.finish()
  if (out.length > l.maxFrameBytes) {
    throw new C5Error('SYNC_LIMIT_EXCEEDED', `frame of ${out.length} bytes exceeds ${l.maxFrameBytes}`, { details: { bytes: out.length, type: frame.type } })
  }
  return out
}

/** Decodes one frame. Throws only C5Error: SYNC_BAD_VERSION, SYNC_MALFORMED, SYNC_LIMIT_EXCEEDED. */
export function decodeFrame (bytes: Uint8Array, limits?: Partial<FrameLimits>): SyncFrame {
  const l = resolveLimits(limits)
  if (!(bytes instanceof Uint8Array)) throw new C5Error('SYNC_MALFORMED', 'a frame is a Uint8Array')
  if (bytes.length > l.maxFrameBytes) throw new C5Error('SYNC_LIMIT_EXCEEDED', `frame of ${bytes.length} bytes exceeds ${l.maxFrameBytes}`)
  if (bytes.length < HEADER_BYTES) throw new C5Error('SYNC_MALFORMED', 'frame shorter than its header')
  if (bytes[0] !== SYNC_FRAME_VERSION) throw new C5Error('SYNC_BAD_VERSION', `frame version ${bytes[0]} is not ${SYNC_FRAME_VERSION}`)
  const type = TYPE_BY_BYTE.get(bytes[1])
  if (type === undefined) throw new C5Error('SYNC_MALFORMED', `unknown frame type 0x${bytes[1].toString(16)}`)
  const r = new ByteReader(bytes, HEADER_BYTES)
  const frame = (CODECS[type] as BodyCodec<SyncFrame>).decode(r, l)
  if (r.remaining() !== 0) throw new C5Error('SYNC_MALFORMED', `trailing bytes after ${type.toUpperCase()}`)
  return frame
}

/** The type of an encoded frame without decoding its body (for counters); undefined if unknown. */
export function peekFrameType (bytes: Uint8Array): FrameType | undefined {
  return bytes.length >= HEADER_BYTES ? TYPE_BY_BYTE.get(bytes[1]) : undefined
}
