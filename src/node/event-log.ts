/**
 * What the daemon logs (issue 13.7; docs/protocol/node.md "Logs"): one line per event an
 * administrator acts on. A node that logged every stored message at info and every
 * rejection at warn wrote a line per message of an insider's flood (54,100 in 45 s) and 55
 * lines for one ban; the volume belongs in counters (ingest stats, `c5mesh status`,
 * /metrics), the log keeps what someone must look at:
 *
 * - every stored message and every rejection: a debug line;
 * - rejections: one warn line per REJECTION_SUMMARY_MS at most, counting them by code and
 *   source (a clock-skewed or misconfigured peer shows up within a minute, a flood costs one
 *   line a minute);
 * - a ban: one warn line, carrying the banned peer's rejections of the current window (they
 *   are left out of the summary, and its session's end is not logged again);
 * - a roster peer's session opening, ending or failing to open: an info line, at most
 *   SESSION_LINES_PER_PEER per peer per window; past that (a flapping link, a peer churning
 *   sessions) one `session.churn` line per window says how many were not logged.
 *
 * Timers come from the injected clock.
 *
 * @example
 * const events = createEventLog({ log, clock: timersOf(core.clock, { unref: true }) })
 * core.ingest.events.on('rejected', events.rejected)
 * startMesh({ …, log: events.mesh })
 */
import type { TimerClock } from '../util/clock.js'

/** Longest time a rejection waits to be counted in a summary line. */
export const REJECTION_SUMMARY_MS = 60_000
/** Session lines (open, end, open-failed) logged per peer per window before they are only counted. */
export const SESSION_LINES_PER_PEER = 4
/** Sources named in a summary line (the ones with most rejections); the rest are added up. */
export const SUMMARY_SOURCES = 8
/** Distinct sources and peers counted per window (memory bound against fresh names). */
export const MAX_COUNTED_NAMES = 1024

type Fields = Record<string, unknown>
/** The part of a pino logger this uses. */
export interface LogSink {
  debug: (o: Fields) => void
  info: (o: Fields) => void
  warn: (o: Fields) => void
}

export interface EventLogComponents {
  log: LogSink
  clock: TimerClock
}

export interface EventLogOptions {
  windowMs?: number
  sessionLinesPerPeer?: number
}

export interface EventLog {
  /** A message was stored (ingest 'message'). */
  message: (m: { envelope: { id: string, kind: string, precedence: string, org: string }, source: string }) => void
  /** Ingest refused a message (ingest 'rejected'). */
  rejected: (r: { source: string, code: string, message?: string, id?: string }) => void
  /** The mesh's events (startMesh's `log`). */
  mesh: (event: string, fields: Fields) => void
  /** Writes the pending summaries now (at stop). */
  flush: () => void
}

const SESSION_EVENTS = new Set(['session.open', 'session.end', 'session.open-failed'])
const WARN_EVENTS = new Set(['roster.cut', 'peer.bans-not-saved'])

function bump (m: Map<string, number>, key: string): void {
  const k = m.has(key) || m.size < MAX_COUNTED_NAMES ? key : '(other)'
  m.set(k, (m.get(k) ?? 0) + 1)
}

