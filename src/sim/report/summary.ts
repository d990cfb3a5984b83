/** The terminal summary printed at the end of `c5mesh sim`: the same figures as the report, as a table. */
import { PRECEDENCES } from '../../envelope/types.js'
import { formatDuration } from '../duration.js'
import type { SimReport } from './build.js'

const pad = (s: string, n: number): string => s.length >= n ? s : s + ' '.repeat(n - s.length)
const pct = (x: number): string => `${(x * 100).toFixed(2)} %`
const kb = (b: number): string => b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`

export function summaryText (r: SimReport): string {
  const lines: string[] = []
  const main = r.systems[0]
  lines.push(`${r.scenario.title} (${r.scenario.name}): ${r.scenario.nodes.length} nodes, ${formatDuration(r.scenario.duration_ms)} simulated, seed ${r.seed}${r.scale === 1 ? '' : `, workload × ${r.scale}`}${r.time_scale === 1 ? '' : `, times × ${r.time_scale} (short form)`}`)
  for (const s of r.systems) lines.push(`  ${pad(s.system, 7)} ${s.wall_s} s wall, ${s.events} events, trace sha256 ${s.trace_hash}`)
  const cols = r.systems.map(s => s.system)
  const w0 = 26
  const w = 22
  const row = (label: string, f: (i: number) => string): void => { lines.push(pad(label, w0) + cols.map((_, i) => pad(f(i), w)).join('')) }
  lines.push('')
  row('', i => cols[i])
  row('delivered (message, node)', i => `${pct(r.systems[i].delivery_ratio)} of ${r.systems[i].pairs}`)
  for (const p of PRECEDENCES) {
    if (main.latency[p].count === 0) continue
    row(`${p} p50 / p99`, i => { const l = r.systems[i].latency[p]; return `${l.p50_ms === null ? '—' : formatDuration(l.p50_ms)} / ${l.p99_ms === null ? 'never' : formatDuration(l.p99_ms)}` })
  }
  const classes = [...new Set(r.systems.flatMap(s => Object.keys(s.bytes_by_class)))]
  for (const c of classes) row(`bytes on ${c}`, i => { const b = r.systems[i].bytes_by_class[c]; return b === undefined ? '—' : kb(b.wire_bytes) })
  row('duplicate deliveries', i => String(r.systems[i].duplicates))
  if (main.assertions.length > 0) {
    lines.push('')
    lines.push('assertions (c5mesh' + (r.systems.length > 1 ? `; baselines: ${r.systems.slice(1).map(s => s.system).join(', ')}` : '') + ')')
    main.assertions.forEach((a, i) => {
      const others = r.systems.slice(1).map(s => { const x = s.assertions[i]; return x.pass === null ? 'n/a' : x.pass ? 'pass' : 'FAIL' }).join(' ')
      lines.push(`  ${a.pass === null ? 'n/a ' : a.pass ? 'PASS' : 'FAIL'} ${i + 1}. ${a.name}: ${a.summary}${others === '' ? '' : `   [${others}]`}`)
      for (const f of a.failures.slice(0, 5)) lines.push(`         ${f.node ?? ''}${f.message === undefined ? '' : ' ' + f.message}: ${f.detail}`)
      if (a.failureCount > 5) lines.push(`         … ${a.failureCount - 5} more`)
    })
  }
  return lines.join('\n')
}
