/**
 * `npm run bench -- cli`: how long `c5mesh send`, `inbox` and `show` take, start to
 * finish, against a running daemon (issue 10 §4: ≤ 250 ms each on this machine), next to
 * `node -e 0` measured in the same run (what Node itself costs to start here).
 *
 * One daemon (`c5mesh start`, the real bin) on a development folder on loopback; then
 * BENCH_CLI_RUNS rounds (default 10), each running the baseline and the three commands once,
 * interleaved so that load on the shared machine moves them alike. Medians.
 */
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { projectPath } from '../src/util/root.js'

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 10)
const GOAL_MS = 250
const BIN = projectPath('bin', 'c5mesh.js')

/** GNU time reports the child's own CPU (user + sys): steadier than wall time on a loaded machine. */
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined

interface Timing { ms: number, cpuMs: number | undefined, stdout: string }

function timed (args: string[]): Promise<Timing> {
  const [file, argv] = TIME_BIN === undefined ? [process.execPath, args] : [TIME_BIN, ['-f', 'C5CPU %U %S', process.execPath, ...args]]
  const t0 = performance.now()
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: 30_000 }, (err, stdout, stderr) => {
      const ms = performance.now() - t0
      const m = /C5CPU ([\d.]+) ([\d.]+)/.exec(stderr)
      if (err !== null) reject(new Error(`${args.join(' ')}: ${stderr || err.message}`))
      else resolve({ ms, cpuMs: m === null ? undefined : (Number(m[1]) + Number(m[2])) * 1000, stdout })
    })
  })
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
const round1 = (x: number): number => Math.round(x * 10) / 10

export async function run (): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-cli-'))
  const data = join(dir, 'data')
  const cli = (...args: string[]): string[] => [BIN, '--data', data, ...args]
  let daemon: ReturnType<typeof spawn> | undefined
  try {
    await timed(cli('init', '--dev', '--org', 'MX-YUC'))
    const cfg = JSON.parse(await readFile(join(data, 'config.json'), 'utf8'))
    await writeFile(join(data, 'config.json'), JSON.stringify({ ...cfg, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: false, api: { host: '127.0.0.1', port: 0 }, log: { level: 'warn' } }))
    const child = spawn(process.execPath, cli('start'), { stdio: ['ignore', 'pipe', 'pipe'] })
    daemon = child
    await new Promise<void>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(' running — peer id ')) resolve() })
      child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
      child.once('exit', code => reject(new Error(`daemon exited (${code}):\n${out}`)))
    })
    // Warm-up (page cache, the daemon's JIT), not measured.
    const first = await timed(cli('send', '--headline', 'calentamiento', '--json'))
    const id = JSON.parse(first.stdout).id as string
    await timed(cli('inbox'))
    const names = ['node', 'send', 'inbox', 'show'] as const
    const wall: Record<string, number[]> = Object.fromEntries(names.map(n => [n, []]))
    const cpu: Record<string, number[]> = Object.fromEntries(names.map(n => [n, []]))
    const record = (name: string, t: Timing): void => { wall[name].push(t.ms); if (t.cpuMs !== undefined) cpu[name].push(t.cpuMs) }
    const load = loadavg()[0]
    for (let i = 0; i < RUNS; i++) {
      record('node', await timed(['-e', '0']))
      record('send', await timed(cli('send', '--headline', `Prueba ${i}`, '--precedence', 'immediate')))
      record('inbox', await timed(cli('inbox')))
      record('show', await timed(cli('show', id)))
    }
    const m = Object.fromEntries(names.map(n => [n, median(wall[n])])) as Record<typeof names[number], number>
    const c = Object.fromEntries(names.map(n => [n, cpu[n].length === 0 ? undefined : round1(median(cpu[n]))]))
    console.log(`node -e 0 ${round1(m.node)} ms; send ${round1(m.send)} ms, inbox ${round1(m.inbox)} ms, show ${round1(m.show)} ms (wall, medians of ${RUNS}; goal ≤ ${GOAL_MS} ms; load average ${load.toFixed(1)})`)
    if (c.node !== undefined) console.log(`CPU (user+sys): node -e 0 ${c.node} ms; send ${c.send} ms, inbox ${c.inbox} ms, show ${c.show} ms`)
    const worst = Math.max(m.send, m.inbox, m.show)
    return {
      bench: 'cli',
      runs: RUNS,
      load_average: round1(load),
      node_baseline_ms: round1(m.node),
      send_ms: round1(m.send),
      inbox_ms: round1(m.inbox),
      show_ms: round1(m.show),
      worst_ms: round1(worst),
      worst_over_node_ms: round1(worst - m.node),
      cpu_ms: c,
      goal_ms: GOAL_MS,
      ok: worst <= GOAL_MS
    }
  } finally {
    if (daemon !== undefined && daemon.exitCode === null) {
      const exited = new Promise(resolve => daemon!.once('exit', resolve))
      daemon.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
}
