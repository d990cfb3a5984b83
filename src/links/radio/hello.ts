/**
 * The station hello (docs/protocol/links.md §7.5): a station proves it holds a node key, on
 * a channel with no encryption, and opens links. Pure: encoding, signing and the checks; the
 * roster check and the replay memory are the caller's (station.ts).
 *
 *   hello = 01 flags key:32 epoch:8 time:varint [echo:8] id-len:1 station-id rosterVersion:varint sig:64
 *   flags: bit 0 addressed (echo present) · bit 1 reply (answers an open) · others 0
 *   signed = "c5mesh/radio/hello/v1" 00 ‖ dst:2 ‖ hello without sig
 *
 * Replay: an addressed hello echoes the addressee's epoch (8 random bytes drawn at each
 * start), so it is good for that run of the addressee only, and within it only once (its
 * time must be above the last accepted from that key). A beacon (dst = everyone) carries no
 * echo: its time must be within HELLO_MAX_SKEW_MS of ours and above the last one seen.
 */
import { createHash } from 'node:crypto'
import { C5Error } from '../../errors.js'
import { sign, verify, type KeyPair } from '../../identity/keys.js'
import { readVarint, varintLength, writeVarint } from '../../sync/varint.js'
import { BROADCAST_TAG, STATION_ID_PATTERN } from './constants.js'

export const HELLO_VERSION = 1
export const EPOCH_BYTES = 8
const KEY_BYTES = 32
const SIG_BYTES = 64
const DOMAIN = new TextEncoder().encode('c5mesh/radio/hello/v1\u0000')
const TAG_DOMAIN = new TextEncoder().encode('c5mesh/radio/tag/v1\u0000')
const FLAG_ADDRESSED = 0x01
const FLAG_REPLY = 0x02

export interface Hello {
  key: Uint8Array
  /** The sender's run: 8 random bytes drawn at start. */
  epoch: Uint8Array
  /** The sender's clock, ms since the epoch. */
  time: number
  /** Addressed hellos: the addressee's epoch, as last heard. */
  echo?: Uint8Array
  /** True when this answers an open. */
  reply: boolean
  stationId: string
  rosterVersion: number
}

/** A station's 16-bit address on the channel: from its node key, so the hello proves it. */
export function stationTag (key: Uint8Array): number {
  const h = createHash('sha256').update(TAG_DOMAIN).update(key).digest()
  const tag = (h[0] << 8) | h[1]
  return tag === BROADCAST_TAG ? BROADCAST_TAG - 1 : tag
}

function signedPart (dst: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOMAIN.length + 2 + body.length)
  out.set(DOMAIN, 0)
  out[DOMAIN.length] = dst >> 8
  out[DOMAIN.length + 1] = dst & 0xff
  out.set(body, DOMAIN.length + 2)
  return out
}

export function encodeHello (h: Omit<Hello, 'key'>, keyPair: KeyPair, dst: number): Uint8Array {
  if (!STATION_ID_PATTERN.test(h.stationId)) throw new C5Error('RADIO_BAD_HELLO', `station id ${JSON.stringify(h.stationId)}: expected 1–16 of A–Z, 0–9, "-", "/"`)
  if (h.epoch.length !== EPOCH_BYTES || (h.echo !== undefined && h.echo.length !== EPOCH_BYTES)) throw new C5Error('RADIO_BAD_HELLO', 'epoch and echo are 8 bytes')
  if ((h.echo !== undefined) !== (dst !== BROADCAST_TAG)) throw new C5Error('RADIO_BAD_HELLO', 'an addressed hello carries an echo, a beacon none')
  const id = new TextEncoder().encode(h.stationId)
  const len = 2 + KEY_BYTES + EPOCH_BYTES + varintLength(h.time) + (h.echo === undefined ? 0 : EPOCH_BYTES) + 1 + id.length + varintLength(h.rosterVersion)
  const body = new Uint8Array(len)
  let o = 0
  body[o++] = HELLO_VERSION
  body[o++] = (h.echo === undefined ? 0 : FLAG_ADDRESSED) | (h.reply ? FLAG_REPLY : 0)
  body.set(keyPair.publicKey, o); o += KEY_BYTES
  body.set(h.epoch, o); o += EPOCH_BYTES
  o = writeVarint(body, o, h.time)
  if (h.echo !== undefined) { body.set(h.echo, o); o += EPOCH_BYTES }
  body[o++] = id.length
  body.set(id, o); o += id.length
  o = writeVarint(body, o, h.rosterVersion)
  const sig = sign(keyPair.privateKey, signedPart(dst, body))
  const out = new Uint8Array(len + SIG_BYTES)
  out.set(body, 0)
  out.set(sig, len)
  return out
}

const bad = (why: string): never => { throw new C5Error('RADIO_BAD_HELLO', `hello: ${why}`) }

/** Decodes and checks the signature (for `dst`, the packet's destination). RADIO_BAD_HELLO otherwise. */
export function decodeHello (bytes: Uint8Array, dst: number): Hello {
  if (bytes.length < 2 + KEY_BYTES + EPOCH_BYTES + 1 + 1 + 1 + 1 + SIG_BYTES) bad('too short')
  const body = bytes.subarray(0, bytes.length - SIG_BYTES)
  if (body[0] !== HELLO_VERSION) bad(`version ${body[0]}`)
  const flags = body[1]
  if ((flags & ~(FLAG_ADDRESSED | FLAG_REPLY)) !== 0) bad('unknown flags')
  const addressed = (flags & FLAG_ADDRESSED) !== 0
  if (addressed !== (dst !== BROADCAST_TAG)) bad('addressed flag does not match the destination')
  let o = 2
  const key = body.slice(o, o + KEY_BYTES); o += KEY_BYTES
  const epoch = body.slice(o, o + EPOCH_BYTES); o += EPOCH_BYTES
  let time: number
  let rosterVersion: number
  try {
    [time, o] = readVarint(body, o)
  } catch { return bad('bad time') }
  let echo: Uint8Array | undefined
  if (addressed) {
    if (o + EPOCH_BYTES > body.length) bad('truncated echo')
    echo = body.slice(o, o + EPOCH_BYTES); o += EPOCH_BYTES
  }
  if (o >= body.length) bad('truncated station id')
  const idLen = body[o++]
  if (o + idLen > body.length) bad('truncated station id')
  const stationId = String.fromCharCode(...body.subarray(o, o + idLen)); o += idLen
  if (!STATION_ID_PATTERN.test(stationId)) bad('bad station id')
  try {
    [rosterVersion, o] = readVarint(body, o)
  } catch { return bad('bad roster version') }
  if (o !== body.length) bad('trailing bytes')
  if (!verify(key, signedPart(dst, body), bytes.subarray(bytes.length - SIG_BYTES))) bad('bad signature')
  return { key, epoch, time, reply: (flags & FLAG_REPLY) !== 0, stationId, rosterVersion, ...(echo === undefined ? {} : { echo }) }
}
