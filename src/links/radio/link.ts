/**
 * A radio link: the Link between this station and one authenticated neighbour on a shared
 * channel (docs/protocol/links.md §1.1, §7.5). What the sync session sees is the usual Link
 * — frames in order, both ways, graceful close, abort — carried as packets in the two
 * stations' repaired streams. The differences a shared medium makes (§1.1):
 *
 * - a frame sent with `share` goes once to every listener (the station dedups it across its
 *   links), and may reach the peer ahead of frames sent before it;
 * - `send` resolves once the frame is queued for the air (LINK_QUEUE_BYTES per link); the
 *   far end cannot hold a sender back over the air, so its receive buffer is bounded
 *   (LINK_RECEIVE_BYTES) and an overrun aborts the link.
 */
import { C5Error } from '../../errors.js'
import { FrameQueue } from '../frame-queue.js'
import type { Link, SendOptions } from '../types.js'
import type { PacketOwner, QueuedPacket } from './transmitter.js'

/** What a link needs from its station. */
export interface LinkHost {
  sendAddressed: (link: RadioLink, frame: Uint8Array, rank: number | undefined) => void
  sendShared: (link: RadioLink, frame: Uint8Array, share: 'push' | 'offer', rank: number | undefined) => void
  sendClose: (link: RadioLink) => void
  sendAbort: (link: RadioLink, reason: string) => void
  cancel: (link: RadioLink) => void
  ended: (link: RadioLink) => void
  /** Runs fn after ms on the station's clock; returns a cancel function. */
  schedule: (ms: number, fn: () => void) => () => void
}

export interface RadioLinkInit {
  remote: string
  remoteKey: Uint8Array
  peerTag: number
  maxFrameBytes: number
  queueBytes: number
  receiveBytes: number
  closeTimeoutMs: number
}

export interface RadioLinkStats {
  framesSent: number
  bytesSent: number
  framesReceived: number
  bytesReceived: number
  /** Shared frames another link of this station had already put on the air. */
  sharedDeduped: number
}

type State = 'open' | 'closing' | 'ended'

