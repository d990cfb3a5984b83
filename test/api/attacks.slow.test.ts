/**
 * Issue 13 §2, measured on a real daemon (`c5mesh start`, its own process, LevelDB on disk):
 * local HTTP clients that try to make the node do unbounded work. For each attack, the
 * daemon's resident memory (VmRSS, and VmHWM: the peak) before and after, read from /proc;
 * figures printed as one JSON line. The node must stay up and its memory bounded.
 *
 *   100 parallel largest-page listings over a store of 5,000 alerts of ~2 KB;
 *   5 event-stream clients that never read, while 2,000 messages arrive;
 *   100 event-stream clients that read slowly, while 2,000 more arrive.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFile, writeFile } from 'node:fs/promises'
import { connect as netConnect, type Socket } from 'node:net'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const STORED = 5_000
const ARRIVING = 2_000

let world: TestWorld
let tmp: { path: string, cleanup: () => Promise<void> }
let daemon: DaemonProcess
let info: Awaited<ReturnType<typeof daemonInfo>>
let seq = 0

function alert (bytes: number): Uint8Array {
  seq++
  return composeEnvelope({ kind: 'alert', org: 'MX-YUC', precedence: seq % 10 === 0 ? 'flash' : 'priority', content: { msgType: 'Alert', headline: `alerta ${seq}`, description: 'x'.repeat(bytes) } }, world.members[0].operator, { now: Date.now() - 1000 + (seq % 1000) }).bytes
}

async function memory (pid: number): Promise<{ rssMb: number, peakMb: number }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)![1])
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) }
}

/** Resets the peak so that VmHWM measures this attack alone (echo 5 > clear_refs). */
async function resetPeak (pid: number): Promise<void> { await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {}) }

async function post (bytes: Uint8Array): Promise<number> {
  const r = await fetch(`${info.api}/v1/messages`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream', ...info.auth } })
  await r.arrayBuffer()
  return r.status
}

/** An event-stream client on a raw socket; `read` false: it never reads after the headers. */
async function sseClient (read: 'never' | 'slowly'): Promise<Socket> {
  const url = new URL(info.api)
  const sock = netConnect(Number(url.port), url.hostname)
  await new Promise<void>(resolve => sock.once('connect', () => resolve()))
  sock.on('error', () => {})
  sock.write(`GET /v1/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${info.token}\r\n\r\n`)
  await new Promise<void>(resolve => sock.once('data', () => resolve()))
  if (read === 'never') sock.pause()
  else {
    // 1 KB every 100 ms: 10 KB/s, far below what arrives.
    sock.pause()
    const t = setInterval(() => { sock.read(1024) }, 100)
    sock.once('close', () => clearInterval(t))
  }
  return sock
}

const results: Array<Record<string, unknown>> = []

beforeAll(async () => {
  world = createTestWorld(['MX-YUC'], Date.now())
  tmp = await tempDir('c5mesh-attacks-')
  const dir = join(tmp.path, 'yuc')
  await prepareFolder(world, world.members[0], dir, { postsPerMinute: 100_000 })
  const cfgPath = join(dir, 'config.json')
  const cfg = JSON.parse(await readFile(cfgPath, 'utf8'))
  await writeFile(cfgPath, JSON.stringify({ ...cfg, api: { ...cfg.api, postsPerMinute: 100_000 }, log: { level: 'warn' } }))
  const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors })
  try {
    for (let i = 0; i < STORED; i++) if (!(await core.ingest.ingest(alert(2000), 'peer:preload')).ok) throw new Error('preload refused')
  } finally { await core.close() }
  daemon = await startDaemonProcess(['--data', dir])
  info = await daemonInfo(dir)
}, 300_000)

afterAll(async () => {
  console.log(JSON.stringify({ test: 'api-attacks', stored: STORED, attacks: results }))
  if (daemon?.child.exitCode === null) { daemon.child.kill('SIGTERM'); await daemon.exited }
  await tmp?.cleanup()
})

describe('local API attacks on a real daemon', { timeout: 300_000 }, () => {
  it('100 parallel largest-page listings: answered or refused busy, memory bounded', async () => {
    const pid = daemon.child.pid!
    const before = await memory(pid)
    await resetPeak(pid)
    const t0 = Date.now()
    const statuses = await Promise.all(Array.from({ length: 100 }, async () => {
      const r = await fetch(`${info.api}/v1/messages?limit=200&order=newest`, { headers: info.auth })
      const text = await r.text()
      return { status: r.status, bytes: text.length, text: r.status === 200 ? '' : text.slice(0, 200) }
    }))
    const after = await memory(pid)
    const ok = statuses.filter(s => s.status === 200)
    const busy = statuses.filter(s => s.status === 503)
    results.push({ name: '100 parallel limit=200 listings', ok: ok.length, busy: busy.length, other: statuses.filter(s => s.status !== 200 && s.status !== 503).map(s => `${s.status} ${s.text}`).slice(0, 3), page_kb: Math.round((ok[0]?.bytes ?? 0) / 1024), ms: Date.now() - t0, rss_before_mb: before.rssMb, rss_peak_mb: after.peakMb, rss_growth_mb: after.peakMb - before.rssMb })
    expect(ok.length + busy.length).toBe(100)
    expect(ok.length).toBeGreaterThan(0)
    expect(after.peakMb - before.rssMb).toBeLessThan(100)
    expect((await fetch(`${info.api}/healthz`)).status).toBe(200)
  })

  for (const [name, clients, mode] of [['5 event-stream clients that never read', 5, 'never'], ['100 event-stream clients that read slowly', 100, 'slowly']] as const) {
    it(`${name}, while ${ARRIVING} messages arrive: memory bounded, node up`, async () => {
      const pid = daemon.child.pid!
      const socks = await Promise.all(Array.from({ length: clients }, async () => await sseClient(mode)))
      const before = await memory(pid)
      await resetPeak(pid)
      const t0 = Date.now()
      for (let i = 0; i < ARRIVING; i++) expect(await post(alert(2000))).toBe(201)
      const after = await memory(pid)
      const metrics = await (await fetch(`${info.api}/metrics`, { headers: info.auth })).text()
      const unsent = Number(/^c5mesh_api_event_unsent_bytes (\d+)/m.exec(metrics)?.[1] ?? NaN)
      results.push({ name, clients, arriving: ARRIVING, ms: Date.now() - t0, rss_before_mb: before.rssMb, rss_peak_mb: after.peakMb, rss_growth_mb: after.peakMb - before.rssMb, unsent_kb: Math.round(unsent / 1024) })
      expect(unsent).toBeLessThanOrEqual(clients * (64 * 1024 + 8 * 1024))
      expect(after.peakMb - before.rssMb).toBeLessThan(100)
      expect((await fetch(`${info.api}/healthz`)).status).toBe(200)
      for (const s of socks) s.destroy()
    })
  }
})

