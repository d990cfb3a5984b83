/**
 * report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched) to
 * put on a screen in front of the state coordinators: what the scenario is and the facts it
 * is drawn from, whether every assertion held, c5mesh beside the baselines, delivery over
 * time for every state, latency per precedence, bytes per link class, queue depths and the
 * partition timeline.
 */
import { PRECEDENCES } from '../../envelope/types.js'
import { formatDuration } from '../duration.js'
import type { SimReport, SystemReport } from './build.js'
import { LATENCY_BUCKETS_MS } from './build.js'
import { barChart, COLOURS, esc, gantt, heatMap, lineChart, LATENCY_TICKS_MS, timeTicks, type GanttRow } from './svg.js'

const SYSTEM_LABEL: Record<string, string> = {
  c5mesh: 'c5mesh',
  gossip: 'push gossip (no store-and-forward)',
  flood: 'flooding, hop limit 3'
}
const PREC_COLOUR: Record<string, string> = { flash: '#d55e00', immediate: '#e69f00', priority: '#0072b2', routine: '#009e73', all: '#000000' }

const pct = (x: number): string => `${(x * 100).toFixed(x >= 0.9995 || x === 0 ? 0 : 1)} %`
const ms = (x: number | null): string => x === null ? '—' : formatDuration(x)
const bytes = (b: number): string => b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${b} B`
const verdict = (p: boolean | null): string => p === null ? '<span class="na">n/a</span>' : p ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>'

function assertionsTable (r: SimReport): string {
  const main = r.systems[0]
  if (main.assertions.length === 0) return '<p>This scenario states no assertions.</p>'
  const head = `<tr><th>#</th><th>assertion</th>${r.systems.map(s => `<th>${esc(SYSTEM_LABEL[s.system])}</th>`).join('')}</tr>`
  const rows = main.assertions.map((a, i) => {
    const cells = r.systems.map(s => { const x = s.assertions[i]; return `<td>${verdict(x.pass)}<div class="small">${esc(x.summary)}</div></td>` }).join('')
    return `<tr><td>${i + 1}</td><td>${esc(a.name)}</td>${cells}</tr>`
  }).join('')
  const failures = main.assertions.filter(a => a.pass === false).map(a => `<details open><summary>${esc(a.name)}: ${a.failureCount} failure(s)</summary><ul>${a.failures.map(f => `<li>${f.node === undefined ? '' : `<b>${esc(f.node)}</b> `}${f.message === undefined ? '' : esc(f.message) + ' — '}${esc(f.detail)}</li>`).join('')}${a.failureCount > a.failures.length ? `<li>… and ${a.failureCount - a.failures.length} more (report.json)</li>` : ''}</ul></details>`).join('')
  return `<table>${head}${rows}</table>${failures}`
}

function comparison (r: SimReport): string {
  const row = (label: string, f: (s: SystemReport) => string): string => `<tr><td>${label}</td>${r.systems.map(s => `<td>${f(s)}</td>`).join('')}</tr>`
  const classes = [...new Set(r.systems.flatMap(s => Object.keys(s.bytes_by_class)))]
  return `<table><tr><th></th>${r.systems.map(s => `<th>${esc(SYSTEM_LABEL[s.system])}</th>`).join('')}</tr>
  ${row('messages published', s => String(s.published))}
  ${row('(message, state) pairs delivered', s => `${s.delivered_pairs} / ${s.pairs} (${pct(s.delivery_ratio)})`)}
  ${PRECEDENCES.map(p => row(`${p}: p50 / p99 latency`, s => { const l = s.latency[p]; return l.count === 0 ? '—' : `${ms(l.p50_ms)} / ${ms(l.p99_ms)}${l.undelivered > 0 ? ` <span class="small">(${l.undelivered} never)</span>` : ''}` })).join('')}
  ${classes.map(c => row(`bytes on ${esc(c)}`, s => s.bytes_by_class[c] === undefined ? '—' : bytes(s.bytes_by_class[c].wire_bytes))).join('')}
  ${row('duplicate deliveries', s => String(s.duplicates))}
  ${row('trace hash', s => `<code class="small">${s.trace_hash.slice(0, 16)}…</code>`)}
  </table>`
}

