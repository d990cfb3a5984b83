/**
 * `npm run bench -- attacks` (issue 13): two real `c5mesh start` daemons on loopback — the
 * victim V and an honest state H, whose operator posts a flash alert every 500 ms to H's
 * API — and, one after the other, the attacks of bench/attacks/catalog.ts, each in a child
 * process built from the project's own modules (the sync frame and reconciliation encoders,
 * envelopes, our libp2p host): a roster insider, an outsider with no key, local HTTP
 * clients. For each attack: the honest flash latency (H's API → V's event stream, p50 and
 * p99) before, during and after, V's peak resident-memory growth, and whether V stayed up
 * (alive, API answering, a roster peer able to open a session). First, an honest catch-up:
 * V starts empty and H holds BENCH_ATTACKS_CATCHUP (100,000) messages; while V catches up,
 * the flash alerts keep coming.
 *
 * V is set up as a C5 on the national network is: its roster peers' range (here 127.0.0.1)
 * in connections.allow; the outsider's sockets come from other loopback addresses.
 *
 * Goals (printed with a verdict each, failures shown, not hidden): for every attack p99
 * during ≤ 1.5 × p99 before + 50 ms, RSS growth ≤ 50 MB, node up; the catch-up with 0
 * session aborts and flash alerts at p99 ≤ 2 s; the whole bench under 10 minutes.
 *
 * Environment: BENCH_ATTACKS=name,name (a subset), BENCH_ATTACKS_CATCHUP=N (0: none),
 * BENCH_ATTACK_BEFORE_MS / _DURING_MS / _AFTER_MS (8,000 / 8,000 / 4,000), BENCH_ATTACKS_CONTROL=0
 * (no control phases), BENCH_ATTACKS_PROFILE_DIR=DIR (V runs with --cpu-prof into DIR).
 *
 * Before the attacks, the same phases with no attack (the control, printed, not in the JSON)
 * show what latency and memory do on their own on this machine at this load. When an attack
 * leaves V holding more than 50 MB above its size after the catch-up, V is restarted (same
 * folder and ports; H reconnects) and warmed up before the next, so that one attack's
 * leftovers are neither the next one's baseline nor hide its growth.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { apiClient, followMessages } from './attacks/api.js'
import { ATTACKS, CONTROL } from './attacks/catalog.js'
import { runCatchup, type CatchupResult } from './attacks/catchup.js'
import { freePort, preloadBacklog, prepareFolder, startDaemon, type Daemon } from './attacks/daemons.js'
import { startFlashes } from './attacks/honest.js'
import { breakdown, measureAttack, rssSampler, settle, storedAt, type AttackResult } from './attacks/measure.js'
import { createProbe } from './attacks/probe.js'
import { benchWorld, worldSeeds, HONEST_ORG, PROBE_ORG, VICTIM_ORG } from './attacks/world.js'

const env = (name: string, dflt: number): number => { const v = process.env[name]; return v === undefined || v === '' ? dflt : Number(v) }
const BACKLOG = env('BENCH_ATTACKS_CATCHUP', 100_000)
/**
 * Before and during are equally long: a p99 of 16 alerts is their slowest, and the slowest of
 * more alerts is larger by chance alone, so unequal phases would favour the baseline.
 */
const TIMES = { beforeMs: env('BENCH_ATTACK_BEFORE_MS', 8_000), duringMs: env('BENCH_ATTACK_DURING_MS', 8_000), afterMs: env('BENCH_ATTACK_AFTER_MS', 4_000) }
/** The control phases (no attack) run first unless BENCH_ATTACKS_CONTROL=0 (the smoke test). */
const CONTROL_RUN = env('BENCH_ATTACKS_CONTROL', 1) !== 0
/** After a restart, V runs this long (reconnected, reconciling with H) before the next attack's baseline. */
const WARMUP_MS = 15_000
const CATCHUP_TIMEOUT_MS = 300_000
/** The backlog's created times span this much (quotas count messages per window of created time). */
const BACKLOG_SPREAD_MS = 20 * 86_400_000
const GOAL = { ratio: 1.5, slackMs: 50, rssMb: 50, catchupP99S: 2, benchS: 600 }

const r1 = (x: number): number => Math.round(x * 10) / 10
const ms = (x: number): string => Number.isFinite(x) ? String(Math.round(x)) : '—'
const log = (line: string): void => { console.log(line) }

function verdict (a: AttackResult): { ok: boolean, why: string[] } {
  const why: string[] = []
  const bound = GOAL.ratio * a.before.p99 + GOAL.slackMs
  if (!(a.during.p99 <= bound)) why.push(`p99 during ${ms(a.during.p99)} ms > ${ms(bound)} ms`)
  if (a.during.lost > 0) why.push(`${a.during.lost} flash alerts lost`)
  if (!(a.rssGrowthMb <= GOAL.rssMb)) why.push(`RSS +${a.rssGrowthMb} MB > ${GOAL.rssMb} MB`)
  if (!a.nodeUp) why.push(`node down (API ${a.probeDuring.api ? 'up' : 'DOWN'}, new roster session ${a.probeDuring.session ? 'opened' : 'REFUSED'})`)
  if (a.error !== undefined) why.push(`attack failed: ${a.error}`)
  return { ok: why.length === 0, why }
}

