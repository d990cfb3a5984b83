/**
 * A station's transmitter (docs/protocol/links.md §7.6, §7.7): one frame on the air at a
 * time, chosen just before it goes — retransmissions first, then NACK/STATUS, then the
 * next fragment of the most urgent lane (0 control, 1 flash … 4 routine). Because the port
 * resolves `transmit` only when a frame has left the air (the KISS port paces on the bit
 * rate), nothing waits in the modem: a flash alert queued now waits behind at most the
 * frame already on the air.
 *
 * Every DATA frame gets the next seq as it goes, and is kept (RETRANSMIT_BUFFER_BYTES) for
 * NACKs. After a burst, once the queue has stayed empty STATUS_AFTER_IDLE_FRAMES, a STATUS
 * tells listeners the last seq, so losing a burst's tail is noticed too.
 */
import type { TimerClock } from '../../util/clock.js'
import type { RadioPort } from '../types.js'
import { LANES, RETRANSMIT_BUFFER_BYTES } from './constants.js'
import { encodeRadioFrame, seqAdd, seqDiff } from './frame.js'
import { nextFragment, type OutgoingPacket } from './packets.js'

/** Who queued a packet: told when it has gone (or was dropped), for backpressure and close. */
export interface PacketOwner {
  onPacketDone: (p: QueuedPacket, sent: boolean) => void
}

export interface QueuedPacket extends OutgoingPacket {
  owner?: PacketOwner
  /** Shared frames: the dedup key. */
  sharedId?: string
  /** Bytes counted against the owner's queue. */
  cost: number
  /** Air bytes (radio frames) this packet used so far. */
  airBytes: number
}

export interface TransmitterStats {
  frames: number
  bytes: number
  airtimeMs: number
  /** DATA frames sent again on a NACK. */
  retransmissions: number
  nacks: number
  statuses: number
  packets: number
}

export interface TransmitterInit {
  port: RadioPort
  tag: number
  stream: number
  firstSeq: number
  clock: TimerClock
  /**
   * After a burst, while idle: when to send STATUS, ms after the last frame — the first soon,
   * then again later in case it was lost too (a lost tail must not wait for the next burst).
   */
  statusIdleMs: number[]
  retransmitHoldoffMs: number
  /** Whether a STATUS is worth sending (someone is listening). */
  wantStatus: () => boolean
  /** The port failed: the station shuts down its links. */
  onFailure: (err: unknown) => void
  /** Every frame, as it is handed to the port (benches and taps). */
  onTransmit?: (frame: Uint8Array, info: { kind: 'data' | 'retransmission' | 'nack' | 'status', packet?: QueuedPacket }) => void
  retransmitBufferBytes?: number
}

export class Transmitter {
  readonly stats: TransmitterStats = { frames: 0, bytes: 0, airtimeMs: 0, retransmissions: 0, nacks: 0, statuses: 0, packets: 0 }
  #lanes: QueuedPacket[][] = Array.from({ length: LANES }, () => [])
  #unsequenced: Array<{ frame: Uint8Array, kind: 'nack' | 'status' }> = []
  #retx: number[] = []
  #retxQueued = new Set<number>()
  #lastRetx = new Map<number, number>()
  #sent = new Map<number, Uint8Array>()
  #sentOrder: number[] = []
  #sentBytes = 0
  #next: number
  #statusQueued = false
  /** True once a DATA frame went out; idle STATUSes follow each burst. */
  #sentData = false
  /** Idle STATUSes sent since the last DATA frame. */
  #idleStatuses = 0
  #idleTimer: unknown
  #wake: (() => void) | undefined
  #stopped = false
  #running: Promise<void> | undefined
  readonly #init: TransmitterInit
  readonly #bufferBytes: number

  constructor (init: TransmitterInit) {
    this.#init = init
    this.#next = init.firstSeq
    this.#bufferBytes = init.retransmitBufferBytes ?? RETRANSMIT_BUFFER_BYTES
  }

