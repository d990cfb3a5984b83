/**
 * `c5mesh sim SCENARIO`: load, run c5mesh and the chosen baselines with the same seed, print
 * the summary (and the trace hashes), write the report files, and fail with
 * SIM_ASSERTION_FAILED naming the node, the message and the assertion when one fails.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { C5Error } from '../errors.js'
import { formatDuration } from './duration.js'
import { CONFIG_DIR, loadScenario, type Scenario } from './scenario/load.js'
import { runScenario, type Progress, type RunResult } from './run.js'
import type { SystemName } from './stack.js'
import { buildReport, type SimReport } from './report/build.js'
import { renderHtml } from './report/html.js'
import { compressTime, shortFactors } from './scenario/short.js'
import { summaryText } from './report/summary.js'

export const BASELINE_CHOICES = ['all', 'none', 'gossip', 'flood'] as const
export type BaselineChoice = typeof BASELINE_CHOICES[number]

export interface SimCommandOptions {
  seed?: number
  out?: string
  baseline?: BaselineChoice
  /** Run the scenario's short form (its `short.scale`, default 0.1 of the workload, and its times × `short.time`, default 1). */
  short?: boolean
  scale?: number
  quiet?: boolean
  disk?: string
  json?: boolean
  write: (s: string) => void
  /** Where the progress bar goes (a terminal), if anywhere. */
  progress?: { write: (s: string) => void, columns: number }
}

/** A scenario argument: a file, or the name of one shipped in config/scenarios/. */
export function findScenario (arg: string): string {
  if (existsSync(arg)) return arg
  for (const ext of ['.yaml', '.yml', '.json']) {
    const p = join(CONFIG_DIR, 'scenarios', `${arg}${ext}`)
    if (existsSync(p)) return p
  }
  return arg // loadScenario reports CONFIG_NOT_FOUND with the path
}

function bar (p: Progress, columns: number): string {
  const width = Math.max(10, Math.min(40, columns - 70))
  const f = Math.min(1, p.simMs / p.durationMs)
  const filled = Math.round(f * width)
  const share = p.expected === 0 ? '' : `  delivered ${((p.delivered / p.expected) * 100).toFixed(1)} %`
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${formatDuration(p.simMs)} / ${formatDuration(p.durationMs)}  ${p.system}  ${p.events} events${share}\x1b[K`
}

export async function writeReport (dir: string, report: SimReport, results: RunResult[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const put = async (name: string, text: string): Promise<void> => {
    const tmp = join(dir, `.${name}.tmp`)
    await writeFile(tmp, text)
    await rename(tmp, join(dir, name))
  }
  await put('report.json', JSON.stringify(report, null, 2) + '\n')
  await put('report.html', renderHtml(report))
  for (const r of results) if (r.trace !== '') await put(r.system === 'c5mesh' ? 'trace.log' : `trace-${r.system}.log`, r.trace)
}

export function systemsFor (choice: BaselineChoice | undefined): SystemName[] {
  switch (choice ?? 'all') {
    case 'none': return ['c5mesh']
    case 'gossip': return ['c5mesh', 'gossip']
    case 'flood': return ['c5mesh', 'flood']
    default: return ['c5mesh', 'gossip', 'flood']
  }
}

export async function runSimulation (full: Scenario, o: Omit<SimCommandOptions, 'write'>): Promise<{ report: SimReport, results: RunResult[] }> {
  const short = shortFactors(full)
  // The short form also compresses the scenario's times (short.time); --scale alone does not.
  const sc = o.short === true ? compressTime(full, short.time) : full
  const scale = o.scale ?? (o.short === true ? short.scale : 1)
  const results: RunResult[] = []
  for (const system of systemsFor(o.baseline)) {
    const r = await runScenario(sc, system, {
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      scale,
      keepTrace: o.out !== undefined,
      ...(o.disk === undefined || system !== 'c5mesh' ? {} : { diskDir: o.disk }),
      ...(o.progress === undefined || o.quiet === true ? {} : { onProgress: (p: Progress) => { o.progress!.write(bar(p, o.progress!.columns)) } })
    })
    if (o.progress !== undefined && o.quiet !== true) o.progress.write('\r\x1b[K')
    results.push(r)
  }
  return { report: buildReport(sc, results, o.short === true ? short.time : 1), results }
}

export async function simCommand (scenarioArg: string, o: SimCommandOptions): Promise<void> {
  const sc = await loadScenario(findScenario(scenarioArg))
  const { report, results } = await runSimulation(sc, o)
  if (o.out !== undefined) await writeReport(o.out, report, results)
  if (o.json === true) {
    o.write(JSON.stringify({
      scenario: sc.name,
      seed: report.seed,
      scale: report.scale,
      passed: report.passed,
      systems: report.systems.map(s => ({ system: s.system, trace_hash: s.trace_hash, events: s.events, wall_s: s.wall_s, delivery_ratio: s.delivery_ratio, latency_p99_ms: Object.fromEntries(Object.entries(s.latency).map(([k, v]) => [k, v.p99_ms])), assertions: s.assertions.map(a => ({ name: a.name, pass: a.pass, summary: a.summary, failures: a.failures })) })),
      ...(o.out === undefined ? {} : { report: join(o.out, 'report.html') })
    }, null, 2))
  } else {
    o.write(summaryText(report))
    if (o.out !== undefined) o.write(`\nreport: ${join(o.out, 'report.html')} (and report.json, trace.log)`)
  }
  const failed = report.systems[0].assertions.find(a => a.pass === false)
  if (failed !== undefined) {
    const f = failed.failures[0]
    const what = f === undefined ? failed.summary : `${f.node === undefined ? '' : `${f.node}: `}${f.message === undefined ? '' : `${f.message}: `}${f.detail}`
    const more = failed.failureCount > 1 ? ` (and ${failed.failureCount - 1} more)` : ''
    const others = report.systems[0].assertions.filter(a => a.pass === false).length - 1
    throw new C5Error('SIM_ASSERTION_FAILED', `assertion ${failed.index + 1} "${failed.name}" failed: ${what}${more}${others > 0 ? `; ${others} other assertion(s) failed too` : ''}`, { details: { assertion: failed.index + 1 } })
  }
}
