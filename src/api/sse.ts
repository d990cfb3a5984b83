/**
 * The event stream (GET /v1/events, server-sent events) with bounded cost (issue 13 §2):
 *
 * - each event is serialised once, into a ring of the last EVENT_RING_MAX events (and at
 *   most EVENT_RING_MAX_BYTES), whatever the number of clients;
 * - each client has a cursor into the ring and is written only while its socket takes it
 *   (at most WRITE_HIGH_WATER_BYTES unsent per client): a slow reader costs a cursor, not a
 *   copy of everything it has not read;
 * - a client that makes no progress for STALL_MS while events wait for it, or whose cursor
 *   fell out of the ring, is dropped; it reconnects with `Last-Event-ID` (ids are
 *   `<boot>.<seq>`) and gets every event it missed, paced the same way. An id from another
 *   boot, or older than the ring, gets a `reset` event: reload the list, then go on;
 * - at most MAX_CLIENTS at once; a heartbeat comment every HEARTBEAT_MS.
 */
import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import type { Envelope } from '../envelope/types.js'
import type { NodeCore } from '../node/core.js'
import { envelopeView } from '../node/views.js'
import { timersOf, type TimerClock } from '../util/clock.js'

export const EVENT_RING_MAX = 4096
export const EVENT_RING_MAX_BYTES = 8 * 1024 * 1024
export const WRITE_HIGH_WATER_BYTES = 64 * 1024
export const STALL_MS = 30_000
export const MAX_CLIENTS = 64
export const HEARTBEAT_MS = 15_000

interface Entry { seq: number, text: string }
interface Client { res: ServerResponse, next: number, progressAt: number }

export interface EventHubOptions { maxClients?: number, highWaterBytes?: number, stallMs?: number, ringMax?: number, ringMaxBytes?: number, heartbeatMs?: number }

export interface EventHub {
  /** Attaches a response (call only when clients() < maxClients). */
  attach: (res: ServerResponse, lastEventId: string | undefined) => void
  clients: () => number
  readonly maxClients: number
  stats: () => { clients: number, dropped: number, events: number, ringBytes: number, unsentBytes: number }
  /** 'attach' when a client is attached (tests wait on it rather than on a timer). */
  events: EventEmitter<{ attach: [] }>
  close: () => void
}

export function createEventHub (core: Pick<NodeCore, 'ingest' | 'clock'>, options: EventHubOptions = {}): EventHub {
  const boot = randomBytes(4).toString('hex')
  const maxClients = options.maxClients ?? MAX_CLIENTS
  const highWater = options.highWaterBytes ?? WRITE_HIGH_WATER_BYTES
  const stallMs = options.stallMs ?? STALL_MS
  const ringMax = options.ringMax ?? EVENT_RING_MAX
  const ringMaxBytes = options.ringMaxBytes ?? EVENT_RING_MAX_BYTES
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  const clock: TimerClock = timersOf(core.clock, { unref: true })
  const ring: Entry[] = []
  let ringBytes = 0
  let seq = 0
  let dropped = 0
  const clients = new Set<Client>()
  const hubEvents = new EventEmitter<{ attach: [] }>()

  const firstHeld = (): number => ring[0]?.seq ?? seq + 1

  function drop (c: Client): void {
    if (!clients.delete(c)) return
    dropped++
    c.res.destroy()
  }

  /** Writes what the client has not had, while its socket takes it. */
  function pump (c: Client): void {
    if (!clients.has(c)) return
    if (c.next < firstHeld() && c.next <= seq) { drop(c); return } // fell out of the ring: it resumes with a reset
    while (c.next <= seq && c.res.writableLength < highWater) {
      const e = ring[c.next - firstHeld()]
      c.res.write(e.text)
      c.next++
      c.progressAt = clock.now()
    }
  }

  function push (event: string, data: unknown): void {
    seq++
    const text = `id: ${boot}.${seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    ring.push({ seq, text })
    ringBytes += text.length
    while (ring.length > ringMax || ringBytes > ringMaxBytes) ringBytes -= ring.shift()!.text.length
    for (const c of clients) pump(c)
  }

  const onMessage = ({ envelope, source }: { envelope: Envelope, source: string }): void => { push('message', { ...envelopeView(envelope), source }) }
  const onRejected = (r: unknown): void => { push('rejected', r) }
  core.ingest.events.on('message', onMessage)
  core.ingest.events.on('rejected', onRejected)

  // Heartbeats, and the stall check: a client with events waiting that took none for stallMs.
  let heartbeat: unknown
  const beat = (): void => {
    const now = clock.now()
    for (const c of clients) {
      if (c.next <= seq && now - c.progressAt > stallMs) { drop(c); continue }
      if (c.res.writableLength < highWater) { c.res.write(': hb\n\n'); if (c.next > seq) c.progressAt = now }
    }
    heartbeat = clock.setTimeout(beat, heartbeatMs)
  }
  heartbeat = clock.setTimeout(beat, heartbeatMs)

  /** Where a resuming client starts, or undefined when its events are not all held. */
  function resumeAt (lastEventId: string): number | undefined {
    const m = /^([0-9a-f]{8})\.(\d{1,15})$/.exec(lastEventId.trim())
    if (m === null || m[1] !== boot) return undefined
    const last = Number(m[2])
    if (last > seq || last + 1 < firstHeld()) return undefined
    return last + 1
  }

  return {
    attach (res, lastEventId) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' })
      res.write(': c5mesh events\nretry: 2000\n\n')
      let next = seq + 1
      if (lastEventId !== undefined && lastEventId !== '') {
        const at = resumeAt(lastEventId)
        if (at === undefined) res.write(`id: ${boot}.${seq}\nevent: reset\ndata: {"reason":"not every event since that id is held: reload the list"}\n\n`)
        else next = at
      }
      const c: Client = { res, next, progressAt: clock.now() }
      clients.add(c)
      res.on('drain', () => { pump(c) })
      res.on('close', () => { clients.delete(c) })
      pump(c)
      hubEvents.emit('attach')
    },
    clients: () => clients.size,
    events: hubEvents,
    maxClients,
    stats: () => ({ clients: clients.size, dropped, events: seq, ringBytes, unsentBytes: [...clients].reduce((n, c) => n + c.res.writableLength, 0) }),
    close () {
      clock.clearTimeout(heartbeat)
      core.ingest.events.off('message', onMessage)
      core.ingest.events.off('rejected', onRejected)
      for (const c of clients) c.res.end()
      clients.clear()
    }
  }
}