export function createEventLog (components: EventLogComponents, options: EventLogOptions = {}): EventLog {
  const { log, clock } = components
  const windowMs = options.windowMs ?? REJECTION_SUMMARY_MS
  const perPeer = options.sessionLinesPerPeer ?? SESSION_LINES_PER_PEER

  const bySource = new Map<string, Map<string, number>>() // source → code → rejections this window
  const sessionLines = new Map<string, number>() // peer → session lines this window (logged or not)
  const notLogged = new Map<string, Map<string, number>>() // peer → event → count past the limit
  /** Sources (`peer:<id>`) banned recently: their rejections are the ban's, not the summary's. */
  const banned = new Map<string, number>() // source → until
  let timer: unknown

  function arm (): void {
    if (timer === undefined) timer = clock.setTimeout(() => { timer = undefined; flush() }, windowMs)
  }

  function isBanned (source: string): boolean {
    const until = banned.get(source)
    if (until === undefined) return false
    if (until > clock.now()) return true
    banned.delete(source)
    return false
  }

  function flush (): void {
    if (timer !== undefined) { clock.clearTimeout(timer); timer = undefined }
    if (bySource.size > 0) {
      const byCode = new Map<string, number>()
      const totals: Array<[string, number]> = []
      for (const [source, codes] of bySource) {
        let n = 0
        for (const [code, c] of codes) { byCode.set(code, (byCode.get(code) ?? 0) + c); n += c }
        totals.push([source, n])
      }
      totals.sort((a, b) => b[1] - a[1])
      const named = Object.fromEntries(totals.slice(0, SUMMARY_SOURCES))
      const others = totals.slice(SUMMARY_SOURCES).reduce((n, [, c]) => n + c, 0)
      const count = totals.reduce((n, [, c]) => n + c, 0)
      log.warn({ event: 'rejections', count, windowMs, byCode: Object.fromEntries(byCode), bySource: others > 0 ? { ...named, '(others)': others } : named })
    }
    for (const [peer, events] of notLogged) log.info({ event: 'session.churn', peer, windowMs, notLogged: Object.fromEntries(events) })
    bySource.clear()
    sessionLines.clear()
    notLogged.clear()
  }

  function sessionEvent (event: string, fields: Fields): void {
    const peer = typeof fields.peer === 'string' ? fields.peer : '?'
    // The end of a banned peer's session is the ban line's business.
    if (event === 'session.end' && (fields.reason === 'banned' || isBanned(`peer:${peer}`))) { log.debug({ event, ...fields }); return }
    const n = (sessionLines.get(peer) ?? 0) + 1
    if (sessionLines.has(peer) || sessionLines.size < MAX_COUNTED_NAMES) sessionLines.set(peer, n)
    if (n <= perPeer) { log.info({ event, ...fields }); arm(); return }
    log.debug({ event, ...fields })
    let counts = notLogged.get(peer)
    if (counts === undefined) {
      if (notLogged.size >= MAX_COUNTED_NAMES) return
      counts = new Map()
      notLogged.set(peer, counts)
    }
    bump(counts, event)
    arm()
  }

  return {
    message: ({ envelope, source }) => {
      log.debug({ event: 'message', id: envelope.id, kind: envelope.kind, precedence: envelope.precedence, org: envelope.org, source })
    },
    rejected: r => {
      log.debug({ event: 'rejected', ...r })
      if (isBanned(r.source)) return
      const source = bySource.has(r.source) || bySource.size < MAX_COUNTED_NAMES ? r.source : '(other)'
      let codes = bySource.get(source)
      if (codes === undefined) { codes = new Map(); bySource.set(source, codes) }
      bump(codes, r.code)
      arm()
    },
    mesh: (event, fields) => {
      if (event === 'peer.banned') {
        const source = `peer:${String(fields.peer)}`
        // One line per ban, however many of its sessions report it.
        if (isBanned(source)) { log.debug({ event, ...fields }); return }
        const codes = bySource.get(source)
        bySource.delete(source)
        const rejections = codes === undefined ? 0 : [...codes.values()].reduce((n, c) => n + c, 0)
        // Its rejections still in flight land in this window or the next.
        banned.set(source, clock.now() + 2 * windowMs)
        if (banned.size > MAX_COUNTED_NAMES) banned.delete(banned.keys().next().value as string)
        log.warn({ event, ...fields, rejections, ...(codes === undefined ? {} : { byCode: Object.fromEntries(codes) }) })
        return
      }
      if (SESSION_EVENTS.has(event)) { sessionEvent(event, fields); return }
      if (WARN_EVENTS.has(event)) log.warn({ event, ...fields })
      else log.info({ event, ...fields })
    },
    flush
  }
}
