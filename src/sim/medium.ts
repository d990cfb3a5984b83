/**
 * Simulated links on virtual time: a Link pair (src/links/types.ts, the contract every
 * medium keeps) whose frames cross a modelled medium. A frame is cut into packets of the
 * class's MTU; each packet occupies the medium for (payload + header) / rate, plus the
 * key-up time once per transmission; a lost packet (seeded) is sent again after the class's
 * retry time, costing airtime and bytes again. The link stays reliable and ordered, as the
 * contract says: loss shows as time and bytes, which is what it costs a TCP connection or an
 * ARQ radio link. `send` resolves once the frame is within the class's send buffer of the
 * wire (radio: once it is on the air), so the session's priority queue, not the link,
 * holds what waits: a flash alert waits behind at most the frames already accepted.
 *
 * A Medium is what transmissions contend for: one per direction (full duplex), one per
 * link (half duplex), or one for a whole radio channel (shared by every station on it).
 */
import { C5Error } from '../errors.js'
import type { Link } from '../links/types.js'
import { FrameQueue, FRAME_OVERHEAD_BYTES } from '../links/frame-queue.js'
import type { VirtualClock } from './clock.js'
import type { LinkClass } from './link-classes.js'

/** Attempts per packet after which the model stops drawing losses (a 90 %-loss class still ends). */
export const MAX_ATTEMPTS_PER_PACKET = 16
/** Frames of the largest size the receive side buffers before the sender waits. */
export const RECEIVE_QUEUE_FRAMES = 4

export class Medium {
  /** When the medium is free again (virtual ms). */
  busyUntil = 0
  /** Time it was busy transmitting, ms (utilisation = busyMs / elapsed). */
  busyMs = 0
}

/** Where a link's traffic is counted: bytes on the wire (headers and retransmissions included). */
export interface LinkCounters { frames: number, payloadBytes: number, wireBytes: number, retransmissions: number, airtimeMs?: number }

export const emptyCounters = (): LinkCounters => ({ frames: 0, payloadBytes: 0, wireBytes: 0, retransmissions: 0 })

export interface SimLinkPairInit {
  clock: VirtualClock
  random: () => number
  cls: LinkClass
  /** The media of each direction (a→b, b→a): two for full duplex, one shared otherwise. */
  media: [Medium, Medium]
  /** What each end reports as `remote`, and the node keys they report as `remoteKey`. */
  names: [string, string]
  keys: [Uint8Array, Uint8Array]
  /** Every transmission is added here (and to the class's totals by the network). */
  counters: LinkCounters[]
}

interface Direction { queue: FrameQueue, medium: Medium, lastDeliverAt: number }

/** Two Links joined across a simulated medium. */
export function simLinkPair (init: SimLinkPairInit): [SimLink, SimLink] {
  const capacity = RECEIVE_QUEUE_FRAMES * (init.cls.maxFrameBytes + FRAME_OVERHEAD_BYTES)
  const toA: Direction = { queue: new FrameQueue({ capacityBytes: capacity, clock: init.clock }), medium: init.media[1], lastDeliverAt: 0 }
  const toB: Direction = { queue: new FrameQueue({ capacityBytes: capacity, clock: init.clock }), medium: init.media[0], lastDeliverAt: 0 }
  const shared = { closed: false }
  const a = new SimLink(init, shared, init.names[1], init.keys[1], toA, toB)
  const b = new SimLink(init, shared, init.names[0], init.keys[0], toB, toA)
  return [a, b]
}

export class SimLink implements Link {
  readonly remote: string
  readonly remoteKey: Uint8Array
  readonly maxFrameBytes: number
  readonly #init: SimLinkPairInit
  readonly #shared: { closed: boolean }
  readonly #inbox: Direction
  readonly #outbox: Direction

  constructor (init: SimLinkPairInit, shared: { closed: boolean }, remote: string, remoteKey: Uint8Array, inbox: Direction, outbox: Direction) {
    this.#init = init
    this.#shared = shared
    this.remote = remote
    this.remoteKey = remoteKey
    this.maxFrameBytes = init.cls.maxFrameBytes
    this.#inbox = inbox
    this.#outbox = outbox
  }

