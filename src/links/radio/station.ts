/**
 * A station on a shared radio channel (docs/protocol/links.md §7): the radio link layer
 * between one RadioPort (a KISS TNC, or the in-memory channel) and the node's sync
 * sessions. It
 *
 * - keeps one receive stream per neighbour, repaired by NACKs (§7.6), and reassembles
 *   its packets (§7.4);
 * - authenticates neighbours by signed hellos checked against the roster (§7.5), opens one
 *   RadioLink per authenticated neighbour and hands it to `onLink` (the node runs a sync
 *   session on it);
 * - sends shared frames (MSG, ROSTER) once for all its links and remembers what the channel
 *   carried (§1.1); shared frames heard outside a link go to `onShared`;
 * - transmits through one Transmitter: urgent lanes first, one frame on the air at a time.
 */
import { createHash, randomBytes } from 'node:crypto'
import { C5Error, isC5Error } from '../../errors.js'
import type { KeyPair } from '../../identity/keys.js'
import { toHex } from '../../identity/keys.js'
import { timersOf, type Clock, type TimerClock } from '../../util/clock.js'
import type { RadioPort } from '../types.js'
import {
  BEACON_INTERVAL_MS, BROADCAST_TAG, CLOSE_TIMEOUT_FRAMES, DEFAULT_RADIO_FRAME_BYTES, DEFAULT_RADIO_LINK_MAX_FRAME_BYTES, HELLO_MAX_SKEW_MS,
  KIND_ABORT, KIND_CLOSE, KIND_FRAME, KIND_HELLO, LANE_CONTROL, LANES, LINK_QUEUE_BYTES, LINK_RECEIVE_BYTES, MAX_NACK_ATTEMPTS,
  MAX_RADIO_FRAME_BYTES, MIN_RADIO_FRAME_BYTES, NACK_DELAY_FRAMES, NACK_RETRY_FRAMES, OPEN_JITTER_FRAMES, OPEN_RETRY_FRAMES,
  REOFFER_AFTER_FRAMES, REOPEN_MAX_BACKOFF_MS, REOPEN_MIN_BACKOFF_MS, RETRANSMIT_HOLDOFF_FRAMES, SEQ_MODULO, SHARED_MEMORY_IDS,
  STATION_ID_PATTERN, STATUS_AFTER_IDLE_FRAMES
} from './constants.js'
import { decodeRadioFrame, encodeRadioFrame, type DataFrame, type NackFrame, type StatusFrame } from './frame.js'
import { decodeHello, encodeHello, EPOCH_BYTES, stationTag, type Hello } from './hello.js'
import { RadioLink, type LinkHost } from './link.js'
import { preparePacket, Reassembler, type Packet } from './packets.js'
import { ReceiveStream } from './receive-stream.js'
import { Transmitter, type QueuedPacket } from './transmitter.js'
import { BoundedIdMap } from '../../sync/bounded-set.js'

/** How long stop() waits for the peers' CLOSE before it stops anyway. */
export const STOP_TIMEOUT_MS = 10_000
/** Neighbours tracked at once (tags heard); beyond it unknown senders are ignored. */
export const MAX_TRACKED_STATIONS = 256

export interface StationInfo {
  tag: number
  key: Uint8Array
  stationId: string
}

export interface RadioStationOptions {
  port: RadioPort
  nodeKey: KeyPair
  /** This station's id, sent in hellos: a call sign or a name (A–Z, 0–9, "-", "/"; ≤ 16). */
  stationId: string
  /** Whether a neighbour with this node key may have a link now (roster, bans). */
  allowKey: (key: Uint8Array) => boolean
  /** Called for each new link; the node runs a sync session on it. */
  onLink: (link: RadioLink, from: StationInfo) => void
  /** A shared frame (MSG, ROSTER) from an authenticated neighbour with no link that takes it. */
  onShared?: (frame: Uint8Array, from: StationInfo) => void
  /** The roster version we hold (carried in hellos, informative). */
  rosterVersion?: () => number
  clock?: Clock
  /** Uniform [0, 1): jitter (default Math.random; tests and the simulator seed it). */
  random?: () => number
  /** The 8 random bytes of this run (default: crypto random). */
  epoch?: Uint8Array
  /** Radio frame size (default DEFAULT_RADIO_FRAME_BYTES; at most the port's and MAX_RADIO_FRAME_BYTES). */
  frameBytes?: number
  linkMaxFrameBytes?: number
  linkQueueBytes?: number
  linkReceiveBytes?: number
  beaconIntervalMs?: number
  maxSkewMs?: number
  /** How long stop() waits for links to close gracefully (default STOP_TIMEOUT_MS). */
  stopTimeoutMs?: number
  /** A frame time (ms) for the timers, instead of the airtime of one largest frame (tests). */
  frameTimeMs?: number
  onTransmit?: ConstructorParameters<typeof Transmitter>[0]['onTransmit']
  log?: (event: string, fields: Record<string, unknown>) => void
}