export class RadioLink implements Link, PacketOwner {
  readonly remote: string
  readonly remoteKey: Uint8Array
  readonly maxFrameBytes: number
  readonly peerTag: number
  readonly stats: RadioLinkStats = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, sharedDeduped: 0 }
  /** True once the peer sent a frame addressed to us on this link: its shared frames may join. */
  joined = false
  /** Bytes of our packets queued and not yet on the air. */
  queuedBytes = 0
  readonly #host: LinkHost
  readonly #init: RadioLinkInit
  readonly #rx: FrameQueue
  #state: State = 'open'
  #closedFlag = false
  #pendingPackets = 0
  #spaceWaiters: Array<() => void> = []
  #drainWaiters: Array<() => void> = []
  #closeDone: Promise<void> | undefined
  #peerClosed: (() => void) | undefined
  #peerSawClose = false

  constructor (host: LinkHost, init: RadioLinkInit) {
    this.#host = host
    this.#init = init
    this.remote = init.remote
    this.remoteKey = init.remoteKey
    this.maxFrameBytes = init.maxFrameBytes
    this.peerTag = init.peerTag
    this.#rx = new FrameQueue({ capacityBytes: init.receiveBytes })
  }

  get closed (): boolean { return this.#closedFlag }
  get ended (): boolean { return this.#state === 'ended' }

  async send (frame: Uint8Array, options: SendOptions = {}): Promise<void> {
    if (!(frame instanceof Uint8Array)) throw new C5Error('LINK_BAD_ARGUMENT', 'frame must be a Uint8Array')
    if (frame.length > this.maxFrameBytes) throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.length} bytes over ${this.maxFrameBytes}`)
    if (this.#closedFlag) throw new C5Error('LINK_CLOSED', 'link closed')
    options.signal?.throwIfAborted()
    while (this.queuedBytes >= this.#init.queueBytes) {
      await this.#wait(this.#spaceWaiters, options.signal)
      if (this.#closedFlag) throw new C5Error('LINK_CLOSED', 'link closed while waiting to send')
    }
    const copy = frame.slice()
    this.stats.framesSent++
    this.stats.bytesSent += copy.length
    if (options.share !== undefined) this.#host.sendShared(this, copy, options.share, options.rank)
    else this.#host.sendAddressed(this, copy, options.rank)
  }

  frames (): AsyncIterable<Uint8Array> { return this.#rx.frames() }

  async close (): Promise<void> {
    if (this.#closeDone !== undefined) { await this.#closeDone; return }
    if (this.#state === 'ended') return
    this.#closedFlag = true
    this.#state = 'closing'
    this.#wakeAll()
    this.#closeDone = (async () => {
      const peerClosed = new Promise<void>(resolve => { this.#peerClosed = resolve })
      await this.#drained()
      if (this.#state !== 'closing') return
      this.#host.sendClose(this)
      if (!this.#peerSawClose) {
        const cancel = this.#host.schedule(this.#init.closeTimeoutMs, () => { this.#peerClosed?.() })
        await peerClosed
        cancel()
      }
      this.#finish()
    })()
    await this.#closeDone
  }

  abort (reason?: Error): void {
    if (this.#state === 'ended') return
    this.#host.cancel(this)
    this.#host.sendAbort(this, reason?.message ?? 'aborted')
    this.#fail(new C5Error('LINK_ABORTED', `radio link to ${this.remote} aborted locally`, { cause: reason }))
  }

  // ── from the station ──

  /** A frame from the peer on this link. */
  deliver (frame: Uint8Array, addressed: boolean): void {
    if (this.#state === 'ended' || this.#rx.finished) return
    if (addressed) this.joined = true
    const cost = FrameQueue.cost(frame)
    if (!this.#rx.hasSpace(cost)) {
      // The reader stopped: we cannot pause the sender over the air.
      this.fail(new C5Error('LINK_ABORTED', `radio link to ${this.remote}: receive buffer overrun (${this.#init.receiveBytes} bytes)`))
      return
    }
    this.stats.framesReceived++
    this.stats.bytesReceived += frame.length
    this.#rx.push(frame)
  }

  /** The peer's CLOSE: it sent everything; we answer with ours after what we queued. */
  peerClose (): void {
    if (this.#state === 'ended') return
    this.#peerSawClose = true
    this.#rx.end()
    if (this.#state === 'closing') { this.#peerClosed?.(); return }
    this.#closedFlag = true
    this.#state = 'closing'
    this.#wakeAll()
    this.#closeDone = (async () => {
      await this.#drained()
      if (this.#state !== 'closing') return
      this.#host.sendClose(this)
      this.#finish()
    })()
  }

  /** The peer's ABORT. */
  peerAbort (reason: string): void {
    if (this.#state === 'ended') return
    this.#host.cancel(this)
    this.#fail(new C5Error('LINK_ABORTED', `radio link aborted by ${this.remote}: ${reason}`))
  }

  /** The station ends the link (stream broken, station gone, roster): the peer is told. */
  fail (err: C5Error, tellPeer = true): void {
    if (this.#state === 'ended') return
    this.#host.cancel(this)
    if (tellPeer) this.#host.sendAbort(this, err.message.slice(0, 64))
    this.#fail(err)
  }

  onPacketDone (p: QueuedPacket, _sent: boolean): void {
    this.queuedBytes -= p.cost
    this.#pendingPackets--
    if (this.queuedBytes < this.#init.queueBytes) this.#release(this.#spaceWaiters)
    if (this.#pendingPackets === 0) this.#release(this.#drainWaiters)
  }

  /** Called by the station when it queues a packet for this link. */
  charge (p: QueuedPacket): void {
    this.queuedBytes += p.cost
    this.#pendingPackets++
  }

  #finish (): void {
    if (this.#state === 'ended') return
    this.#state = 'ended'
    this.#closedFlag = true
    this.#rx.end()
    this.#wakeAll()
    this.#host.ended(this)
  }

  #fail (err: C5Error): void {
    this.#state = 'ended'
    this.#closedFlag = true
    this.#rx.fail(err)
    this.#wakeAll()
    this.#peerClosed?.()
    this.#host.ended(this)
  }

  async #drained (): Promise<void> {
    while (this.#pendingPackets > 0 && this.#state === 'closing') await this.#wait(this.#drainWaiters)
  }

  #wakeAll (): void {
    this.#release(this.#spaceWaiters)
    this.#release(this.#drainWaiters)
  }

  #release (list: Array<() => void>): void {
    for (const w of list.splice(0)) w()
  }

  async #wait (list: Array<() => void>, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(signal?.reason) }
      list.push(() => { signal?.removeEventListener('abort', onAbort); resolve() })
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}
