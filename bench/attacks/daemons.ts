/**
 * Real `c5mesh start` processes for the attack bench: a data folder per node (keys, config,
 * the world's roster in the store), an optional backlog written straight into the store, the
 * daemon's JSON log lines kept (they are few: one per event an administrator acts on), its
 * memory read from /proc, and a stop that always ends the process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { composeEnvelope } from '../../src/envelope/index.js'
import { writeKeyFile, toHex } from '../../src/identity/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { dataPaths } from '../../src/node/paths.js'
import type { TestWorld, WorldMember } from '../../src/sim/world.js'
import { projectPath } from '../../src/util/root.js'
import { join } from 'node:path'

const BIN = projectPath('bin', 'c5mesh.js')
/** How long a daemon may take to start, and to stop after SIGTERM before it is killed. */
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 15_000
/** Log lines kept per daemon (a regression to a line per message must not exhaust the bench). */
const MAX_KEPT_LINES = 50_000

export interface LogLine { at: number, event?: string, level?: string, [k: string]: unknown }

export interface Daemon {
  name: string
  dir: string
  pid: number
  api: string
  peerId: string
  addrs: string[]
  /** Headers every API call needs (the operator's bearer token, once the API asks for one). */
  auth: Record<string, string>
  /** Log lines so far, and how many there were in all. */
  lines: LogLine[]
  lineCount: () => number
  alive: () => boolean
  /** Resident memory, MB (from /proc/<pid>/status), or undefined once it is gone. */
  rssMb: () => number | undefined
  stop: () => Promise<number | null>
}

export async function prepareFolder (world: TestWorld, member: WorldMember, dir: string, config: Record<string, unknown> = {}): Promise<void> {
  const p = dataPaths(dir)
  await mkdir(dir, { recursive: true })
  await writeKeyFile(p.nodeKey, 'node', member.node)
  await writeKeyFile(p.operatorKey, 'operator', member.operator)
  await writeFile(p.config, JSON.stringify({
    org: member.org,
    trustAnchors: { keys: world.anchors.keys.map(toHex), threshold: 1 },
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    mdns: false,
    dht: false,
    api: { host: '127.0.0.1', port: 0 },
    log: { level: 'info', format: 'json' },
    ...config
  }))
  const core = await openNodeCore({ storePath: p.db, anchors: world.anchors })
  try {
    const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
    if (!r.ok) throw new Error(`roster refused: ${r.code}`)
  } finally { await core.close() }
}

/**
 * Writes `n` signed routine bulletins of `member`'s operator into the folder's store (what
 * a node holds after months of traffic; written directly: this prepares, it does not
 * measure ingest). Created times are spread over `spreadMs` before `now` so that no quota
 * window of created time holds more than an honest state's traffic.
 */
export async function preloadBacklog (world: TestWorld, member: WorldMember, dir: string, n: number, now: number, spreadMs: number): Promise<void> {
  const core = await openNodeCore({ storePath: dataPaths(dir).db, anchors: world.anchors })
  try {
    const step = Math.max(1, Math.floor(spreadMs / Math.max(1, n)))
    let writes: Array<Promise<void>> = []
    for (let i = 0; i < n; i++) {
      const created = now - 60_000 - i * step
      const e = composeEnvelope({ kind: 'bulletin', org: member.org, precedence: 'routine', ttlS: Math.ceil((now + 86_400_000 - created) / 1000), content: { msgType: 'Alert', headline: `boletín ${i}`, description: 'Reporte de situación. '.repeat(12) } }, member.operator, { now: created })
      writes.push(core.store.put(e, { received: now, source: 'local' }))
      if (writes.length >= 2000) { await Promise.all(writes); writes = [] }
    }
    await Promise.all(writes)
  } finally { await core.close() }
}

function readRssMb (pid: number): number | undefined {
  try {
    // Synchronous and tiny: /proc is memory, and the sampler runs every few hundred ms.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /VmRSS:\s+(\d+) kB/.exec(status)
    return m === null ? undefined : Number(m[1]) / 1024
  } catch { return undefined }
}

export async function startDaemon (name: string, dir: string): Promise<Daemon> {
  const prof = process.env.BENCH_ATTACKS_PROFILE_DIR
  const flags = prof === undefined || prof === '' || name !== 'V' ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`]
  const child: ChildProcess = spawn(process.execPath, [...flags, BIN, '--data', dir, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: LogLine[] = []
  let count = 0
  let partial = ''
  let early = ''
  child.stderr!.on('data', (d: Buffer) => {
    partial += d.toString()
    let nl
    while ((nl = partial.indexOf('\n')) >= 0) {
      const text = partial.slice(0, nl)
      partial = partial.slice(nl + 1)
      if (text === '') continue
      count++
      if (early.length < 20_000) early += text + '\n'
      if (lines.length >= MAX_KEPT_LINES) continue
      try { lines.push({ ...(JSON.parse(text) as Record<string, unknown>), at: Date.now() }) } catch { lines.push({ at: Date.now(), event: 'unparsed', text }) }
    }
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`${name}: no start within ${START_TIMEOUT_MS} ms:\n${out}${early}`)) }, START_TIMEOUT_MS)
      child.stdout!.on('data', () => { if (out.includes(' running — peer id ')) { clearTimeout(timer); resolve() } })
      void exited.then(code => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) before running:\n${out}${early}`)) })
    })
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL')
    throw err
  }
  const info = JSON.parse(await readFile(join(dir, 'daemon.json'), 'utf8')) as { api: string, peerId: string, addrs: string[] }
  const tokenFile = join(dir, 'keys', 'operator.token')
  const auth: Record<string, string> = existsSync(tokenFile) ? { authorization: `Bearer ${(await readFile(tokenFile, 'utf8')).trim()}` } : {}
  const pid = child.pid!
  return {
    name,
    dir,
    pid,
    api: info.api,
    peerId: info.peerId,
    addrs: info.addrs,
    auth,
    lines,
    lineCount: () => count,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssMb: () => readRssMb(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => { child.kill('SIGKILL') }, STOP_TIMEOUT_MS)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}

/** A TCP port free on loopback now (the OS picks it), for a daemon that restarts on the same one. */
export async function freePort (): Promise<number> {
  const { createServer } = await import('node:net')
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      srv.close(() => { resolve(port) })
    })
  })
}
