/**
 * Small inline-SVG charts for the report (no library, no script, no network): a line chart,
 * grouped bars, a heat map and a Gantt timeline. Text is escaped; sizes are fixed so that
 * the page prints and projects well.
 */
export const esc = (s: string): string => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** Colours of the systems and precedences (colour-blind safe palette). */
export const COLOURS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000']

/** Ticks at round times (1 min … 2 days) for an axis from 0 to endMs. */
export function timeTicks (endMs: number, n = 8): number[] {
  const steps = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 7200].map(m => m * 60_000)
  const step = steps.find(s => endMs / s <= n) ?? steps[steps.length - 1]
  const out: number[] = []
  for (let t = 0; t <= endMs; t += step) out.push(t)
  return out
}
/** Decades and round times for a latency axis on a log scale. */
export const LATENCY_TICKS_MS = [100, 1_000, 10_000, 60_000, 600_000, 3_600_000, 21_600_000, 86_400_000]

export interface Series { label: string, colour: string, points: Array<[number, number]>, dashed?: boolean }

const W = 760
const PAD = { l: 56, r: 16, t: 16, b: 36 }

function ticks (min: number, max: number, n: number): number[] {
  if (max <= min) return [min]
  const raw = (max - min) / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(k => k * mag).find(s => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(12)))
  return out
}

export function lineChart (o: { series: Series[], height?: number, xLabel: (x: number) => string, yLabel: (y: number) => string, yMax?: number, logX?: boolean, xMin?: number, xMax?: number, xTicks?: number[], title: string }): string {
  const H = o.height ?? 260
  const xs = o.series.flatMap(s => s.points.map(p => p[0])).filter(Number.isFinite)
  const ys = o.series.flatMap(s => s.points.map(p => p[1])).filter(Number.isFinite)
  const fx = (x: number): number => o.logX === true ? Math.log10(Math.max(x, 1)) : x
  const x0 = fx(o.xMin ?? Math.min(...xs, 0))
  const x1 = fx(o.xMax ?? Math.max(...xs, 1))
  const y1 = o.yMax ?? Math.max(...ys, 1)
  const px = (x: number): number => PAD.l + ((fx(x) - x0) / Math.max(1e-9, x1 - x0)) * (W - PAD.l - PAD.r)
  const py = (y: number): number => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b)
  const xt = o.xTicks ?? (o.logX === true ? ticks(x0, x1, 6).map(v => 10 ** v) : ticks(x0, x1, 8))
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>`]
  for (const y of ticks(0, y1, 5)) parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(y)}" y2="${py(y)}" class="grid"/><text x="${PAD.l - 6}" y="${py(y) + 4}" text-anchor="end">${esc(o.yLabel(y))}</text>`)
  for (const x of xt) parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${PAD.t}" y2="${H - PAD.b}" class="grid"/><text x="${px(x)}" y="${H - PAD.b + 16}" text-anchor="middle">${esc(o.xLabel(x))}</text>`)
  for (const s of o.series) {
    const pts = s.points.filter(p => Number.isFinite(p[0]) && Number.isFinite(p[1])).map(p => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}><title>${esc(s.label)}</title></polyline>`)
  }
  parts.push(legend(o.series.map(s => ({ label: s.label, colour: s.colour })), PAD.l + 8, PAD.t + 4))
  parts.push('</svg>')
  return parts.join('')
}

function legend (items: Array<{ label: string, colour: string }>, x: number, y: number): string {
  return items.map((it, i) => `<rect x="${x}" y="${y + i * 16}" width="12" height="10" fill="${it.colour}"/><text x="${x + 16}" y="${y + i * 16 + 9}">${esc(it.label)}</text>`).join('')
}

export function barChart (o: { groups: string[], series: Array<{ label: string, colour: string, values: number[] }>, yLabel: (y: number) => string, title: string, height?: number }): string {
  const H = o.height ?? 240
  const max = Math.max(1, ...o.series.flatMap(s => s.values))
  const gw = (W - PAD.l - PAD.r) / Math.max(1, o.groups.length)
  const bw = Math.min(40, (gw - 12) / Math.max(1, o.series.length))
  const py = (y: number): number => H - PAD.b - (y / max) * (H - PAD.t - PAD.b)
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>`]
  for (const y of ticks(0, max, 5)) parts.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(y)}" y2="${py(y)}" class="grid"/><text x="${PAD.l - 6}" y="${py(y) + 4}" text-anchor="end">${esc(o.yLabel(y))}</text>`)
  o.groups.forEach((g, gi) => {
    const gx = PAD.l + gi * gw + (gw - bw * o.series.length) / 2
    o.series.forEach((s, si) => {
      const v = s.values[gi] ?? 0
      parts.push(`<rect x="${(gx + si * bw).toFixed(1)}" y="${py(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(H - PAD.b - py(v)).toFixed(1)}" fill="${s.colour}"><title>${esc(`${s.label} · ${g}: ${o.yLabel(v)}`)}</title></rect>`)
    })
    parts.push(`<text x="${(PAD.l + gi * gw + gw / 2).toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle">${esc(g)}</text>`)
  })
  parts.push(legend(o.series, W - PAD.r - 150, PAD.t))
  parts.push('</svg>')
  return parts.join('')
}

