/**
 * One attack, measured (bench/attacks.ts): the honest flash latency before, during and
 * after it, the victim's memory, whether it stayed up, and what it logged. The attack runs
 * in a child process (child.ts); its preparation (signing, connecting) falls between the
 * phases and is not measured.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Daemon } from './daemons.js'
import type { FlashSender, PhaseLatency } from './honest.js'
import type { Probe, ProbeResult } from './probe.js'
import type { Attack, AttackStats, AttackTarget } from './types.js'

export interface PhaseTimes { beforeMs: number, duringMs: number, afterMs: number }

/** Longest an attack may take to get ready, and to report after it is stopped. */
const PREPARE_TIMEOUT_MS = 90_000
const REPORT_TIMEOUT_MS = 15_000
const RSS_SAMPLE_MS = 200
/**
 * Before the next attack the node must be quiet again — the last SETTLE_FLASHES alerts each
 * arriving within SETTLE_BOUND_MS — or one attack's tail would be the next one's baseline.
 * How long that took after the attack stopped is its recovery time.
 */
export const SETTLE_BOUND_MS = 250
export const SETTLE_FLASHES = 4
export const SETTLE_MAX_MS = 90_000

export interface AttackResult {
  name: string
  what: string
  before: PhaseLatency
  during: PhaseLatency
  after: PhaseLatency
  rssBaselineMb: number
  rssPeakMb: number
  rssGrowthMb: number
  probeBefore: ProbeResult
  probeDuring: ProbeResult
  nodeUp: boolean
  logLines: number
  logEvents: Record<string, number>
  /** Seconds from the attack's end until flash alerts were quick again (undefined: not within SETTLE_MAX_MS). */
  recoveredS?: number
  stats: AttackStats
  /** Of the flash alerts lost during the attack, how many V nevertheless stored. */
  lostStored: number
  /** Where the slowest alerts during the attack spent their time (breakdown()). */
  slowDuring: string
  error?: string
}

/** Samples the victim's resident memory for the whole bench. */
export function rssSampler (v: () => Daemon): { between: (t0: number, t1: number) => number[], stop: () => void } {
  const samples: Array<{ at: number, mb: number }> = []
  const timer = setInterval(() => { const mb = v().rssMb(); if (mb !== undefined) samples.push({ at: Date.now(), mb }) }, RSS_SAMPLE_MS)
  return {
    between: (t0, t1) => samples.filter(s => s.at >= t0 && s.at <= t1).map(s => s.mb),
    stop: () => { clearInterval(timer) }
  }
}

/** Waits until flash alerts are quick again; the ms it took, or undefined if they never were. */
export async function settle (flashes: FlashSender): Promise<number | undefined> {
  const t0 = Date.now()
  while (!flashes.settled(SETTLE_BOUND_MS, SETTLE_FLASHES)) {
    if (Date.now() - t0 > SETTLE_MAX_MS) return undefined
    await sleep(250)
  }
  return Date.now() - t0
}

/**
 * How many of these ids V holds (a flash alert counted lost may be stored but not shown on
 * the event stream — a different failure from one that never arrived).
 */
export async function storedAt (t: Pick<AttackTarget, 'api' | 'auth'>, ids: string[]): Promise<number> {
  const r = await Promise.all(ids.map(async id => await fetch(`${t.api}/v1/messages/${id}`, { headers: t.auth, signal: AbortSignal.timeout(5_000) }).then(x => x.status === 200, () => false)))
  return r.filter(Boolean).length
}

/**
 * Where a slow alert's time went, from the victim's copy: post → signed at H (`created`:
 * H's API and signer), → stored at V (`received`: H's push, the link, V's ingest), → shown
 * on V's event stream. One line per alert: "1234 ms = 5 + 1200 + 29".
 */
export async function breakdown (t: Pick<AttackTarget, 'api' | 'auth'>, slow: PhaseLatency['slowest']): Promise<string> {
  const parts = await Promise.all(slow.map(async s => {
    const m = await fetch(`${t.api}/v1/messages/${s.id}`, { headers: t.auth, signal: AbortSignal.timeout(5_000) }).then(async r => r.ok ? await r.json() as { message?: { created?: number, received?: number }, created?: number, received?: number } : undefined, () => undefined)
    const v = m?.message ?? m
    if (typeof v?.created !== 'number' || typeof v.received !== 'number') return `${s.arrivedAt - s.sentAt} ms (no breakdown)`
    return `${s.arrivedAt - s.sentAt} ms = ${v.created - s.sentAt} + ${v.received - v.created} + ${s.arrivedAt - v.received}`
  }))
  return parts.join(', ')
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[Math.floor(s.length / 2)] }

