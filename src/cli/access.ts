/**
 * Two ways to reach a node, one interface: `daemon` calls the running daemon's HTTP API on
 * loopback (this file: node:http only, so a command against a running node loads almost
 * nothing), `local` opens the store in this process when no daemon runs (access-local.ts,
 * loaded only then).
 */
import { C5Error, type ErrorCode } from '../errors.js'
import type { IngestResult } from '../node/types.js'
import type { ComposeRequestInput } from '../node/compose-request.js'
import type { RosterView, StatusView } from '../node/service.js'
import type { MessageView } from '../node/views.js'
import type { DaemonInfo } from './context.js'
import { httpCall, type HttpReply } from './http.js'

export type IngestReply = { ok: true, message: MessageView } | Extract<IngestResult, { ok: false }>

/** Inbox filters as the command line gives them (validated by the node). */
export type InboxFlags = Partial<Record<'kind' | 'precedence' | 'org' | 'since' | 'until' | 'limit' | 'order', string>>

export interface NodeAccess {
  mode: 'local' | 'daemon'
  /**
   * Mode 'daemon': the API's base URL and the headers every call carries (authorisation),
   * for commands with routes of their own (plates, CAP).
   */
  api?: { url: string, headers: Record<string, string> }
  /** Mode 'local': the opened core, likewise. */
  core?: import('../node/core.js').NodeCore
  /** A pre-signed envelope (roster import). */
  ingest: (bytes: Uint8Array) => Promise<IngestReply>
  /** Composed and signed by the node with the operator's key. */
  send: (req: ComposeRequestInput) => Promise<IngestReply>
  ack: (id: string, note?: string) => Promise<IngestReply & { acknowledges?: string }>
  inbox: (q: InboxFlags) => Promise<MessageView[]>
  show: (id: string) => Promise<MessageView>
  status: () => Promise<StatusView>
  roster: () => Promise<RosterView>
  peers: () => Promise<unknown[]>
  /** The radio links (GET /v1/radio): stations, TNCs and neighbours. */
  radio: () => Promise<unknown[]>
  /** Calls `onMessage` for every message the node stores from now on, until the node stops. */
  follow: (onMessage: (m: MessageView) => void) => Promise<void>
  close: () => Promise<void>
}

/** The API's largest page (src/inbox/list.ts PAGE_LIMIT_MAX; not imported: zod). */
export const PAGE_LIMIT = 200
/** `inbox --limit`: how many the command shows (it pages through the API). */
export const INBOX_LIMIT_MAX = 10_000

export function inboxLimit (flag: string | undefined): number {
  if (flag === undefined) return 50
  const n = /^\d{1,6}$/.test(flag) ? Number(flag) : NaN
  if (!(n >= 1 && n <= INBOX_LIMIT_MAX)) throw new C5Error('CLI_BAD_ARGUMENT', `--limit: expected a whole number from 1 to ${INBOX_LIMIT_MAX}, got ${JSON.stringify(flag)}`)
  return n
}

/** How long a command waits for the daemon's answer. */
export const API_CALL_TIMEOUT_MS = 30_000

const FLAG_OF: Record<string, string> = { expiresInS: '--expires', msgType: '--msg-type', parameters: '--param', 'area.description': '--area' }

/** A field the API refused, named as the command line's flag. */
export function flagOf (field: string): string | undefined {
  if (field === 'id' || field === 'body') return undefined
  const top = field.replace(/\.\d+.*$/, '')
  return FLAG_OF[field] ?? FLAG_OF[top] ?? '--' + top.replace(/[A-Z]/g, c => '-' + c.toLowerCase())
}

/** The API's refusal of a request as the CLI reports it: bad input is CLI_BAD_ARGUMENT (exit 2) naming the flag. */
export function cliError (code: string, message: string, field?: string): C5Error {
  if (code !== 'API_BAD_REQUEST') return new C5Error(code as ErrorCode, message)
  if (field === undefined) return new C5Error('CLI_BAD_ARGUMENT', message)
  const flag = flagOf(field)
  const rest = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message
  return new C5Error('CLI_BAD_ARGUMENT', flag === undefined ? rest : `${flag}: ${rest}`)
}

interface ErrorBody { code?: string, message?: string, field?: string, details?: { field?: string } }