/** Rows × columns of values in [0, 1]: red (0) → yellow → green (1). */
export function heatMap (o: { rows: string[], values: number[][], xLabel: (i: number) => string, columns: number, title: string }): string {
  const rowH = 13
  const left = 70
  const H = PAD.t + o.rows.length * rowH + 30
  const cw = (W - left - PAD.r) / Math.max(1, o.columns)
  const colour = (v: number): string => {
    const h = Math.round(Math.max(0, Math.min(1, v)) * 120)
    return `hsl(${h},70%,${v >= 0.999 ? 40 : 50}%)`
  }
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>`]
  o.rows.forEach((r, ri) => {
    const y = PAD.t + ri * rowH
    parts.push(`<text x="${left - 6}" y="${y + rowH - 3}" text-anchor="end" class="small">${esc(r)}</text>`)
    o.values[ri].forEach((v, ci) => { parts.push(`<rect x="${(left + ci * cw).toFixed(1)}" y="${y}" width="${(cw + 0.5).toFixed(1)}" height="${rowH - 1}" fill="${colour(v)}"><title>${esc(`${r} at ${o.xLabel(ci)}: ${(v * 100).toFixed(1)} %`)}</title></rect>`) })
  })
  const yAxis = PAD.t + o.rows.length * rowH + 14
  for (let ci = 0; ci <= o.columns; ci += Math.max(1, Math.round(o.columns / 8))) parts.push(`<text x="${(left + ci * cw).toFixed(1)}" y="${yAxis}" text-anchor="middle" class="small">${esc(o.xLabel(ci))}</text>`)
  parts.push('</svg>')
  return parts.join('')
}

export interface GanttRow { label: string, bars: Array<{ from: number, to: number, colour: string, note?: string }> }

export function gantt (o: { rows: GanttRow[], endMs: number, marks: Array<{ t: number, label: string }>, xLabel: (ms: number) => string, title: string }): string {
  const rowH = 16
  const left = 190
  const H = PAD.t + Math.max(1, o.rows.length) * rowH + 34
  const px = (ms: number): number => left + (Math.max(0, Math.min(o.endMs, ms)) / Math.max(1, o.endMs)) * (W - left - PAD.r)
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}"><title>${esc(o.title)}</title>`]
  for (const x of timeTicks(o.endMs)) parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${PAD.t}" y2="${H - 30}" class="grid"/><text x="${px(x)}" y="${H - 14}" text-anchor="middle" class="small">${esc(o.xLabel(x))}</text>`)
  o.rows.forEach((r, ri) => {
    const y = PAD.t + ri * rowH
    parts.push(`<text x="${left - 6}" y="${y + rowH - 4}" text-anchor="end" class="small">${esc(r.label)}</text>`)
    for (const b of r.bars) parts.push(`<rect x="${px(b.from).toFixed(1)}" y="${y + 2}" width="${Math.max(1.5, px(b.to) - px(b.from)).toFixed(1)}" height="${rowH - 4}" fill="${b.colour}" rx="2"><title>${esc(`${r.label}: ${o.xLabel(b.from)} – ${o.xLabel(b.to)}${b.note === undefined ? '' : ` (${b.note})`}`)}</title></rect>`)
  })
  for (const m of o.marks) parts.push(`<line x1="${px(m.t)}" x2="${px(m.t)}" y1="${PAD.t}" y2="${H - 30}" class="mark"><title>${esc(`${o.xLabel(m.t)}: ${m.label}`)}</title></line>`)
  parts.push('</svg>')
  return parts.join('')
}
