/**
 * The console's calls to its node: the operator's token (from the URL fragment that
 * `c5mesh console` prints, or typed in), JSON calls, and the event stream. The token lives in
 * sessionStorage only: it goes with the tab, never into a cookie or another origin.
 */
const TOKEN_KEY = 'c5mesh.token'
/** Pause before the event stream reconnects (it resumes from the last id: nothing is lost). */
const RECONNECT_MS = 2000

export function takeToken (): string | undefined {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{16,256})/.exec(location.hash)
  if (m !== null) {
    sessionStorage.setItem(TOKEN_KEY, m[1])
    // The token leaves the address bar (and the history) at once.
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined
}
export function setToken (t: string): void { sessionStorage.setItem(TOKEN_KEY, t) }
export function clearToken (): void { sessionStorage.removeItem(TOKEN_KEY) }
const auth = (): Record<string, string> => ({ authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` })

export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string, readonly field?: string) { super(message) }
}

export async function api<T = any> (method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: { ...auth(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const json = await res.json().catch(() => undefined) as any
  if (!res.ok || json?.ok === false) throw new ApiError(res.status, json?.code ?? `HTTP_${res.status}`, json?.message ?? res.statusText, json?.field)
  return json as T
}

export interface StreamHandlers {
  onEvent: (event: string, data: any) => void
  onState: (up: boolean) => void
  onUnauthorized: () => void
}

/**
 * The event stream with the token in a header (EventSource cannot send one): fetch, read
 * blocks, and after a drop reconnect with Last-Event-ID, so nothing is missed.
 */
export function follow (h: StreamHandlers): void {
  let last: string | undefined
  const run = async (): Promise<void> => {
    for (;;) {
      try {
        const res = await fetch('/v1/events', { headers: { ...auth(), ...(last === undefined ? {} : { 'last-event-id': last }) } })
        if (res.status === 401) { h.onUnauthorized(); return }
        if (!res.ok || res.body === null) throw new Error(String(res.status))
        h.onState(true)
        const reader = res.body.getReader()
        const dec = new TextDecoder()
        let buf = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buf += dec.decode(value, { stream: true })
          let i
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i); buf = buf.slice(i + 2)
            let event = ''; let data = ''; let id: string | undefined
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event = line.slice(7)
              else if (line.startsWith('data: ')) data += line.slice(6)
              else if (line.startsWith('id: ')) id = line.slice(4)
            }
            if (id !== undefined) last = id
            if (event !== '') h.onEvent(event, data === '' ? undefined : JSON.parse(data))
          }
        }
      } catch {}
      h.onState(false)
      await new Promise(resolve => setTimeout(resolve, RECONNECT_MS))
    }
  }
  void run()
}