  get nextSeq (): number { return this.#next }
  get oldestHeld (): number { return this.#sentOrder.length > 0 ? this.#sentOrder[0] : this.#next }

  /** Packets and bytes queued per lane (0 control … 4 routine). */
  depth (): Array<{ packets: number, bytes: number }> {
    return this.#lanes.map(l => ({ packets: l.length, bytes: l.reduce((n, p) => n + p.parts.slice(p.next).reduce((m, x) => m + x.length, 0), 0) }))
  }

  start (): void {
    this.#running ??= this.#loop().catch(err => { if (!this.#stopped) this.#init.onFailure(err) })
  }

  enqueue (p: QueuedPacket): void {
    if (this.#stopped) { p.owner?.onPacketDone(p, false); return }
    this.#lanes[p.lane].push(p)
    this.#poke()
  }

  /** Drops queued packets of this owner that have not started (a link aborted). */
  cancel (owner: PacketOwner): void {
    for (const lane of this.#lanes) {
      for (let i = lane.length - 1; i >= 0; i--) {
        const p = lane[i]
        if (p.owner === owner && p.next === 0) { lane.splice(i, 1); owner.onPacketDone(p, false) }
      }
    }
  }

  /** A NACK for our frames: queue what we still hold; STATUS for what we do not. */
  onNack (ranges: Array<[number, number]>): void {
    const now = this.#init.clock.now()
    let needStatus = false
    for (const [start, count] of ranges) {
      for (let i = 0; i < count; i++) {
        const seq = seqAdd(start, i)
        if (seqDiff(seq, this.#next) >= 0 || !this.#sent.has(seq)) { needStatus = true; continue }
        const last = this.#lastRetx.get(seq)
        if (this.#retxQueued.has(seq) || (last !== undefined && now - last < this.#init.retransmitHoldoffMs)) continue
        this.#retxQueued.add(seq)
        this.#retx.push(seq)
      }
    }
    if (needStatus) this.queueStatus()
    this.#poke()
  }

  sendNack (frame: Uint8Array): void {
    this.#unsequenced.push({ frame, kind: 'nack' })
    this.#poke()
  }

  queueStatus (): void {
    if (this.#statusQueued) return
    this.#statusQueued = true
    this.#poke()
  }

  async stop (): Promise<void> {
    this.#stopped = true
    this.#clearIdle()
    for (const lane of this.#lanes) for (const p of lane.splice(0)) p.owner?.onPacketDone(p, false)
    this.#wake?.()
    await this.#running
  }

  #poke (): void {
    this.#clearIdle()
    const w = this.#wake
    this.#wake = undefined
    w?.()
  }

  #clearIdle (): void {
    if (this.#idleTimer !== undefined) { this.#init.clock.clearTimeout(this.#idleTimer); this.#idleTimer = undefined }
  }

  async #loop (): Promise<void> {
    while (!this.#stopped) {
      const job = this.#pick()
      if (job === undefined) {
        const repeats = this.#init.statusIdleMs
        if (this.#sentData && this.#idleStatuses < repeats.length && this.#idleTimer === undefined && this.#init.wantStatus()) {
          const after = repeats[this.#idleStatuses] - (this.#idleStatuses === 0 ? 0 : repeats[this.#idleStatuses - 1])
          this.#idleTimer = this.#init.clock.setTimeout(() => { this.#idleTimer = undefined; this.#idleStatuses++; this.queueStatus() }, Math.max(0, after))
        }
        await new Promise<void>(resolve => { this.#wake = resolve })
        continue
      }
      // Told as the frame is handed to the port: a receiver may have it before its airtime ends.
      this.#init.onTransmit?.(job.frame, { kind: job.kind, ...(job.packet === undefined ? {} : { packet: job.packet }) })
      await this.#init.port.transmit(job.frame)
      this.stats.frames++
      this.stats.bytes += job.frame.length
      this.stats.airtimeMs += this.#init.port.airtimeMs(job.frame)
      if (job.packet !== undefined) job.packet.airBytes += job.frame.length
      job.after?.()
    }
  }

  #pick (): { frame: Uint8Array, kind: 'data' | 'retransmission' | 'nack' | 'status', packet?: QueuedPacket, after?: () => void } | undefined {
    while (this.#retx.length > 0) {
      const seq = this.#retx.shift()!
      this.#retxQueued.delete(seq)
      const frame = this.#sent.get(seq)
      if (frame === undefined) continue
      this.#lastRetx.set(seq, this.#init.clock.now())
      if (this.#lastRetx.size > 4096) this.#lastRetx.delete(this.#lastRetx.keys().next().value as number)
      this.stats.retransmissions++
      return { frame, kind: 'retransmission' }
    }
    const u = this.#unsequenced.shift()
    if (u !== undefined) { this.stats.nacks++; return u }
    if (this.#statusQueued) {
      this.#statusQueued = false
      this.stats.statuses++
      return { frame: encodeRadioFrame({ type: 'status', src: this.#init.tag, stream: this.#init.stream, next: this.#next, oldest: this.oldestHeld }), kind: 'status' }
    }
    for (const lane of this.#lanes) {
      const p = lane[0]
      if (p === undefined) continue
      const seq = this.#next
      this.#next = seqAdd(seq, 1)
      const frame = encodeRadioFrame({ ...nextFragment(p, this.#init.tag, this.#init.stream), seq })
      p.next++
      this.#keep(seq, frame)
      this.#sentData = true
      this.#idleStatuses = 0
      const done = p.next >= p.parts.length
      if (done) { lane.shift(); this.stats.packets++ }
      return { frame, kind: 'data', packet: p, ...(done ? { after: () => { p.owner?.onPacketDone(p, true) } } : {}) }
    }
    return undefined
  }

  #keep (seq: number, frame: Uint8Array): void {
    this.#sent.set(seq, frame)
    this.#sentOrder.push(seq)
    this.#sentBytes += frame.length
    while (this.#sentBytes > this.#bufferBytes && this.#sentOrder.length > 1) {
      const old = this.#sentOrder.shift()!
      this.#sentBytes -= this.#sent.get(old)?.length ?? 0
      this.#sent.delete(old)
    }
  }
}