function deliveryCharts (r: SimReport): string {
  const d = r.scenario.duration_ms
  const over = lineChart({
    title: 'Share of (message, state) pairs delivered, of those published so far',
    series: r.systems.map((s, i) => ({ label: SYSTEM_LABEL[s.system], colour: COLOURS[i], dashed: i > 0, points: s.delivery_over_time.t_ms.map((t, j) => [t, s.delivery_over_time.overall[j]] as [number, number]) })),
    xLabel: formatDuration,
    yLabel: y => `${Math.round(y * 100)} %`,
    yMax: 1,
    xMax: d,
    xTicks: timeTicks(d)
  })
  const main = r.systems[0]
  const nodes = Object.keys(main.delivery_over_time.per_node)
  const heat = heatMap({
    title: 'c5mesh: share delivered at each state over time (green: everything published so far)',
    rows: nodes,
    values: nodes.map(n => main.delivery_over_time.per_node[n].slice(1)),
    columns: main.delivery_over_time.t_ms.length - 1,
    xLabel: i => formatDuration(main.delivery_over_time.t_ms[Math.min(i + 1, main.delivery_over_time.t_ms.length - 1)])
  })
  return `<h3>Delivery over time</h3>${over}<h3>Delivery per state (c5mesh)</h3>${heat}`
}

function latencyCharts (r: SimReport): string {
  const cdf = (s: SystemReport, p: string): Array<[number, number]> => {
    const l = s.latency[p]
    if (l.count === 0) return []
    let acc = 0
    return LATENCY_BUCKETS_MS.slice(0, -1).map((b, i) => { acc += l.histogram[i]; return [b, acc / l.count] as [number, number] })
  }
  const out: string[] = []
  for (const s of r.systems) {
    const series = PRECEDENCES.filter(p => s.latency[p].count > 0).map(p => ({ label: `${p} (${s.latency[p].count} pairs)`, colour: PREC_COLOUR[p], points: [[50, 0] as [number, number], ...cdf(s, p)] }))
    if (series.length === 0) continue
    out.push(`<h3>Latency — ${esc(SYSTEM_LABEL[s.system])}</h3>` + lineChart({ title: `Share of pairs delivered within a time, per precedence (${SYSTEM_LABEL[s.system]})`, series, logX: true, xMin: 50, xMax: 24 * 3_600_000, xTicks: LATENCY_TICKS_MS, xLabel: formatDuration, yLabel: y => `${Math.round(y * 100)} %`, yMax: 1, height: 220 }))
  }
  return out.join('')
}

function bytesChart (r: SimReport): string {
  const classes = [...new Set(r.systems.flatMap(s => Object.keys(s.bytes_by_class)))]
  if (classes.length === 0) return ''
  return '<h3>Bytes on the wire per link class (headers and retransmissions included)</h3>' + barChart({
    title: 'Bytes per link class',
    groups: classes,
    series: r.systems.map((s, i) => ({ label: SYSTEM_LABEL[s.system], colour: COLOURS[i], values: classes.map(c => s.bytes_by_class[c]?.wire_bytes ?? 0) })),
    yLabel: bytes
  })
}

/** c5mesh's courier stops: what each bundle carried (the courier as a link class). */
function courierTable (r: SimReport): string {
  const stops = r.systems[0].couriers
  if (stops.length === 0) return ''
  const rows = stops.map(s => `<tr><td>${esc(formatDuration(s.t_ms))}</td><td>${esc(s.courier)}</td><td>${esc(s.node)}</td><td>${s.bundles_imported}</td><td>${s.new}</td><td>${s.known}</td><td>${s.rejected}</td><td>${s.bundle_records}</td><td>${bytes(s.bundle_bytes)}</td><td>${bytes(s.manifest_bytes)}</td><td>${esc(s.method)}</td></tr>`).join('')
  return `<h3>Couriers (c5mesh): bundles imported and left at each stop</h3><table><tr><th>at</th><th>courier</th><th>node</th><th>bundles in</th><th>new</th><th>known</th><th>rejected</th><th>records out</th><th>bundle</th><th>manifest</th><th>bundle for</th></tr>${rows}</table>`
}

function queueChart (r: SimReport): string {
  const main = r.systems[0]
  if (main.queue_depth.t_ms.length < 2) return ''
  const worst = Object.entries(main.queue_depth.max_per_node).sort((a, b) => b[1] - a[1]).slice(0, 5).filter(([, v]) => v > 0)
  return '<h3>Messages waiting in c5mesh send queues (all states)</h3>' + lineChart({
    title: 'Messages queued for sending, summed over every state',
    series: [{ label: 'queued messages', colour: COLOURS[0], points: main.queue_depth.t_ms.map((t, i) => [t, main.queue_depth.total[i]] as [number, number]) }],
    xLabel: formatDuration,
    yLabel: y => String(Math.round(y)),
    xMax: r.scenario.duration_ms,
    xTicks: timeTicks(r.scenario.duration_ms),
    height: 200
  }) + (worst.length === 0 ? '' : `<p class="small">Deepest queues: ${worst.map(([n, v]) => `${esc(n)} ${v}`).join(', ')}</p>`)
}

