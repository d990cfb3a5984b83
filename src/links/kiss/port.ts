/**
 * A TNC behind KISS as a RadioPort (docs/protocol/links.md §7.10): frames go out as KISS
 * data frames on one TNC port (the channel), paced by their airtime — `transmit` resolves
 * when the TNC will have finished sending the frame, so nothing waits in the TNC's own queue
 * (Direwolf queues without limit, and KISS says nothing back) and the node keeps the choice
 * of what goes next. Frames the TNC decoded come back through the KISS deframer.
 *
 * The byte stream (TCP socket, serial port) is opened by a `connect` function and reopened
 * with a backoff whenever it drops, so a TNC restart or a USB cable pulled and put back does
 * not stop the node; `transmit` waits for the connection meanwhile.
 */
import { C5Error } from '../../errors.js'
import { timersOf, type Clock, type TimerClock } from '../../util/clock.js'
import { FrameQueue } from '../frame-queue.js'
import type { RadioPort } from '../types.js'
import { frameAirtimeMs, type KeyingTimes } from './airtime.js'
import { encodeKissFrame, KissDeframer, KISS_DATA, KISS_FULLDUPLEX, KISS_TXDELAY, KISS_TXTAIL, type KissDeframerStats } from './kiss.js'

/** A frame the TNC may take at most (Direwolf's KISS buffer, everything escaped: §7.1). */
export const KISS_MAX_FRAME_BYTES = 1023
/** Frames heard and not yet read by the station before new ones are dropped. */
export const KISS_RECEIVE_FRAMES = 256
export const RECONNECT_MIN_MS = 1_000
export const RECONNECT_MAX_MS = 30_000

/** The byte stream to a TNC, as `connect` opens it. */
export interface ByteStream {
  write: (bytes: Uint8Array) => void
  /** Registers the callbacks; called once, right after connect resolves. */
  onData: (fn: (chunk: Uint8Array) => void) => void
  onClose: (fn: (err?: Error) => void) => void
  close: () => void
}

export interface KissPortOptions {
  label: string
  connect: () => Promise<ByteStream>
  /** The TNC's port (radio channel) for our frames, 0–15 (default 0). */
  channel?: number
  bitRate: number
  /** Key-up times, ms (default 300 / 100: Direwolf's defaults); sent to the TNC at connect. */
  txDelayMs?: number
  txTailMs?: number
  /** Tell the TNC full duplex (no carrier sense before transmitting): only for test rigs. */
  fullDuplex?: boolean
  /** Send TXDELAY/TXTAIL/FullDuplex to the TNC at each connect (default true), so its timing is ours. */
  setTncParams?: boolean
  maxFrameBytes?: number
  clock?: Clock
  log?: (event: string, fields: Record<string, unknown>) => void
}

export interface KissPortStats {
  connected: boolean
  connects: number
  framesWritten: number
  /** KISS bytes written (FENDs, command bytes and escapes included). */
  bytesWritten: number
  framesRead: number
  bytesRead: number
  /** Frames heard on other TNC ports, or other commands: ignored. */
  otherPort: number
  /** Frames dropped because the station did not read them in time. */
  dropped: number
  airtimeMs: number
  deframer: KissDeframerStats
}

export interface KissPort extends RadioPort {
  stats: () => KissPortStats
  /** Resolves once connected the first time (RADIO_TNC_UNREACHABLE if the first attempt fails). */
  ready: Promise<void>
}

