/**
 * `c5mesh inbox --follow`: prints messages as the node stores them, for a whole shift.
 * It survives the node's restarts: when the event stream ends or the node stops answering,
 * it says so once, waits for the node to come back (daemon.json names its new API address),
 * and resumes — printing what arrived meanwhile, and nothing twice.
 *
 * No message is lost between a reconnect and its catch-up: the event stream is opened first
 * (the node registers the subscription before it answers), then the inbox is listed, then
 * the stream's events are read; ids already printed are skipped.
 */
import { C5Error } from '../errors.js'
import type { MessageView } from '../node/views.js'
import type { DataPaths } from '../node/paths.js'
import { createDaemonAccess, type InboxFlags } from './access.js'
import { readDaemonInfo, type DaemonInfo } from './context.js'
import { httpCall } from './http.js'

/** Messages listed on each reconnect to catch up (newest first, the store's order). */
export const FOLLOW_CATCH_UP_LIMIT = 1000
/** Ids remembered to print nothing twice. */
export const FOLLOW_REMEMBERED_IDS = 20_000
const RETRY_MIN_MS = 500
const RETRY_MAX_MS = 5_000

export interface FollowOptions {
  paths: DataPaths
  query: InboxFlags
  /** Prints one message (a new arrival, or one caught up after a reconnect). */
  print: (m: MessageView) => void
  /** One line about the connection ("node stopped: waiting…", "reconnected"). */
  notice: (line: string) => void
  /** Ends the loop (tests); otherwise it runs until the process is stopped. */
  signal?: AbortSignal
  /** Ids printed before following (the initial listing). */
  printed?: Iterable<string>
  /** The operator's API token (the node refuses the stream without one). */
  token?: string
}

/** The listing's filter for events: roster and receipt only when asked for by --kind. */
export function matchesQuery (m: MessageView, q: InboxFlags): boolean {
  if (q.kind === undefined ? m.kind === 'roster' || m.kind === 'receipt' : m.kind !== q.kind) return false
  if (q.precedence !== undefined && m.precedence !== q.precedence) return false
  if (q.org !== undefined && m.org !== q.org) return false
  return true
}

class Remembered {
  private readonly ids = new Set<string>()
  constructor (initial: Iterable<string>) { for (const id of initial) this.add(id) }
  has (id: string): boolean { return this.ids.has(id) }
  add (id: string): void {
    this.ids.add(id)
    if (this.ids.size > FOLLOW_REMEMBERED_IDS) this.ids.delete(this.ids.values().next().value as string)
  }
}

async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
  })
}

/** Reads server-sent events from `stream`, calling `onMessage` for each `message` event. */
async function readEvents (stream: AsyncIterable<string>, onMessage: (m: MessageView) => void): Promise<void> {
  let buffer = ''
  for await (const chunk of stream) {
    buffer += chunk
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, end).split('\n')
      buffer = buffer.slice(end + 2)
      const data = lines.find(l => l.startsWith('data: '))
      if (lines.includes('event: message') && data !== undefined) onMessage(JSON.parse(data.slice(6)) as MessageView)
    }
  }
}

/** One connection: stream opened, inbox caught up, events read until the stream ends. */
async function followOnce (daemon: DaemonInfo, o: FollowOptions, seen: Remembered, connected: () => void): Promise<void> {
  const r = await httpCall(daemon.api, { method: 'GET', path: '/v1/events', headers: { accept: 'text/event-stream', ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }) }, stream: true })
  if (r.status !== 200) { r.raw.resume(); throw new C5Error('API_UNREACHABLE', `the node refused the event stream (${r.status})`) }
  connected()
  r.raw.setEncoding('utf8')
  o.signal?.addEventListener('abort', () => { r.raw.destroy() }, { once: true })
  const show = (m: MessageView): void => {
    if (seen.has(m.id) || !matchesQuery(m, o.query)) return
    seen.add(m.id)
    o.print(m)
  }
  // What arrived while we were away, oldest first; events meanwhile wait in the stream.
  const access = createDaemonAccess(daemon, o.token)
  const { limit: _l, order: _o, ...filters } = o.query
  const missed = await access.inbox({ ...filters, order: 'newest', limit: String(FOLLOW_CATCH_UP_LIMIT) })
  for (const m of missed.reverse()) show(m)
  try {
    await readEvents(r.raw as AsyncIterable<string>, show)
  } catch {
    // The stream was cut ("aborted", a reset): the node stopped or crashed. Reconnect.
  }
}

export async function followInbox (o: FollowOptions): Promise<void> {
  const seen = new Remembered(o.printed ?? [])
  let waitMs = RETRY_MIN_MS
  let down = false
  const stopped = (): boolean => o.signal?.aborted === true
  while (!stopped()) {
    const daemon = await readDaemonInfo(o.paths)
    if (daemon !== undefined) {
      try {
        await followOnce(daemon, o, seen, () => {
          if (down) o.notice(`node back (pid ${daemon.pid}): following again`)
          down = false
          waitMs = RETRY_MIN_MS
        })
      } catch (err) {
        if (!(err instanceof C5Error) || err.code !== 'API_UNREACHABLE') throw err
      }
    }
    if (stopped()) break
    if (!down) o.notice('node stopped or unreachable: waiting for it to come back (Ctrl-C ends)')
    down = true
    await sleep(waitMs, o.signal)
    waitMs = Math.min(RETRY_MAX_MS, waitMs * 2)
  }
}