export function createDaemonAccess (daemon: DaemonInfo, token?: string): NodeAccess {
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
  async function call (method: string, path: string, body?: { json: unknown } | { bytes: Uint8Array }): Promise<HttpReply> {
    const headers: Record<string, string> = { ...auth }
    let payload: Uint8Array | string | undefined
    if (body !== undefined && 'json' in body) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body.json) }
    if (body !== undefined && 'bytes' in body) { headers['content-type'] = 'application/octet-stream'; payload = body.bytes }
    return await httpCall(daemon.api, { method, path, headers, timeoutMs: API_CALL_TIMEOUT_MS, ...(payload === undefined ? {} : { body: payload }) })
  }
  /** The JSON of a 2xx answer; any other answer as the error it carries. */
  async function json<T> (method: string, path: string, body?: { json: unknown } | { bytes: Uint8Array }): Promise<T> {
    const r = await call(method, path, body)
    const b = r.body as ErrorBody | undefined
    if (r.status >= 200 && r.status < 300 && b !== undefined) return b as T
    if (b?.code !== undefined) throw cliError(b.code, b.message ?? 'request failed', b.field ?? b.details?.field)
    throw new C5Error('API_UNREACHABLE', `the daemon (pid ${daemon.pid}) answered ${r.status} without JSON`)
  }
  /** Ingest refusals (403, 409, 422…) are answers, not failures: the command reports them. */
  async function ingestCall (path: string, body: { json: unknown } | { bytes: Uint8Array }): Promise<IngestReply & { acknowledges?: string }> {
    const r = await call('POST', path, body)
    const b = r.body as ({ ok?: boolean } & ErrorBody) | undefined
    if (b === undefined || (typeof b.ok !== 'boolean' && b.code === undefined)) throw new C5Error('API_UNREACHABLE', `the daemon answered ${r.status} without JSON`)
    if (b.ok === true) return b as IngestReply & { acknowledges?: string }
    // A refusal of the request itself (bad input, auth, not found) rather than of the message.
    if (b.code === 'API_BAD_REQUEST' || b.ok === undefined) throw cliError(b.code!, b.message ?? 'request failed', b.field ?? b.details?.field)
    return b as IngestReply
  }
  return {
    mode: 'daemon',
    api: { url: daemon.api, headers: auth },
    ingest: async bytes => await ingestCall('/v1/messages', { bytes }),
    send: async req => await ingestCall('/v1/messages', { json: req }),
    ack: async (id, note) => await ingestCall(`/v1/messages/${encodeURIComponent(id)}/ack`, { json: note === undefined ? {} : { note } }),
    inbox: async q => {
      const { limit, ...filters } = q
      const want = inboxLimit(limit)
      const out: MessageView[] = []
      let cursor: string | undefined
      // Pages of at most PAGE_LIMIT (the API's bound) until --limit is reached or none remain.
      while (out.length < want) {
        const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined) as Array<[string, string]>)
        params.set('limit', String(Math.min(PAGE_LIMIT, want - out.length)))
        if (cursor !== undefined) params.set('cursor', cursor)
        const page = await json<{ messages: MessageView[], next?: string }>('GET', '/v1/messages?' + params.toString())
        out.push(...page.messages)
        if (page.next === undefined) break
        cursor = page.next
      }
      return out
    },
    show: async id => await json<MessageView>('GET', `/v1/messages/${encodeURIComponent(id)}`),
    status: async () => await json<StatusView>('GET', '/v1/status'),
    roster: async () => await json<RosterView>('GET', '/v1/roster'),
    peers: async () => await json<unknown[]>('GET', '/v1/peers'),
    radio: async () => await json<unknown[]>('GET', '/v1/radio'),
    follow: async onMessage => {
      const r = await httpCall(daemon.api, { method: 'GET', path: '/v1/events', headers: { ...auth, accept: 'text/event-stream' }, stream: true })
      if (r.status !== 200) throw new C5Error('API_UNREACHABLE', `the daemon refused the event stream (${r.status})`)
      // Server-sent events: blocks separated by a blank line, "event:" and "data:" lines.
      let buffer = ''
      r.raw.setEncoding('utf8')
      for await (const chunk of r.raw as AsyncIterable<string>) {
        buffer += chunk
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const lines = block.split('\n')
          const data = lines.find(l => l.startsWith('data: '))
          if (lines.includes('event: message') && data !== undefined) onMessage(JSON.parse(data.slice(6)) as MessageView)
        }
      }
    },
    close: async () => {}
  }
}
