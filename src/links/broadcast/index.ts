/**
 * An in-memory radio channel: many stations on one shared, half-duplex, lossy medium, on an
 * injected clock (docs/protocol/links.md §7.8). Tests use it for three or more stations with
 * loss and no sleeps; the simulator uses it as its radio link class (1200 and 9600 bit/s).
 * Each station gets a `RadioPort` — the same interface a KISS TNC offers — and the radio
 * link layer (src/links/radio) runs on top, unchanged.
 *
 * The model: one transmission at a time on the whole channel (a perfect carrier sense: a
 * station waits while another transmits, first come first served). A transmission lasts
 * the same airtime a real modem takes (TXDELAY + bit-stuffed HDLC frame + TXTAIL,
 * src/links/kiss/airtime.ts) and, when it ends, is delivered to every other station that
 * hears the sender, each independently lost with the configured probability (a bad CRC at
 * that receiver). A station does not hear itself.
 *
 * @example
 * const channel = createBroadcastChannel({ bitRate: 1200, clock, loss: 0.1, random: rng })
 * const a = channel.station('a'), b = channel.station('b'), c = channel.station('c')
 * await a.transmit(frame)            // resolves after its airtime, on `clock`
 * for await (const f of b.frames()) { … }
 * channel.stats()                    // per station: frames/bytes sent and heard, lost, airtime
 */
import { C5Error } from '../../errors.js'
import { timersOf, type Clock, type TimerClock } from '../../util/clock.js'
import { FrameQueue } from '../frame-queue.js'
import type { RadioPort } from '../types.js'
import { frameAirtimeMs, type KeyingTimes } from '../kiss/airtime.js'

/** Defaults: Direwolf's TXDELAY 300 ms and TXTAIL 100 ms (its defaults, and the recipe's). */
export const DEFAULT_TX_DELAY_MS = 300
export const DEFAULT_TX_TAIL_MS = 100
/** Largest frame a station may transmit (a KISS TNC's safe limit, §7.1). */
export const DEFAULT_CHANNEL_MAX_FRAME_BYTES = 1023
/** Frames a station's receive buffer holds before it drops (a TNC that is not read). */
export const STATION_RECEIVE_FRAMES = 256

export interface BroadcastChannelOptions {
  /** Bits per second on the air (1200 AFSK, 9600 G3RUH, …). */
  bitRate: number
  /** Key-up times per transmission, ms (default 300 / 100). */
  txDelayMs?: number
  txTailMs?: number
  maxFrameBytes?: number
  /**
   * Loss at each receiver: a probability in [0, 1), or a function deciding for each
   * (sender, receiver, frame) whether that receiver loses it. Default 0.
   */
  loss?: number | ((from: string, to: string, frame: Uint8Array) => boolean)
  /** Uniform [0, 1) source for probabilistic loss (default Math.random; the simulator seeds it). */
  random?: () => number
  /** Which stations hear which (default: every station hears every other). */
  hears?: (from: string, to: string) => boolean
  /** Time and timers (default the wall clock); a virtual clock runs the channel in virtual time. */
  clock?: Clock
}

export interface StationStats {
  framesSent: number
  bytesSent: number
  /** Total airtime of this station's transmissions, ms. */
  airtimeMs: number
  framesHeard: number
  bytesHeard: number
  /** Frames that reached this station's antenna but were lost (loss model) or overflowed its buffer. */
  framesLost: number
}

export interface BroadcastChannel {
  /** A new station on the channel; `name` labels it (unique). */
  station: (name: string) => RadioPort
  /** Per-station counters. */
  stats: () => Record<string, StationStats>
  /** Changes the loss model from now on (the simulator's fades and storms). */
  setLoss: (loss: BroadcastChannelOptions['loss']) => void
  /** Total airtime used on the channel, ms. */
  busyMs: () => number
}

interface Station {
  name: string
  queue: FrameQueue
  stats: StationStats
  closed: boolean
}