export interface NeighbourView {
  tag: string
  stationId?: string
  key?: string
  state: 'linked' | 'opening' | 'heard' | 'refused' | 'unverified'
  lastHeard?: number
  framesHeard: number
  bytesHeard: number
  duplicates: number
  /** Frames of this neighbour we NACKed, and its frames skipped as lost beyond repair. */
  nacked: number
  lost: number
  link?: RadioLink['stats']
}

export interface RadioStationStats {
  stationId: string
  tag: string
  frameBytes: number
  bitRate: number
  framesSent: number
  bytesSent: number
  framesReceived: number
  bytesReceived: number
  /** Frames sent again on a NACK. */
  retransmissions: number
  nacksSent: number
  nacksReceived: number
  statusSent: number
  /** Our transmissions' airtime, ms. */
  airtimeMs: number
  malformed: number
  badHellos: number
  sharedSent: number
  sharedDeduped: number
  /** Per lane: control, flash, immediate, priority, routine. */
  queue: Record<'control' | 'flash' | 'immediate' | 'priority' | 'routine', { packets: number, bytes: number }>
}

interface Neighbour {
  tag: number
  stream: ReceiveStream
  reasm: Reassembler
  info?: StationInfo & { epoch: Uint8Array, lastTime: number }
  refused: boolean
  link?: RadioLink
  opening?: { cancel: () => void }
  openTimer?: () => void
  reopenAt: number
  backoffMs: number
  linkedAt: number
  lastHeard: number
  nackTimer?: () => void
  nackAttempts: number
  /** The oldest missing seq when we last NACKed (attempts count per gap). */
  nackFirst?: number
  nacked: number
  framesHeard: number
  bytesHeard: number
}

const LANE_NAMES = ['control', 'flash', 'immediate', 'priority', 'routine'] as const

export interface RadioStation {
  readonly tag: number
  readonly epoch: Uint8Array
  readonly stationId: string
  start: () => void
  stats: () => RadioStationStats
  neighbours: () => NeighbourView[]
  links: () => RadioLink[]
  /** The roster or the bans changed: cut links that allowKey now refuses, and retry refused stations. */
  recheck: () => void
  /** Sends a beacon now (and at every beacon interval). */
  beacon: () => void
  /** Closes every link gracefully (bounded), stops transmitting and closes the port. */
  stop: () => Promise<void>
}

