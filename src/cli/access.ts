/**
 * Two ways to reach a node, one interface: `local` opens the store in this process (no
 * daemon running), `daemon` calls the running daemon's HTTP API on loopback.
 */
import { C5Error, type ErrorCode } from '../errors.js'
import type { NodeConfig } from '../config/index.js'
import type { NodeCore } from '../node/core.js'
import type { IngestResult } from '../node/types.js'
import { inbox, show, status, rosterView, type InboxQuery, type RosterView, type StatusView } from '../node/service.js'
import { envelopeView, type MessageView } from '../node/views.js'
import type { DaemonInfo } from './context.js'

export type IngestReply = { ok: true, message: MessageView } | Extract<IngestResult, { ok: false }>

export interface NodeAccess {
  mode: 'local' | 'daemon'
  ingest: (bytes: Uint8Array) => Promise<IngestReply>
  inbox: (q: InboxQuery) => Promise<MessageView[]>
  show: (id: string) => Promise<MessageView>
  status: () => Promise<StatusView>
  roster: () => Promise<RosterView>
  peers: () => Promise<unknown[]>
  /** Calls `onMessage` for every message the node stores from now on, until the node stops. */
  follow: (onMessage: (m: MessageView) => void) => Promise<void>
  close: () => Promise<void>
}

export function createLocalAccess (core: NodeCore, config: NodeConfig): NodeAccess {
  return {
    mode: 'local',
    ingest: async bytes => {
      const r = await core.ingest.ingest(bytes, 'local', { sync: true })
      return r.ok ? { ok: true, message: envelopeView(r.envelope) } : r
    },
    inbox: async q => inbox(core, q),
    show: async id => show(core, id),
    status: async () => status(core, { org: config.org }),
    roster: async () => rosterView(core),
    peers: async () => { throw new C5Error('NODE_NOT_RUNNING', 'peers are known only to a running node: start it with "c5mesh start"') },
    follow: async () => { throw new C5Error('NODE_NOT_RUNNING', 'new messages arrive only at a running node: start it with "c5mesh start"') },
    close: async () => core.close()
  }
}

export function createDaemonAccess (daemon: DaemonInfo): NodeAccess {
  async function call<T> (method: string, path: string, body?: Uint8Array): Promise<T> {
    let res: Response
    try {
      res = await fetch(daemon.api + path, {
        method,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/octet-stream' } })
      })
    } catch (cause) {
      throw new C5Error('API_UNREACHABLE', `the daemon (pid ${daemon.pid}) does not answer at ${daemon.api}`, { cause })
    }
    const json = await res.json().catch(() => undefined) as any
    if (!res.ok && json?.code !== undefined && path !== '/v1/messages') throw new C5Error(json.code as ErrorCode, json.message ?? 'request failed')
    if (json === undefined) throw new C5Error('API_UNREACHABLE', `the daemon answered ${res.status} without JSON`)
    return json as T
  }
  return {
    mode: 'daemon',
    ingest: async bytes => call<IngestReply>('POST', '/v1/messages', bytes),
    inbox: async q => call<MessageView[]>('GET', '/v1/messages?' + new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)] as [string, string]))),
    show: async id => call<MessageView>('GET', `/v1/messages/${encodeURIComponent(id)}`),
    status: async () => call<StatusView>('GET', '/v1/status'),
    roster: async () => call<RosterView>('GET', '/v1/roster'),
    peers: async () => call<unknown[]>('GET', '/v1/peers'),
    follow: async onMessage => {
      let res: Response
      try {
        res = await fetch(`${daemon.api}/v1/events`)
      } catch (cause) {
        throw new C5Error('API_UNREACHABLE', `the daemon (pid ${daemon.pid}) does not answer at ${daemon.api}`, { cause })
      }
      if (res.body === null) throw new C5Error('API_UNREACHABLE', 'the daemon sent no event stream')
      // Server-sent events: blocks separated by a blank line, "event:" and "data:" lines.
      let buffer = ''
      const decoder = new TextDecoder()
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true })
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block.split('\n').find(l => l.startsWith('data: '))
          if (block.startsWith('event: message') && data !== undefined) onMessage(JSON.parse(data.slice(6)) as MessageView)
        }
      }
    },
    close: async () => {}
  }
}
