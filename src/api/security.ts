/**
 * What keeps other web pages and other hosts out of the local API (issue 13 §2):
 *
 * - Host allow-list: loopback names, the bound address and `api.allowedHosts`; anything
 *   else is refused before routing (a DNS-rebinding page reaches us under its own name).
 * - A request carrying a foreign Origin (or `Sec-Fetch-Site: cross-site`) is refused: a page
 *   from elsewhere must not drive the API, even a GET.
 * - No CORS: no Access-Control-* header is ever sent, so browsers keep other origins from
 *   reading any answer.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { C5Error } from '../errors.js'

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1']

/** Lowercase host names without port or brackets. */
export function allowedHostSet (boundHost: string, extra: readonly string[]): Set<string> {
  const set = new Set(LOOPBACK_HOSTS)
  const bound = boundHost.replace(/^\[|\]$/g, '').toLowerCase()
  if (bound !== '0.0.0.0' && bound !== '::') set.add(bound)
  for (const h of extra) set.add(h.replace(/^\[|\]$/g, '').toLowerCase())
  return set
}

/** "Example.org:4380" → "example.org"; "[::1]:80" → "::1"; undefined when not a host. */
export function hostName (header: string | undefined): string | undefined {
  if (header === undefined || header.length === 0 || header.length > 255) return undefined
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s@]+)(:\d{1,5})?$/.exec(header)
  return m === null ? undefined : m[1].replace(/^\[|\]$/g, '').toLowerCase()
}

export function isLoopback (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

export function createHostGuard (allowed: ReadonlySet<string>) {
  return async function guard (req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const host = hostName(req.headers.host)
    if (host === undefined || !allowed.has(host)) {
      throw new C5Error('API_HOST_NOT_ALLOWED', `Host ${JSON.stringify(req.headers.host ?? '')} is not one of this node's names (${[...allowed].join(', ')}); add it to api.allowedHosts`)
    }
    const origin = req.headers.origin
    if (origin !== undefined) {
      let ok = false
      try {
        const u = new URL(origin)
        // Same origin only: the page was served by this API under an allowed name.
        ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === String(req.headers.host).toLowerCase() && allowed.has(hostName(u.host) ?? '')
      } catch {}
      if (!ok) throw new C5Error('API_ORIGIN_REFUSED', `requests from ${JSON.stringify(origin)} are refused: only this node's own console may call the API`)
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') throw new C5Error('API_ORIGIN_REFUSED', 'cross-site requests are refused')
  }
}