export function createKissPort (o: KissPortOptions): KissPort {
  const channel = o.channel ?? 0
  if (!Number.isInteger(channel) || channel < 0 || channel > 15) throw new C5Error('LINK_BAD_ARGUMENT', 'KISS channel must be 0–15')
  if (!(o.bitRate > 0)) throw new C5Error('LINK_BAD_ARGUMENT', 'bitRate must be a positive number of bits per second')
  const maxFrameBytes = o.maxFrameBytes ?? KISS_MAX_FRAME_BYTES
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 15 || maxFrameBytes > KISS_MAX_FRAME_BYTES) throw new C5Error('LINK_BAD_ARGUMENT', `maxFrameBytes must be 15–${KISS_MAX_FRAME_BYTES}`)
  const keying: KeyingTimes = { bitRate: o.bitRate, txDelayMs: o.txDelayMs ?? 300, txTailMs: o.txTailMs ?? 100 }
  const clock: TimerClock = timersOf(o.clock)
  const log = (event: string, fields: Record<string, unknown> = {}): void => { try { o.log?.(event, fields) } catch {} }
  const rx = new FrameQueue({ capacityBytes: Number.MAX_SAFE_INTEGER })
  const deframer = new KissDeframer(maxFrameBytes)
  const stats: Omit<KissPortStats, 'deframer'> = { connected: false, connects: 0, framesWritten: 0, bytesWritten: 0, framesRead: 0, bytesRead: 0, otherPort: 0, dropped: 0, airtimeMs: 0 }
  let stream: ByteStream | undefined
  let closed = false
  let connectedWaiters: Array<() => void> = []
  let backoff = RECONNECT_MIN_MS
  let retryTimer: unknown
  let firstResolve!: () => void
  let firstReject!: (e: unknown) => void
  let first = true
  const ready = new Promise<void>((resolve, reject) => { firstResolve = resolve; firstReject = reject })
  ready.catch(() => {})

  function onChunk (chunk: Uint8Array): void {
    stats.bytesRead += chunk.length
    for (const f of deframer.push(chunk)) {
      if (f.port !== channel || f.command !== KISS_DATA) { stats.otherPort++; continue }
      if (rx.length >= KISS_RECEIVE_FRAMES) { stats.dropped++; continue }
      stats.framesRead++
      rx.push(f.data)
    }
  }

  async function connect (): Promise<void> {
    if (closed) return
    try {
      const s = await o.connect()
      if (closed) { s.close(); return }
      stream = s
      stats.connected = true
      stats.connects++
      backoff = RECONNECT_MIN_MS
      s.onData(onChunk)
      s.onClose(err => {
        if (stream !== s) return
        stream = undefined
        stats.connected = false
        if (closed) return
        log('kiss.disconnected', { port: o.label, error: err?.message })
        scheduleReconnect()
      })
      if (o.setTncParams !== false) {
        // KISS parameters are in units of 10 ms.
        s.write(encodeKissFrame(Uint8Array.of(Math.min(255, Math.round(keying.txDelayMs / 10))), { port: channel, command: KISS_TXDELAY }))
        s.write(encodeKissFrame(Uint8Array.of(Math.min(255, Math.round(keying.txTailMs / 10))), { port: channel, command: KISS_TXTAIL }))
        if (o.fullDuplex !== undefined) s.write(encodeKissFrame(Uint8Array.of(o.fullDuplex ? 1 : 0), { port: channel, command: KISS_FULLDUPLEX }))
      }
      log('kiss.connected', { port: o.label })
      if (first) { first = false; firstResolve() }
      for (const w of connectedWaiters.splice(0)) w()
    } catch (err) {
      if (first) {
        first = false
        firstReject(new C5Error('RADIO_TNC_UNREACHABLE', `cannot reach the TNC at ${o.label}: ${(err as Error).message}`, { cause: err }))
      } else {
        log('kiss.reconnect-failed', { port: o.label, error: (err as Error).message })
      }
      scheduleReconnect()
    }
  }

  function scheduleReconnect (): void {
    if (closed || retryTimer !== undefined) return
    retryTimer = clock.setTimeout(() => { retryTimer = undefined; void connect() }, backoff)
    backoff = Math.min(RECONNECT_MAX_MS, backoff * 2)
  }

  void connect()

  return {
    label: o.label,
    maxFrameBytes,
    bitRate: o.bitRate,
    ready,
    airtimeMs: frame => frameAirtimeMs(frame, keying),
    async transmit (frame) {
      if (closed) throw new C5Error('LINK_CLOSED', `KISS port ${o.label} is closed`)
      if (frame.length > maxFrameBytes) throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.length} bytes over the TNC's ${maxFrameBytes}`)
      while (stream === undefined) {
        if (closed) throw new C5Error('LINK_CLOSED', `KISS port ${o.label} is closed`)
        await new Promise<void>(resolve => { connectedWaiters.push(resolve) })
      }
      const bytes = encodeKissFrame(frame, { port: channel })
      stream.write(bytes)
      stats.framesWritten++
      stats.bytesWritten += bytes.length
      const air = frameAirtimeMs(frame, keying)
      stats.airtimeMs += air
      // Pacing: the next frame is handed over only when this one has left the air.
      await new Promise<void>(resolve => { clock.setTimeout(resolve, air) })
    },
    frames: () => rx.frames(),
    stats: () => ({ ...stats, deframer: { ...deframer.stats } }),
    async close () {
      if (closed) return
      closed = true
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer)
      for (const w of connectedWaiters.splice(0)) w()
      const s = stream
      stream = undefined
      s?.close()
      rx.end()
      if (first) { first = false; firstReject(new C5Error('LINK_CLOSED', 'closed before connecting')) }
    }
  }
}
