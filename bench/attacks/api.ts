/**
 * The local API as the bench's honest parts use it: an operator posting through a node's
 * API, and the operator console's event stream (GET /v1/events), which resumes with
 * Last-Event-ID when the node drops it (a bounded stream drops a client that falls behind).
 */
import { request } from 'node:http'

export interface ApiClient {
  get: (path: string) => Promise<{ status: number, body: unknown }>
  post: (path: string, json: unknown) => Promise<{ status: number, body: unknown }>
}

export function apiClient (base: string, auth: Record<string, string>, timeoutMs = 10_000): ApiClient {
  const call = async (method: string, path: string, json?: unknown): Promise<{ status: number, body: unknown }> => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { ...auth, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    const text = await r.text()
    let body: unknown = text
    try { body = JSON.parse(text) } catch {}
    return { status: r.status, body }
  }
  return { get: async path => await call('GET', path), post: async (path, json) => await call('POST', path, json) }
}

export interface EventFollower {
  /** Times the stream was (re)opened, message events seen, `reset` events (the node could not replay what was missed). */
  connects: () => number
  messages: () => number
  resets: () => number
  close: () => void
}

/**
 * Follows `message` events, calling `onMessage(id)` with each message's id, for as long as
 * it is not closed: a dropped stream is reopened with the last event id it saw.
 */
export function followMessages (base: string, auth: Record<string, string>, onMessage: (id: string) => void): EventFollower {
  let closed = false
  let lastId: string | undefined
  let connects = 0
  let messages = 0
  let resets = 0
  let current: ReturnType<typeof request> | undefined
  const url = new URL('/v1/events', base)
  const open = (): void => {
    if (closed) return
    connects++
    let again = false
    const reopen = (ms: number): void => { if (!again) { again = true; setTimeout(open, ms) } }
    const req = request(url, { headers: { ...auth, accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) } }, res => {
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buf += chunk
        let i
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i)
          buf = buf.slice(i + 2)
          let event = 'message'
          let data: string | undefined
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) lastId = line.slice(4)
            else if (line.startsWith('event: ')) event = line.slice(7)
            else if (line.startsWith('data: ')) data = line.slice(6)
          }
          if (event === 'reset') resets++
          if (event !== 'message' || data === undefined) continue
          messages++
          try { onMessage((JSON.parse(data) as { id: string }).id) } catch {}
        }
      })
      // However the stream ends (the node restarted, dropped us, or refused), open it again.
      res.on('close', () => { reopen(200) })
      res.on('error', () => {})
    })
    req.on('error', () => { reopen(500) })
    req.end()
    current = req
  }
  open()
  return { connects: () => connects, messages: () => messages, resets: () => resets, close: () => { closed = true; current?.destroy() } }
}