export function createBroadcastChannel (options: BroadcastChannelOptions): BroadcastChannel {
  if (!(options.bitRate > 0)) throw new C5Error('LINK_BAD_ARGUMENT', 'bitRate must be a positive number (bits per second)')
  const keying: KeyingTimes = { bitRate: options.bitRate, txDelayMs: options.txDelayMs ?? DEFAULT_TX_DELAY_MS, txTailMs: options.txTailMs ?? DEFAULT_TX_TAIL_MS }
  if (!(keying.txDelayMs >= 0) || !(keying.txTailMs >= 0)) throw new C5Error('LINK_BAD_ARGUMENT', 'txDelayMs and txTailMs must be ≥ 0')
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_CHANNEL_MAX_FRAME_BYTES
  const clock: TimerClock = timersOf(options.clock)
  const random = options.random ?? Math.random
  const hears = options.hears ?? (() => true)
  let loss = options.loss ?? 0
  const stations = new Map<string, Station>()
  /** Counters by name, kept after a station closes (a restarted station goes on counting). */
  const counters = new Map<string, StationStats>()
  /** When the medium is free again (the end of the transmission booked last). */
  let freeAt = 0
  let busyMs = 0

  const lost = (from: string, to: string, frame: Uint8Array): boolean =>
    typeof loss === 'function' ? loss(from, to, frame) : loss > 0 && random() < loss

  function deliver (from: Station, frame: Uint8Array): void {
    for (const s of stations.values()) {
      if (s === from || s.closed || !hears(from.name, s.name)) continue
      if (lost(from.name, s.name, frame) || s.queue.length >= STATION_RECEIVE_FRAMES) { s.stats.framesLost++; continue }
      s.stats.framesHeard++
      s.stats.bytesHeard += frame.length
      s.queue.push(frame.slice())
    }
  }

  function station (name: string): RadioPort {
    if (stations.has(name)) throw new C5Error('LINK_BAD_ARGUMENT', `station ${name} is already on the channel`)
    const st: Station = {
      name,
      queue: new FrameQueue({ capacityBytes: Number.MAX_SAFE_INTEGER }),
      stats: counters.get(name) ?? { framesSent: 0, bytesSent: 0, airtimeMs: 0, framesHeard: 0, bytesHeard: 0, framesLost: 0 },
      closed: false
    }
    stations.set(name, st)
    counters.set(name, st.stats)
    let transmitting = false
    return {
      label: `memory:${name}`,
      maxFrameBytes,
      bitRate: options.bitRate,
      airtimeMs: frame => frameAirtimeMs(frame, keying),
      async transmit (frame) {
        if (st.closed) throw new C5Error('LINK_CLOSED', `station ${name} is closed`)
        if (!(frame instanceof Uint8Array)) throw new C5Error('LINK_BAD_ARGUMENT', 'frame must be a Uint8Array')
        if (frame.length > maxFrameBytes) throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.length} bytes is over the modem's ${maxFrameBytes}`)
        if (transmitting) throw new C5Error('LINK_BAD_ARGUMENT', 'one transmit at a time')
        transmitting = true
        try {
          const copy = frame.slice()
          const air = frameAirtimeMs(copy, keying)
          // Carrier sense: the transmission starts when the medium is free.
          const end = Math.max(clock.now(), freeAt) + air
          freeAt = end
          busyMs += air
          st.stats.framesSent++
          st.stats.bytesSent += copy.length
          st.stats.airtimeMs += air
          await new Promise<void>(resolve => { clock.setTimeout(resolve, end - clock.now()) })
          if (!st.closed) deliver(st, copy)
        } finally {
          transmitting = false
        }
      },
      frames: () => st.queue.frames(),
      async close () {
        if (st.closed) return
        st.closed = true
        st.queue.end()
        stations.delete(name)
      }
    }
  }

  return {
    station,
    stats: () => Object.fromEntries([...counters].map(([n, s]) => [n, { ...s }])),
    setLoss: l => { loss = l ?? 0 },
    busyMs: () => busyMs
  }
}