  get closed (): boolean { return this.#shared.closed }

  async send (frame: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!(frame instanceof Uint8Array)) throw new C5Error('LINK_BAD_ARGUMENT', 'a frame is a Uint8Array')
    if (frame.byteLength > this.maxFrameBytes) {
      throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.byteLength} bytes exceeds ${this.maxFrameBytes}`, { details: { bytes: frame.byteLength, maxFrameBytes: this.maxFrameBytes } })
    }
    await this.#transmit(frame.slice(), options.signal)
  }

  /**
   * The simulator's rogue member: puts a frame on the medium without the size check a
   * well-behaved sender makes, as a modified node could. The receiver's link refuses it.
   */
  async sendRaw (frame: Uint8Array): Promise<void> {
    await this.#transmit(frame.slice())
  }

  frames (): AsyncIterable<Uint8Array> {
    const queue = this.#inbox.queue
    const max = this.maxFrameBytes
    const abort = (e: Error): void => { this.abort(e) }
    return {
      async * [Symbol.asyncIterator] () {
        for await (const f of queue.frames()) {
          // L8: a frame past the limit is the remote's violation; the link is aborted.
          if (f.byteLength > max) {
            const err = new C5Error('LINK_FRAME_TOO_LARGE', `the remote sent a frame of ${f.byteLength} bytes, more than ${max}`)
            abort(err)
            throw err
          }
          yield f
        }
      }
    }
  }

  async close (): Promise<void> {
    if (this.#shared.closed) return
    this.#shared.closed = true
    this.#inbox.queue.end()
    this.#outbox.queue.end()
  }

  abort (reason?: Error): void {
    const wasClosed = this.#shared.closed
    this.#shared.closed = true
    const err = new C5Error('LINK_ABORTED', reason?.message ?? 'link aborted', { cause: reason })
    if (wasClosed && this.#inbox.queue.length === 0 && this.#outbox.queue.length === 0) return
    this.#inbox.queue.fail(err)
    this.#outbox.queue.fail(err)
  }

  async #transmit (frame: Uint8Array, signal?: AbortSignal): Promise<void> {
    if (this.#shared.closed) throw new C5Error('LINK_CLOSED', 'link is closed')
    const out = this.#outbox
    try {
      await out.queue.waitForSpace(FrameQueue.cost(frame), signal)
    } catch (cause) {
      if (signal?.aborted === true && cause === signal.reason) throw cause
      throw new C5Error('LINK_CLOSED', 'link closed while the frame waited to be sent', { cause })
    }
    if (this.#shared.closed) throw new C5Error('LINK_CLOSED', 'link is closed')
    const { leavesAt, deliverAt } = this.#schedule(frame.byteLength)
    out.queue.push(frame, deliverAt)
    // Accepted once within the send buffer of the wire (radio: when it has left).
    const cls = this.#init.cls
    const acceptAt = leavesAt - (cls.bufferBytes * 1000) / cls.bytesPerSecond
    const clock = this.#init.clock
    if (acceptAt > clock.now()) await clock.sleep(acceptAt - clock.now())
  }

  /** Reserves the medium for this frame's packets; when it has left, and when it arrives. */
  #schedule (bytes: number): { leavesAt: number, deliverAt: number } {
    const { clock, random, cls, counters } = this.#init
    const out = this.#outbox
    const medium = out.medium
    const start = Math.max(clock.now(), medium.busyUntil)
    let cursor = start + cls.keyupMs
    let retryDelay = 0
    let wire = 0
    let retransmissions = 0
    const packets = Math.max(1, Math.ceil(bytes / cls.mtuBytes))
    for (let i = 0; i < packets; i++) {
      const payload = i < packets - 1 ? cls.mtuBytes : bytes - cls.mtuBytes * (packets - 1)
      let attempts = 1
      while (attempts < MAX_ATTEMPTS_PER_PACKET && cls.loss > 0 && random() < cls.loss) attempts++
      const airMs = ((payload + cls.headerBytes) * 1000) / cls.bytesPerSecond
      cursor += airMs * attempts
      retryDelay += (attempts - 1) * cls.retryMs
      wire += (payload + cls.headerBytes) * attempts
      retransmissions += attempts - 1
    }
    medium.busyMs += cursor - start
    medium.busyUntil = cursor
    for (const c of counters) { c.frames++; c.payloadBytes += bytes; c.wireBytes += wire; c.retransmissions += retransmissions }
    const arrive = cursor + retryDelay + cls.latencyMs + random() * cls.jitterMs
    const deliverAt = Math.max(arrive, out.lastDeliverAt, 1)
    out.lastDeliverAt = deliverAt
    return { leavesAt: cursor, deliverAt }
  }
}