function timelineChart (r: SimReport): string {
  const end = r.scenario.duration_ms
  const rows = new Map<string, GanttRow>()
  for (const o of r.timeline.outages) {
    const label = o.what === 'node' ? `${o.label} power off` : o.what === 'channel' ? `radio ${o.label} down` : o.label
    const row = rows.get(label) ?? { label, bars: [] }
    row.bars.push({ from: o.from, to: o.to ?? end, colour: o.what === 'node' ? '#d55e00' : o.label.includes('→') ? '#009e73' : '#999999', ...(o.note === undefined ? {} : { note: o.note }) })
    rows.set(label, row)
  }
  if (rows.size === 0 && r.timeline.marks.length === 0) return '<p>No cuts, outages or events in this scenario.</p>'
  const list = [...rows.values()].slice(0, 80)
  const marks = r.timeline.marks.map(m => `<li><b>${esc(formatDuration(m.t))}</b> ${esc(m.label)}</li>`).join('')
  return gantt({ title: 'Links down (grey), power off (red), couriers on the road (green); lines: events', rows: list, endMs: end, marks: r.timeline.marks, xLabel: formatDuration }) +
    (rows.size > list.length ? `<p class="small">${rows.size - list.length} more rows in report.json.</p>` : '') + (marks === '' ? '' : `<ul class="events">${marks}</ul>`)
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:820px;color:#1a1a1a}
h1{font-size:24px;margin-bottom:4px}h2{margin-top:32px;border-bottom:2px solid #ddd}h3{margin-top:20px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}th{background:#f2f2f2}
.pass{color:#fff;background:#1a7f37;padding:1px 6px;border-radius:3px;font-weight:600}.fail{color:#fff;background:#c62828;padding:1px 6px;border-radius:3px;font-weight:600}.na{color:#555;background:#e0e0e0;padding:1px 6px;border-radius:3px}
.verdict{font-size:20px;padding:10px 14px;border-radius:6px;margin:12px 0}.verdict.ok{background:#e6f4ea}.verdict.bad{background:#fdecea}
svg{display:block;margin:6px 0;font-size:11px;max-width:100%;height:auto}svg text{fill:#333}svg .small,.small{font-size:11px;color:#555}
svg .grid{stroke:#e6e6e6}svg .mark{stroke:#7b1fa2;stroke-width:1.5;stroke-dasharray:3 3}
.desc{white-space:pre-wrap;background:#fafafa;border-left:4px solid #0072b2;padding:8px 12px}ul.events{columns:2;font-size:12px}code{font-size:12px}`

export function renderHtml (r: SimReport): string {
  const main = r.systems[0]
  const head = `<h1>${esc(r.scenario.title)}</h1><div class="small">scenario <code>${esc(r.scenario.name)}</code> · ${r.scenario.nodes.length} nodes on ${esc(r.scenario.topology)} · ${esc(formatDuration(r.scenario.duration_ms))} from ${esc(r.scenario.start)} · seed ${r.seed}${r.scale === 1 ? '' : ` · workload × ${r.scale}`}${r.time_scale === 1 ? '' : ` · times × ${r.time_scale} (short form)`}</div>`
  const v = main.assertions.length === 0 ? '' : `<div class="verdict ${main.passed ? 'ok' : 'bad'}">${main.passed ? `All ${main.assertions.length} assertions hold for c5mesh.` : `${main.assertions.filter(a => a.pass === false).length} of ${main.assertions.length} assertions FAIL for c5mesh.`}</div>`
  const classes = Object.entries(r.scenario.classes).map(([k, d]) => `<li><b>${esc(k)}</b>: ${esc(d)}</li>`).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(r.scenario.title)} — c5mesh simulation</title><style>${CSS}</style></head><body>
${head}${v}
<h2>The scenario</h2><div class="desc">${esc(r.scenario.description.trim())}</div><p>Link classes in use:</p><ul>${classes}</ul>
<h2>Assertions</h2>${assertionsTable(r)}
<h2>c5mesh and the baselines, same scenario, same seed</h2>${comparison(r)}
<h2>Partition timeline</h2>${timelineChart(r)}
<h2>Delivery</h2>${deliveryCharts(r)}
<h2>Latency per precedence</h2>${latencyCharts(r)}
<h2>Cost</h2>${bytesChart(r)}${courierTable(r)}${queueChart(r)}
<p class="small">Made by <code>c5mesh sim</code> from <code>${esc(r.scenario.file)}</code>. Same scenario and seed give the same trace hash: c5mesh ${main.trace_hash}.</p>
</body></html>
`
}