/** Starts the attack's process and resolves once it is prepared. */
async function startChild (attack: Attack, target: AttackTarget): Promise<{ child: ChildProcess, result: Promise<AttackStats>, errors: () => string }> {
  const child = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4000) stderr += d.toString() })
  let resolveResult!: (s: AttackStats) => void
  const result = new Promise<AttackStats>(resolve => { resolveResult = resolve })
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`${attack.name}: not ready within ${PREPARE_TIMEOUT_MS} ms`)) }, PREPARE_TIMEOUT_MS)
    child.on('message', (m: { ready?: true, error?: string, result?: AttackStats }) => {
      if (m.ready === true) { clearTimeout(timer); resolve() }
      if (m.error !== undefined) { clearTimeout(timer); reject(new Error(`${attack.name}: ${m.error}`)) }
      if (m.result !== undefined) resolveResult(m.result)
    })
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`${attack.name}: attacker exited (${code}) ${stderr}`)); resolveResult({ attackerExited: 1 }) })
  })
  child.send({ start: attack.name, target })
  try { await ready } catch (err) { child.kill('SIGKILL'); throw err }
  return { child, result, errors: () => stderr }
}

function eventsBetween (v: Daemon, t0: number, t1: number): { count: number, byEvent: Record<string, number> } {
  const byEvent: Record<string, number> = {}
  let count = 0
  for (const l of v.lines) {
    if (l.at < t0 || l.at > t1) continue
    count++
    const e = String(l.event ?? l.msg ?? '?')
    byEvent[e] = (byEvent[e] ?? 0) + 1
  }
  return { count, byEvent }
}

export async function measureAttack (attack: Attack, o: { target: AttackTarget, victim: Daemon, flashes: FlashSender, probe: Probe, rss: ReturnType<typeof rssSampler>, times: PhaseTimes }): Promise<AttackResult> {
  const { victim: v, flashes, probe, times } = o
  const name = attack.name
  const probeAt = Math.floor(times.duringMs / 2)
  flashes.setPhase(`${name}:before`)
  const tBefore = Date.now()
  await sleep(Math.max(0, Math.min(probeAt, times.beforeMs - 500)))
  const probeBefore = await probe.check()
  await sleep(Math.max(0, tBefore + times.beforeMs - Date.now()))
  const tBeforeEnd = Date.now()
  flashes.setPhase(`${name}:setup`)
  let stats: AttackStats = {}
  let error: string | undefined
  let probeDuring: ProbeResult = { api: false, session: false, ms: 0 }
  let tDuring = Date.now()
  let tAfter = tDuring
  try {
    const c = await startChild(attack, o.target)
    try {
      flashes.setPhase(`${name}:during`)
      tDuring = Date.now()
      c.child.send({ go: true })
      await sleep(probeAt)
      probeDuring = await probe.check()
      await sleep(Math.max(0, tDuring + times.duringMs - Date.now()))
      c.child.send({ stop: true })
      flashes.setPhase(`${name}:after`)
      tAfter = Date.now()
      stats = await Promise.race([c.result, sleep(REPORT_TIMEOUT_MS).then(() => ({ noReport: 1 }))])
    } finally {
      if (c.child.exitCode === null) c.child.kill('SIGKILL')
    }
  } catch (err) {
    error = (err as Error).message
    flashes.setPhase(`${name}:after`)
    tAfter = Date.now()
  }
  await sleep(Math.max(0, tAfter + times.afterMs - Date.now()))
  flashes.setPhase('between')
  const tEnd = Date.now()
  const before = await flashes.latency(`${name}:before`, 0)
  const during = await flashes.latency(`${name}:during`)
  const after = await flashes.latency(`${name}:after`)
  const lostStored = await storedAt(o.target, during.lostIds)
  const slowDuring = await breakdown(o.target, during.slowest)
  const settledMs = await settle(flashes)
  const base = median(o.rss.between(tBefore, tBeforeEnd))
  const peak = Math.max(...o.rss.between(tDuring, tEnd))
  const logs = eventsBetween(v, tDuring, tEnd)
  const round1 = (x: number): number => Math.round(x * 10) / 10
  return {
    name,
    what: attack.what,
    before,
    during,
    after,
    rssBaselineMb: round1(base),
    rssPeakMb: round1(peak),
    rssGrowthMb: round1(Math.max(0, peak - base)),
    probeBefore,
    probeDuring,
    nodeUp: v.alive() && probeDuring.api && probeDuring.session,
    logLines: logs.count,
    logEvents: logs.byEvent,
    ...(settledMs === undefined ? {} : { recoveredS: round1((Date.now() - tAfter) / 1000) }),
    stats,
    lostStored,
    slowDuring,
    ...(error === undefined ? {} : { error })
  }
}
