/**
 * The event stream over real HTTP: resume with Last-Event-ID loses nothing, an id that is
 * not held gets `reset`, heartbeats, and a client that does not read is dropped once its
 * unread bytes pass the bound — and resumes from its last id without loss.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { connect as netConnect } from 'node:net'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestApi, type TestApi } from '../helpers/api.js'

const apis: TestApi[] = []
afterEach(async () => { for (const a of apis.splice(0)) await a.close() })

interface Sse { id?: string, event?: string, data?: string, comment?: string }

/** Reads events from the stream until `until` returns true; then aborts. */
async function readEvents (api: TestApi, until: (evs: Sse[]) => boolean, lastEventId?: string, onOpen?: () => void): Promise<Sse[]> {
  const ac = new AbortController()
  const res = await fetch(`${api.url}/v1/events`, { headers: { authorization: `Bearer ${api.token}`, ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }) }, signal: ac.signal })
  expect(res.status).toBe(200)
  const evs: Sse[] = []
  let buf = ''
  const dec = new TextDecoder()
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += dec.decode(chunk, { stream: true })
      let i
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i); buf = buf.slice(i + 2)
        const e: Sse = {}
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) e.comment = line.slice(1).trim()
          else { const k = line.slice(0, line.indexOf(':')); const v = line.slice(line.indexOf(':') + 2); (e as Record<string, string>)[k] = v }
        }
        if (e.comment === 'c5mesh events') onOpen?.()
        if (e.event !== undefined || e.comment === 'hb') evs.push(e)
        if (until(evs)) { ac.abort(); return evs }
      }
    }
  } catch (err) { if ((err as Error).name !== 'AbortError') throw err }
  return evs
}

function alert (world: TestWorld, i: number, size = 300): Envelope {
  return composeEnvelope({ kind: 'alert', org: world.members[0].org, precedence: 'priority', content: { msgType: 'Alert', headline: `evento ${i}`, description: 'x'.repeat(size) } }, world.members[0].operator, { now: Date.now() })
}

async function put (api: TestApi, envs: Envelope[]): Promise<void> {
  for (const e of envs) expect((await api.core.ingest.ingest(e.bytes, 'peer:test')).ok).toBe(true)
}

describe('GET /v1/events', { timeout: 60_000 }, () => {
  it('resumes after a disconnect with Last-Event-ID: exactly the missed events, in order', async () => {
    const world = createTestWorld(['MX-YUC'], Date.now())
    const api = await startTestApi(world, world.members[0]); apis.push(api)
    const first = Array.from({ length: 3 }, (_, i) => alert(world, i))
    let open!: () => void
    const opened = new Promise<void>(resolve => { open = resolve })
    const reading = readEvents(api, evs => evs.filter(e => e.event === 'message').length >= 3, undefined, open)
    await opened
    await put(api, first)
    const seen = (await reading).filter(e => e.event === 'message')
    expect(seen.map(e => JSON.parse(e.data!).id)).toEqual(first.map(e => e.id))
    const missed = Array.from({ length: 5 }, (_, i) => alert(world, 10 + i))
    await put(api, missed) // while nobody listens
    const resumed = (await readEvents(api, evs => evs.filter(e => e.event === 'message').length >= 5, seen.at(-1)!.id)).filter(e => e.event === 'message')
    expect(resumed.map(e => JSON.parse(e.data!).id)).toEqual(missed.map(e => e.id))
  })

  it('an id that is not held (another boot, or too old) gets a reset event', async () => {
    const world = createTestWorld(['MX-YUC'], Date.now())
    const api = await startTestApi(world, world.members[0]); apis.push(api)
    const evs = await readEvents(api, e => e.length >= 1, 'deadbeef.17')
    expect(evs[0].event).toBe('reset')
  })

  it('heartbeats keep an idle stream alive', async () => {
    const world = createTestWorld(['MX-YUC'], Date.now())
    const api = await startTestApi(world, world.members[0], { events: { heartbeatMs: 50 } }); apis.push(api)
    const evs = await readEvents(api, e => e.some(x => x.comment === 'hb'))
    expect(evs.some(x => x.comment === 'hb')).toBe(true)
  })

  it('a client that stops reading is dropped once it stalls, holding at most the bound meanwhile, and resumes from its last id without loss', async () => {
    const world = createTestWorld(['MX-YUC'], Date.now())
    const api = await startTestApi(world, world.members[0], { events: { highWaterBytes: 16 * 1024, stallMs: 300, heartbeatMs: 100, ringMaxBytes: 64 * 1024 * 1024 } }); apis.push(api)
    // A raw socket that reads the first event, then never again.
    const sock = netConnect(api.port, '127.0.0.1')
    await new Promise<void>(resolve => sock.once('connect', () => resolve()))
    sock.write(`GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${api.port}\r\nAuthorization: Bearer ${api.token}\r\n\r\n`)
    let got = ''
    let paused = false
    let onAttached!: () => void
    let onFirst!: (id: string) => void
    const attached = new Promise<void>(resolve => { onAttached = resolve })
    const firstId = new Promise<string>(resolve => { onFirst = resolve })
    sock.on('data', (d: Buffer) => {
      got += d.toString()
      if (got.includes('c5mesh events')) onAttached()
      const m = paused ? null : /id: (\S+)\nevent: message/.exec(got)
      if (m !== null) { paused = true; sock.pause(); onFirst(m[1]) }
    })
    const closed = new Promise<void>(resolve => sock.once('close', () => resolve()))
    sock.on('error', () => {}) // the server cuts it: a reset is expected
    await attached
    const one = alert(world, 0)
    await put(api, [one])
    const lastId = await firstId
    // More than the kernel's socket buffers hold on loopback (a few MB): 2,000 events of ~6 KB.
    const flood = Array.from({ length: 2000 }, (_, i) => alert(world, 100 + i, 6000))
    await put(api, flood)
    const m = (await api.call('GET', '/metrics')).text
    expect(Number(/^c5mesh_api_event_unsent_bytes (\d+)/m.exec(m)?.[1])).toBeLessThanOrEqual(16 * 1024 + 8 * 1024) // the bound (+ one event)
    sock.resume() // drain what the kernel kept, then see the server's close
    await closed
    const resumed = (await readEvents(api, evs => evs.filter(e => e.event === 'message').length >= flood.length, lastId)).filter(e => e.event === 'message')
    expect(resumed.map(e => JSON.parse(e.data!).id)).toEqual(flood.map(e => e.id))
    const metrics = (await api.call('GET', '/metrics')).text
    expect(metrics).toMatch(/^c5mesh_api_event_clients_dropped_total [1-9]/m)
  })
})