function report (a: AttackResult, control = false): void {
  const p = (l: AttackResult['before']): string => `${ms(l.p50)}/${ms(l.p99)}${l.lost > 0 ? ` (${l.lost} lost${l === a.during ? `, ${a.lostStored} of them stored at V` : ''})` : ''}`
  const v = verdict(a)
  log(`${a.name}: ${a.what}`)
  log(`  flash p50/p99 ms: before ${p(a.before)}, during ${p(a.during)}, after ${p(a.after)} (n ${a.before.n}/${a.during.n}/${a.after.n}); RSS ${a.rssBaselineMb} → peak ${a.rssPeakMb} MB (+${a.rssGrowthMb}); up: ${a.nodeUp ? 'yes' : 'NO'} (new roster session in ${a.probeDuring.ms} ms)`)
  log(`  slowest during (post → signed at H + → stored at V + → on V's stream): ${a.slowDuring}`)
  log(`  recovered ${a.recoveredS === undefined ? 'NOT within 90 s' : `${a.recoveredS} s after the attack stopped`}; V logged ${a.logLines} lines ${JSON.stringify(a.logEvents)}; attacker: ${JSON.stringify(a.stats)}`)
  log(control ? '  (the control: what the figures do with no attack)' : `  goal ${v.ok ? 'met' : `MISSED: ${v.why.join('; ')}`}`)
}

/** Stream counters after each attack (whether a lost alert is the stream's doing). */
function streamLine (f: { messages: () => number, connects: () => number, resets: () => number }): string {
  return `  V's event stream so far: ${f.messages()} messages, ${f.connects()} connects, ${f.resets()} resets`
}

async function setConfig (dir: string, patch: Record<string, unknown>): Promise<void> {
  const p = join(dir, 'config.json')
  await writeFile(p, JSON.stringify({ ...JSON.parse(await readFile(p, 'utf8')), ...patch }))
}

