/**
 * Packets and fragments (docs/protocol/links.md §7.4 "Fragmentation"): a packet — a Link
 * frame, a hello, a close — is compressed when that saves bytes, then cut into DATA frames
 * no larger than the radio frame size. Each fragment names its lane (0 control, 1 flash …
 * 4 routine), so a more urgent packet can go on the air between two fragments of a less
 * urgent one: preemption at the frame, not the message. Within a lane fragments are in
 * order (the receive stream restores seq order first), so a lane needs one buffer.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { BROADCAST_TAG, LANES, MAX_PACKET_BYTES } from './constants.js'
import { dataHeaderBytes, type DataFrame } from './frame.js'

export interface Packet {
  lane: number
  kind: number
  dst: number
  payload: Uint8Array
}

/** A packet ready for the air: its payload (maybe compressed) cut into fragment payloads. */
export interface OutgoingPacket extends Packet {
  compressed: boolean
  parts: Uint8Array[]
  /** Index of the next part to transmit. */
  next: number
}

/**
 * Compresses (DEFLATE, RFC 1951) when that makes the packet smaller, then splits it into
 * parts that fill frames of `frameBytes` evenly (a short last fragment would cost a whole
 * key-up for a few bytes).
 */
export function preparePacket (p: Packet, frameBytes: number): OutgoingPacket {
  let body = p.payload
  let compressed = false
  if (body.length > 32) {
    const z = deflateRawSync(body, { level: 9 })
    if (z.length < body.length) { body = new Uint8Array(z.buffer, z.byteOffset, z.length); compressed = true }
  }
  const firstRoom = frameBytes - dataHeaderBytes(true)
  const room = frameBytes - dataHeaderBytes(false)
  const n = body.length <= firstRoom ? 1 : 1 + Math.ceil((body.length - firstRoom) / room)
  const parts: Uint8Array[] = []
  if (n === 1) {
    parts.push(body)
  } else {
    // Even frames on the air: the first carries 2 bytes of destination more than the others.
    const perFrame = Math.ceil((body.length + (dataHeaderBytes(true) - dataHeaderBytes(false))) / n)
    let at = 0
    const first = Math.min(firstRoom, perFrame - (dataHeaderBytes(true) - dataHeaderBytes(false)))
    parts.push(body.subarray(0, first)); at = first
    for (let i = 1; i < n; i++) {
      const left = n - i
      const size = Math.min(room, Math.ceil((body.length - at) / left))
      parts.push(body.subarray(at, at + size)); at += size
    }
  }
  return { ...p, compressed, parts, next: 0 }
}

/** The DATA frame (without seq) for the next part of a packet. */
export function nextFragment (p: OutgoingPacket, src: number, stream: number): Omit<DataFrame, 'seq'> {
  const i = p.next
  const first = i === 0
  return {
    type: 'data',
    src,
    stream,
    lane: p.lane,
    first,
    last: i === p.parts.length - 1,
    compressed: first && p.compressed,
    kind: first ? p.kind : 0,
    ...(first ? { dst: p.dst } : {}),
    payload: p.parts[i]
  }
}

export interface ReassemblyStats {
  packets: number
  /** A first fragment arrived while a packet was open in its lane (the sender gave it up). */
  abandoned: number
  /** Later fragments with no open packet in their lane. */
  orphans: number
  /** Packets over MAX_PACKET_BYTES, or whose DEFLATE stream is bad or inflates past it. */
  malformed: number
  /** Packets for another station, skipped without being held. */
  skipped: number
}

interface Open { kind: number, dst: number, compressed: boolean, parts: Uint8Array[], bytes: number, skip: boolean }

/**
 * Reassembles one sender's packets from its DATA frames, given in seq order. Holds at most
 * one packet per lane, each at most `maxPacketBytes` (before and after inflating); packets
 * addressed to other stations are skipped without being held.
 */
export class Reassembler {
  readonly stats: ReassemblyStats = { packets: 0, abandoned: 0, orphans: 0, malformed: 0, skipped: 0 }
  #lanes: Array<Open | undefined> = new Array(LANES).fill(undefined)

  constructor (private readonly me: number, private readonly maxPacketBytes = MAX_PACKET_BYTES) {}

  /** Bytes held in open packets. */
  get heldBytes (): number { return this.#lanes.reduce((n, l) => n + (l?.bytes ?? 0), 0) }

  /** Forgets every open packet (the stream skipped frames). */
  reset (): void { this.#lanes.fill(undefined) }

  push (f: DataFrame): Packet | undefined {
    let open = this.#lanes[f.lane]
    if (f.first) {
      if (open !== undefined) this.stats.abandoned++
      const dst = f.dst ?? BROADCAST_TAG
      open = { kind: f.kind, dst, compressed: f.compressed, parts: [], bytes: 0, skip: dst !== this.me && dst !== BROADCAST_TAG }
      this.#lanes[f.lane] = open
    } else if (open === undefined) {
      this.stats.orphans++
      return undefined
    }
    if (!open.skip) {
      open.bytes += f.payload.length
      if (open.bytes > this.maxPacketBytes) {
        this.stats.malformed++
        open.skip = true
        open.parts = []
        open.bytes = 0
      } else {
        open.parts.push(f.payload)
      }
    }
    if (!f.last) return undefined
    this.#lanes[f.lane] = undefined
    if (open.skip) {
      if (open.dst !== this.me && open.dst !== BROADCAST_TAG) this.stats.skipped++
      return undefined
    }
    let payload = concat(open.parts, open.bytes)
    if (open.compressed) {
      try {
        const out = inflateRawSync(payload, { maxOutputLength: this.maxPacketBytes })
        payload = new Uint8Array(out.buffer, out.byteOffset, out.length)
      } catch {
        this.stats.malformed++
        return undefined
      }
    }
    this.stats.packets++
    return { lane: f.lane, kind: open.kind, dst: open.dst, payload }
  }
}

function concat (parts: Uint8Array[], bytes: number): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(bytes)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}