export function createRadioStation (o: RadioStationOptions): RadioStation {
  if (!STATION_ID_PATTERN.test(o.stationId)) throw new C5Error('LINK_BAD_ARGUMENT', `station id ${JSON.stringify(o.stationId)}: expected 1–16 of A–Z, 0–9, "-", "/"`)
  const frameBytes = o.frameBytes ?? Math.min(DEFAULT_RADIO_FRAME_BYTES, o.port.maxFrameBytes)
  if (!Number.isInteger(frameBytes) || frameBytes < MIN_RADIO_FRAME_BYTES || frameBytes > Math.min(MAX_RADIO_FRAME_BYTES, o.port.maxFrameBytes)) {
    throw new C5Error('LINK_BAD_ARGUMENT', `frameBytes must be an integer between ${MIN_RADIO_FRAME_BYTES} and ${Math.min(MAX_RADIO_FRAME_BYTES, o.port.maxFrameBytes)}`)
  }
  const clock: TimerClock = timersOf(o.clock)
  const random = o.random ?? Math.random
  const epoch = o.epoch ?? new Uint8Array(randomBytes(EPOCH_BYTES))
  const tag = stationTag(o.nodeKey.publicKey)
  const stream = epoch[0]
  const frameMs = o.frameTimeMs ?? o.port.airtimeMs(new Uint8Array(frameBytes).fill(0x7e))
  const linkMax = o.linkMaxFrameBytes ?? DEFAULT_RADIO_LINK_MAX_FRAME_BYTES
  const log = (event: string, fields: Record<string, unknown> = {}): void => { try { o.log?.(event, fields) } catch {} }
  const neighbours = new Map<number, Neighbour>()
  const shared = new BoundedIdMap<number>(SHARED_MEMORY_IDS) // frame digest → when the channel last carried it
  const queuedShared = new Map<string, QueuedPacket>()
  const timers = new Set<unknown>()
  let stopped = false
  let started = false
  const st = { malformed: 0, badHellos: 0, nacksReceived: 0, sharedSent: 0, sharedDeduped: 0, framesReceived: 0, bytesReceived: 0 }

  function schedule (ms: number, fn: () => void): () => void {
    const h = clock.setTimeout(() => { timers.delete(h); if (!stopped) fn() }, Math.max(0, ms))
    timers.add(h)
    return () => { if (timers.delete(h)) clock.clearTimeout(h) }
  }

  const tx = new Transmitter({
    port: o.port,
    tag,
    stream,
    firstSeq: Math.floor(random() * SEQ_MODULO),
    clock,
    statusIdleMs: STATUS_AFTER_IDLE_FRAMES.map(f => f * frameMs),
    retransmitHoldoffMs: RETRANSMIT_HOLDOFF_FRAMES * frameMs,
    wantStatus: () => [...neighbours.values()].some(n => n.info !== undefined && !n.refused),
    onFailure: err => {
      log('radio.port-failed', { port: o.port.label, error: String(err) })
      for (const n of neighbours.values()) n.link?.fail(new C5Error('RADIO_TNC_FAILED', `radio port ${o.port.label} failed`, { cause: err }), false)
    },
    ...(o.onTransmit === undefined ? {} : { onTransmit: o.onTransmit })
  })

  const enqueue = (p: Packet, extra: Partial<QueuedPacket> = {}): QueuedPacket => {
    const q: QueuedPacket = { ...preparePacket(p, frameBytes), cost: p.payload.length, airBytes: 0, ...extra }
    tx.enqueue(q)
    return q
  }
  const laneOf = (rank: number | undefined): number => rank === undefined ? LANE_CONTROL : Math.min(LANES - 1, Math.max(1, Math.floor(rank) + 1))

  // ── links ──

  const host: LinkHost = {
    sendAddressed (link, frame, rank) {
      const q = { ...preparePacket({ lane: laneOf(rank), kind: KIND_FRAME, dst: link.peerTag, payload: frame }, frameBytes), cost: frame.length, airBytes: 0, owner: link }
      link.charge(q)
      tx.enqueue(q)
    },
    sendShared (link, frame, share, rank) {
      const id = digestHex(frame)
      const carried = shared.get(id)
      const recent = carried !== undefined && (share === 'push' || clock.now() - carried < REOFFER_AFTER_FRAMES * frameMs)
      if (queuedShared.has(id) || recent) { st.sharedDeduped++; link.stats.sharedDeduped++; return }
      const q: QueuedPacket = { ...preparePacket({ lane: laneOf(rank), kind: KIND_FRAME, dst: BROADCAST_TAG, payload: frame }, frameBytes), cost: frame.length, airBytes: 0, sharedId: id }
      q.owner = {
        onPacketDone: (p, sent) => {
          queuedShared.delete(id)
          if (sent) shared.set(id, clock.now())
          link.onPacketDone(p, sent)
        }
      }
      link.charge(q)
      queuedShared.set(id, q)
      st.sharedSent++
      tx.enqueue(q)
    },
    sendClose (link) { enqueue({ lane: LANE_CONTROL, kind: KIND_CLOSE, dst: link.peerTag, payload: new Uint8Array(0) }) },
    sendAbort (link, reason) { enqueue({ lane: LANE_CONTROL, kind: KIND_ABORT, dst: link.peerTag, payload: new TextEncoder().encode(reason.slice(0, 64)) }) },
    cancel (link) { tx.cancel(link) },
    ended (link) {
      const n = neighbours.get(link.peerTag)
      if (n === undefined || n.link !== link) return
      n.link = undefined
      // A link that lived a while ended for a reason of its own: retry soon; one that keeps
      // failing backs off.
      n.backoffMs = clock.now() - n.linkedAt > REOPEN_MAX_BACKOFF_MS ? REOPEN_MIN_BACKOFF_MS : Math.min(REOPEN_MAX_BACKOFF_MS, Math.max(REOPEN_MIN_BACKOFF_MS, n.backoffMs * 2))
      n.reopenAt = clock.now() + n.backoffMs
      log('radio.link-ended', { station: n.info?.stationId, retryInMs: n.backoffMs })
      if (!stopped) maybeOpen(n)
    },
    schedule
  }

  function createLink (n: Neighbour): void {
    if (n.info === undefined) return
    n.opening?.cancel()
    n.opening = undefined
    n.openTimer?.()
    n.openTimer = undefined
    const link = new RadioLink(host, {
      remote: `radio:${n.info.stationId}`,
      remoteKey: n.info.key,
      peerTag: n.tag,
      maxFrameBytes: linkMax,
      queueBytes: o.linkQueueBytes ?? LINK_QUEUE_BYTES,
      receiveBytes: o.linkReceiveBytes ?? LINK_RECEIVE_BYTES,
      closeTimeoutMs: CLOSE_TIMEOUT_FRAMES * frameMs
    })
    n.link = link
    n.linkedAt = clock.now()
    log('radio.link-open', { station: n.info.stationId })
    try {
      o.onLink(link, { tag: n.tag, key: n.info.key, stationId: n.info.stationId })
    } catch (err) {
      log('radio.on-link-threw', { error: String(err) })
      link.abort(err as Error)
    }
  }

  // ── hellos ──

  let lastHelloTime = 0
  function sendHello (dst: number, reply: boolean, echo?: Uint8Array): void {
    // Strictly increasing, even within one millisecond: receivers refuse a time not above the last.
    lastHelloTime = Math.max(clock.now(), lastHelloTime + 1)
    const body = encodeHello({ epoch, time: lastHelloTime, reply, stationId: o.stationId, rosterVersion: o.rosterVersion?.() ?? 0, ...(echo === undefined ? {} : { echo }) }, o.nodeKey, dst)
    enqueue({ lane: LANE_CONTROL, kind: KIND_HELLO, dst, payload: body })
  }

  function maybeOpen (n: Neighbour): void {
    if (stopped || n.link !== undefined || n.opening !== undefined || n.info === undefined || n.refused) return
    if (!o.allowKey(n.info.key)) { n.refused = true; return }
    const wait = Math.max(0, n.reopenAt - clock.now())
    n.openTimer?.()
    n.openTimer = schedule(wait + random() * OPEN_JITTER_FRAMES * frameMs, () => {
      n.openTimer = undefined
      if (n.link !== undefined || n.opening !== undefined || n.info === undefined || n.refused) return
      sendHello(n.tag, false, n.info.epoch)
      n.opening = {
        cancel: schedule(OPEN_RETRY_FRAMES * frameMs, () => {
          n.opening = undefined
          n.backoffMs = Math.min(REOPEN_MAX_BACKOFF_MS, Math.max(REOPEN_MIN_BACKOFF_MS, n.backoffMs * 2))
          n.reopenAt = clock.now() + n.backoffMs
          maybeOpen(n)
        })
      }
    })
  }

  function onHello (n: Neighbour, p: Packet): void {
    let h: Hello
    try {
      h = decodeHello(p.payload, p.dst)
    } catch (err) {
      st.badHellos++
      log('radio.bad-hello', { tag: n.tag, error: isC5Error(err) ? err.message : String(err) })
      return
    }
    const now = clock.now()
    const why = refuseHello(n, h, p.dst, now)
    if (why !== undefined) {
      st.badHellos++
      log('radio.hello-refused', { tag: n.tag, station: h.stationId, reason: why })
      return
    }
    if (!o.allowKey(h.key)) {
      if (!n.refused) log('radio.station-refused', { station: h.stationId, key: toHex(h.key) })
      n.refused = true
      n.info = { tag: n.tag, key: h.key, stationId: h.stationId, epoch: h.epoch, lastTime: h.time }
      return
    }
    n.refused = false
    const restarted = n.info !== undefined && Buffer.compare(n.info.epoch, h.epoch) !== 0
    if (restarted && n.link !== undefined) n.link.fail(new C5Error('LINK_ABORTED', `station ${h.stationId} restarted`), false)
    n.info = { tag: n.tag, key: h.key, stationId: h.stationId, epoch: h.epoch, lastTime: h.time }
    if (p.dst === BROADCAST_TAG) { maybeOpen(n); return }
    if (!h.reply) {
      // An open: the peer has no link with us (any we hold is stale); answer and link.
      if (n.link !== undefined) n.link.fail(new C5Error('LINK_ABORTED', `station ${h.stationId} opened a new link`), false)
      sendHello(n.tag, true, h.epoch)
      createLink(n)
    } else if (n.link === undefined && n.opening !== undefined) {
      createLink(n)
    }
  }

  /** Why a well-signed hello is not accepted, or undefined. */
  function refuseHello (n: Neighbour, h: Hello, dst: number, now: number): string | undefined {
    if (stationTag(h.key) !== n.tag) return 'its key does not match its station tag'
    if (Math.abs(h.time - now) > (o.maxSkewMs ?? HELLO_MAX_SKEW_MS)) return 'its time is too far from ours'
    if (n.info !== undefined && Buffer.compare(n.info.key, h.key) !== 0 && !n.refused) return 'another key already holds this tag'
    if (n.info !== undefined && Buffer.compare(n.info.key, h.key) === 0 && h.time <= n.info.lastTime) return 'replayed (not newer than the last hello)'
    if (dst !== BROADCAST_TAG && (h.echo === undefined || Buffer.compare(h.echo, epoch) !== 0)) return 'it echoes another run of ours'
    return undefined
  }

  // ── receiving ──

  function neighbour (t: number): Neighbour | undefined {
    let n = neighbours.get(t)
    if (n === undefined) {
      if (neighbours.size >= MAX_TRACKED_STATIONS) return undefined
      n = { tag: t, stream: new ReceiveStream(), reasm: new Reassembler(tag), refused: false, reopenAt: 0, backoffMs: 0, linkedAt: 0, lastHeard: 0, nackAttempts: 0, nacked: 0, framesHeard: 0, bytesHeard: 0 }
      neighbours.set(t, n)
    }
    return n
  }

  function onData (f: DataFrame): void {
    const n = neighbour(f.src)
    if (n === undefined) return
    if (n.refused) return
    const r = n.stream.accept(f)
    if (r.broken) onBroken(n)
    for (const d of r.deliver) {
      const p = n.reasm.push(d)
      if (p !== undefined) onPacket(n, p)
    }
    afterStreamChange(n)
  }

  function onStatus (f: StatusFrame): void {
    const n = neighbours.get(f.src) ?? neighbour(f.src)
    if (n === undefined || n.refused) return
    const r = n.stream.onStatus(f.stream, f.next, f.oldest)
    if (r.broken) onBroken(n)
    for (const d of r.deliver) {
      const p = n.reasm.push(d)
      if (p !== undefined) onPacket(n, p)
    }
    afterStreamChange(n)
  }

  function onNack (f: NackFrame): void {
    if (f.target === tag) {
      if (f.stream !== stream) return
      st.nacksReceived++
      tx.onNack(f.ranges)
      return
    }
    // Another station asked for what we may miss too: wait for that repair instead of asking.
    const n = neighbours.get(f.target)
    if (n?.nackTimer === undefined || f.stream !== n.stream.stream) return
    const first = n.stream.missing()[0]
    if (first !== undefined && f.ranges.some(([s, c]) => ((first[0] - s + SEQ_MODULO) % SEQ_MODULO) < c)) {
      n.nackTimer()
      n.nackTimer = schedule((NACK_RETRY_FRAMES + first[1]) * frameMs, () => { n.nackTimer = undefined; fireNack(n) })
    }
  }

  function afterStreamChange (n: Neighbour): void {
    if (!n.stream.hasGaps) {
      n.nackTimer?.()
      n.nackTimer = undefined
      n.nackAttempts = 0
      return
    }
    // Unverified senders are NACKed too: the frames we miss may hold the hello that makes them
    // known, and a gap left open would hold back everything after it. Refused ones are not.
    if (n.nackTimer !== undefined || n.refused) return
    n.nackTimer = schedule(NACK_DELAY_FRAMES * frameMs * (0.5 + random()), () => { n.nackTimer = undefined; fireNack(n) })
  }

  function fireNack (n: Neighbour): void {
    const ranges = n.stream.missing()
    if (ranges.length === 0) { n.nackAttempts = 0; return }
    // Attempts count per gap: the oldest missing frame. On a long lossy transfer new gaps open
    // while old ones are repaired; only a gap that stays unanswered is given up.
    if (ranges[0][0] !== n.nackFirst) { n.nackFirst = ranges[0][0]; n.nackAttempts = 0 }
    if (n.nackAttempts >= MAX_NACK_ATTEMPTS) {
      // The sender does not answer: give the gap up (its links cannot be trusted now).
      log('radio.frames-lost', { station: n.info?.stationId, missing: ranges.reduce((s, r) => s + r[1], 0) })
      n.nackAttempts = 0
      const r = n.stream.skipGap()
      if (r.broken) onBroken(n)
      for (const d of r.deliver) {
        const p = n.reasm.push(d)
        if (p !== undefined) onPacket(n, p)
      }
      afterStreamChange(n)
      return
    }
    n.nackAttempts++
    const missing = ranges.reduce((s, r) => s + r[1], 0)
    n.nacked += missing
    tx.sendNack(encodeRadioFrame({ type: 'nack', src: tag, target: n.tag, stream: n.stream.stream, ranges }))
    n.nackTimer = schedule((NACK_RETRY_FRAMES + missing) * frameMs, () => { n.nackTimer = undefined; fireNack(n) })
  }

  function onBroken (n: Neighbour): void {
    n.reasm.reset()
    if (n.link !== undefined) n.link.fail(new C5Error('LINK_ABORTED', `frames from ${n.info?.stationId ?? n.tag} lost beyond repair`))
  }

  function onPacket (n: Neighbour, p: Packet): void {
    if (p.kind === KIND_HELLO) { onHello(n, p); return }
    if (n.info === undefined || n.refused) return // only authenticated stations are heard
    const from: StationInfo = { tag: n.tag, key: n.info.key, stationId: n.info.stationId }
    if (p.kind === KIND_FRAME) {
      if (p.dst === BROADCAST_TAG) {
        shared.set(digestHex(p.payload), clock.now())
        if (n.link !== undefined && n.link.joined) n.link.deliver(p.payload, false)
        else o.onShared?.(p.payload, from)
      } else {
        n.link?.deliver(p.payload, true)
      }
      return
    }
    if (p.dst === BROADCAST_TAG) return
    if (p.kind === KIND_CLOSE) n.link?.peerClose()
    else if (p.kind === KIND_ABORT) n.link?.peerAbort(new TextDecoder().decode(p.payload).replace(/[^\x20-\x7e]/g, '?'))
  }

  async function receiveLoop (): Promise<void> {
    try {
      for await (const bytes of o.port.frames()) {
        if (stopped) return
        st.framesReceived++
        st.bytesReceived += bytes.length
        let f
        try {
          f = decodeRadioFrame(bytes)
        } catch {
          st.malformed++
          continue
        }
        if (f.src === tag) continue // our own frame, echoed by a digipeater or a second client
        const n = neighbours.get(f.src)
        if (n !== undefined) { n.lastHeard = clock.now(); n.framesHeard++; n.bytesHeard += bytes.length }
        if (f.type === 'data') onData(f)
        else if (f.type === 'status') onStatus(f)
        else onNack(f)
      }
    } catch (err) {
      if (!stopped) log('radio.receive-failed', { port: o.port.label, error: String(err) })
    }
    if (!stopped) {
      for (const n of neighbours.values()) n.link?.fail(new C5Error('RADIO_TNC_FAILED', `radio port ${o.port.label} stopped delivering frames`), false)
    }
  }

  function beacon (): void {
    if (stopped) return
    sendHello(BROADCAST_TAG, false)
  }

  function scheduleBeacon (): void {
    const every = o.beaconIntervalMs ?? BEACON_INTERVAL_MS
    schedule(every * (0.9 + 0.2 * random()), () => { beacon(); scheduleBeacon() })
  }

  return {
    tag,
    epoch,
    stationId: o.stationId,
    start () {
      if (started) return
      started = true
      tx.start()
      void receiveLoop()
      beacon()
      scheduleBeacon()
    },
    stats () {
      const depth = tx.depth()
      return {
        stationId: o.stationId,
        tag: tag.toString(16).padStart(4, '0'),
        frameBytes,
        bitRate: o.port.bitRate,
        framesSent: tx.stats.frames,
        bytesSent: tx.stats.bytes,
        framesReceived: st.framesReceived,
        bytesReceived: st.bytesReceived,
        retransmissions: tx.stats.retransmissions,
        nacksSent: tx.stats.nacks,
        nacksReceived: st.nacksReceived,
        statusSent: tx.stats.statuses,
        airtimeMs: Math.round(tx.stats.airtimeMs),
        malformed: st.malformed,
        badHellos: st.badHellos,
        sharedSent: st.sharedSent,
        sharedDeduped: st.sharedDeduped,
        queue: Object.fromEntries(LANE_NAMES.map((name, i) => [name, depth[i]])) as RadioStationStats['queue']
      }
    },
    neighbours () {
      return [...neighbours.values()].map(n => ({
        tag: n.tag.toString(16).padStart(4, '0'),
        ...(n.info === undefined ? {} : { stationId: n.info.stationId, key: toHex(n.info.key) }),
        state: n.info === undefined ? 'unverified' : n.refused ? 'refused' : n.link !== undefined ? 'linked' : n.opening !== undefined ? 'opening' : 'heard',
        ...(n.lastHeard === 0 ? {} : { lastHeard: n.lastHeard }),
        framesHeard: n.framesHeard,
        bytesHeard: n.bytesHeard,
        duplicates: n.stream.stats.duplicates,
        nacked: n.nacked,
        lost: n.stream.stats.skipped,
        ...(n.link === undefined ? {} : { link: { ...n.link.stats } })
      }))
    },
    links: () => [...neighbours.values()].flatMap(n => n.link === undefined ? [] : [n.link]),
    recheck () {
      for (const n of neighbours.values()) {
        if (n.info === undefined) continue
        const ok = o.allowKey(n.info.key)
        if (!ok && n.link !== undefined) n.link.fail(new C5Error('LINK_REFUSED', `station ${n.info.stationId} is no longer allowed`))
        if (!ok) { n.refused = true; continue }
        if (n.refused) { n.refused = false; maybeOpen(n) }
      }
    },
    beacon,
    async stop () {
      if (stopped) return
      const closing = [...neighbours.values()].flatMap(n => n.link === undefined ? [] : [n.link.close().catch(() => {})])
      let cancel = (): void => {}
      await Promise.race([Promise.all(closing), new Promise<void>(resolve => { cancel = schedule(o.stopTimeoutMs ?? STOP_TIMEOUT_MS, resolve) })])
      cancel()
      stopped = true
      for (const h of timers) clock.clearTimeout(h)
      timers.clear()
      for (const n of neighbours.values()) n.link?.fail(new C5Error('LINK_CLOSED', 'radio station stopped'), false)
      await tx.stop()
      await o.port.close()
    }
  }
}

function digestHex (b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}