export async function run (): Promise<Record<string, unknown>> {
  const t0 = Date.now()
  const only = (process.env.BENCH_ATTACKS ?? '').split(',').filter(s => s !== '')
  const attacks = only.length === 0 ? ATTACKS : ATTACKS.filter(a => only.includes(a.name))
  if (attacks.length !== (only.length === 0 ? ATTACKS.length : only.length)) throw new Error(`BENCH_ATTACKS: known attacks are ${ATTACKS.map(a => a.name).join(', ')}`)
  const tmp = await mkdtemp(join(tmpdir(), 'c5mesh-bench-attacks-'))
  const world = benchWorld(Date.now())
  const member = (org: string): typeof world.members[number] => world.members.find(m => m.org === org)!
  const daemons: Daemon[] = []
  const cleanups: Array<() => Promise<void> | void> = []
  let cleaned: Promise<void> | undefined
  const cleanup = async (): Promise<void> => {
    cleaned ??= (async () => {
      for (const c of cleanups.reverse()) await c()
      for (const d of daemons.reverse()) await d.stop().catch(() => {})
      await rm(tmp, { recursive: true, force: true })
    })()
    await cleaned
  }
  // Interrupted (Ctrl-C, a timeout's SIGTERM): the daemons stop too, and the folder goes.
  const onSignal = (): void => { void cleanup().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const dirV = join(tmp, 'v')
    const dirH = join(tmp, 'h')
    // Fixed ports (free ones, chosen now): V restarts on them when an attack left it bloated.
    const [syncPort, apiPort] = [await freePort(), await freePort()]
    await prepareFolder(world, member(VICTIM_ORG), dirV, { listen: [`/ip4/127.0.0.1/tcp/${syncPort}`], api: { host: '127.0.0.1', port: apiPort }, connections: { allow: ['/ip4/127.0.0.1'] } })
    // H's operator is the bench's load generator: two posts a second, past a person's rate limit.
    await prepareFolder(world, member(HONEST_ORG), dirH, { api: { host: '127.0.0.1', port: 0, postsPerMinute: 600 } })
    if (BACKLOG > 0) {
      log(`preparing: H's store gets ${BACKLOG} signed bulletins…`)
      await preloadBacklog(world, member(HONEST_ORG), dirH, BACKLOG, Date.now(), BACKLOG_SPREAD_MS)
    }
    let v = await startDaemon('V', dirV); daemons.push(v)
    const rss = rssSampler(() => v); cleanups.push(rss.stop)
    const vApi = apiClient(v.api, v.auth)
    await setConfig(dirH, { bootstrap: [v.addrs[0]] })
    let flashes: ReturnType<typeof startFlashes> | undefined
    const follower = followMessages(v.api, v.auth, id => { flashes?.arrived(id) }); cleanups.push(follower.close)
    // H dials V as it starts: the catch-up begins.
    const catchupStart = Date.now()
    const h = await startDaemon('H', dirH); daemons.push(h)
    flashes = startFlashes(apiClient(h.api, h.auth)); cleanups.push(flashes.stop)
    flashes.setPhase('catchup')
    let catchup: CatchupResult | undefined
    if (BACKLOG > 0) {
      log(`catch-up: V (empty) from H (${BACKLOG} messages), a flash alert every 500 ms from H…`)
      catchup = await runCatchup({ v, h, vApi, flashes, backlog: BACKLOG, startedAt: catchupStart, timeoutMs: CATCHUP_TIMEOUT_MS, progress: log })
      const c = catchup
      log(`  ${c.complete ? 'caught up' : 'NOT caught up'}: ${c.messages} messages in ${c.seconds} s; session ends ${c.aborts}${c.ends.length > 0 ? ` (${c.ends.join(', ')})` : ''}; ${c.flash.n} flash alerts p50 ${ms(c.flash.p50)} ms, p99 ${ms(c.flash.p99)} ms, max ${ms(c.flash.max)} ms${c.flash.lost > 0 ? `, ${c.flash.lost} lost (${await storedAt(v, c.flash.lostIds)} of them stored at V)` : ''}; V's event stream: ${follower.messages()} messages, ${follower.connects()} connects, ${follower.resets()} resets`)
      log(`  slowest flash alerts (post → signed at H + → stored at V + → on V's stream): ${await breakdown(v, c.flash.slowest)}`)
      log(`  goal ${c.complete && c.aborts === 0 && c.flash.p99 <= GOAL.catchupP99S * 1000 ? 'met' : 'MISSED'} (0 aborts, flash p99 ≤ ${GOAL.catchupP99S} s)`)
    } else {
      await new Promise(resolve => setTimeout(resolve, 3_000))
    }
    const quiet = await settle(flashes)
    if (quiet === undefined) log('  flash alerts are still slow 90 s after the catch-up: the attacks start anyway')
    const target = { syncAddr: v.addrs[0], api: v.api, auth: v.auth, seeds: worldSeeds(world) }
    const probe = await createProbe(member(PROBE_ORG).node, v.addrs[0], v.api, v.auth); cleanups.push(probe.stop)
    const results: AttackResult[] = []
    const rssFloor = v.rssMb() ?? 0
    if (CONTROL_RUN) report(await measureAttack(CONTROL, { target, victim: v, flashes, probe, rss, times: TIMES }), true)
    for (const attack of attacks) {
      const r = await measureAttack(attack, { target, victim: v, flashes, probe, rss, times: TIMES })
      results.push(r)
      report(r)
      log(streamLine(follower))
      // Memory an attack left behind would hide the next one's growth: a fresh start (the
      // node's own restart path: same folder, same ports; H reconnects).
      const now = v.rssMb()
      if (!v.alive() || (now !== undefined && now > rssFloor + GOAL.rssMb)) {
        log(`  V ${v.alive() ? `holds ${r1(now!)} MB (was ${r1(rssFloor)} after the catch-up)` : 'is down'}: restarting it before the next attack`)
        await v.stop()
        v = await startDaemon('V', dirV); daemons.push(v)
        if (await settle(flashes) === undefined) log('  flash alerts still slow 90 s after the restart')
        await new Promise(resolve => setTimeout(resolve, WARMUP_MS))
      }
    }
    const ratios = results.map(r => r.during.p99 / r.before.p99).filter(Number.isFinite)
    const met = results.filter(r => verdict(r).ok).map(r => r.name)
    const seconds = Math.round((Date.now() - t0) / 1000)
    log(`attacks: goal met by ${met.length} of ${results.length}${met.length < results.length ? ` (missed: ${results.filter(r => !verdict(r).ok).map(r => r.name).join(', ')})` : ''}; bench took ${seconds} s (goal < ${GOAL.benchS} s: ${seconds < GOAL.benchS ? 'met' : 'MISSED'}); H's failed flash posts ${flashes.failures()}; load average ${loadavg()[0].toFixed(1)}`)
    return {
      bench: 'attacks',
      attacks: results.map(r => ({ name: r.name, p99_ms_before: Math.round(r.before.p99), p99_ms_during: Math.round(r.during.p99), p99_ms_after: Math.round(r.after.p99), rss_growth_mb: r.rssGrowthMb, node_up: r.nodeUp })),
      worst_p99_ratio: ratios.length === 0 ? null : r1(Math.max(...ratios)),
      worst_rss_growth_mb: results.length === 0 ? null : Math.max(...results.map(r => r.rssGrowthMb)),
      catchup_aborts: catchup === undefined ? null : catchup.aborts,
      catchup_flash_p99_s: catchup === undefined ? null : r1(catchup.flash.p99 / 1000)
    }
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cleanup()
  }
}
