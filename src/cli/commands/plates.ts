/**
 * c5mesh plates check | list | report | update | recover | import
 * (docs/protocol/plates.md). With a running node the hotlist is the daemon's (its API);
 * without one it is rebuilt from the store for this command. Registration loads nothing
 * heavy (each action imports what it needs: see basic.ts).
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import type { Command } from 'commander'
import { C5Error, type ErrorCode } from '../../errors.js'
import { PRECEDENCES, type MsgType } from '../../envelope/types.js'
import type { ReportFields } from '../../plates/report.js'
import type { NodePlates } from '../../plates/node.js'
import type { FileReads } from '../../plates/reads.js'
import type { HotlistEntry } from '../../plates/hotlist.js'
import type { CliContext } from '../context.js'
import type { NodeAccess } from '../access.js'
import { emit, type Out } from '../output.js'
import { parseChoice, parseScope, parseTime } from '../parse.js'
import { withArticle } from '../../util/words.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }

interface Lookup { plate: string, status: string, matches: Array<{ match: string, report: Record<string, unknown> }> }

async function api<T> (access: NodeAccess, method: string, path: string, body?: unknown, type = 'application/json'): Promise<T> {
  let res: Response
  try {
    res = await fetch(access.api!.url + path, { method, headers: { ...access.api!.headers, ...(body === undefined ? {} : { 'content-type': type }) }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) })
  } catch (cause) { throw new C5Error('API_UNREACHABLE', `the daemon does not answer at ${access.api?.url ?? '?'}`, { cause }) }
  const json = await res.json().catch(() => undefined) as any
  if (!res.ok) throw new C5Error((json?.code ?? 'API_UNREACHABLE') as ErrorCode, json?.message ?? `the daemon answered ${res.status}`)
  return json as T
}

/** The hotlist of this command's node: the daemon's, or one rebuilt here from the store. */
async function localPlates (ctx: CliContext, access: NodeAccess): Promise<NodePlates> {
  const { startNodePlates } = await import('../../plates/node.js')
  const operator = await ctx.key('operator').catch(() => undefined)
  return startNodePlates(access.core!, await ctx.config(), operator)
}

/** The same view of a report the API gives (src/api/routes/plates.ts). */
function entryView (e: HotlistEntry): Record<string, unknown> {
  const { msgType: _m, plate: _p, ...details } = e.report
  return { root: e.root, id: e.id, plate: e.plate, ...details, org: e.org, reportedAt: e.reportedAt, updatedAt: e.updatedAt, expires: e.expires, updates: e.updates }
}

function lookupOf (p: NodePlates, plate: string): Lookup {
  const r = p.service.check(plate)
  return { plate: r.plate, status: r.status, matches: r.matches.map(m => ({ match: m.match, report: entryView(m.entry) })) }
}

function lookupLine (l: Lookup): string {
  if (l.status === 'none') return `${l.plate}  sin reporte (no report)`
  return l.matches.map(m => {
    const r = m.report
    const what = [r.make, r.model, r.year, r.colour].filter(x => x !== undefined).join(' ')
    return `${l.plate}  ${m.match === 'exact' ? 'ROBADO' : 'POSIBLE'}  placa ${String(r.plate)} (${String(r.plateState)})  ${what}  reporte ${String(r.root)} de ${String(r.org)}${r.caseNumber === undefined ? '' : `  carpeta ${String(r.caseNumber)}`}`
  }).join('\n')
}

function fieldsOf (o: Record<string, any>): Partial<ReportFields> {
  const f: Partial<ReportFields> = {}
  if (o.plate !== undefined) f.plate = o.plate
  if (o.state !== undefined) f.plateState = o.state
  for (const [flag, key] of [['vin', 'vin'], ['make', 'make'], ['model', 'model'], ['colour', 'colour'], ['case', 'caseNumber'], ['place', 'place'], ['description', 'description'], ['note', 'note']] as const) {
    if (o[flag] !== undefined) (f as Record<string, unknown>)[key] = o[flag]
  }
  if (o.year !== undefined) {
    const y = Number(o.year)
    if (!Number.isInteger(y)) throw new C5Error('CLI_BAD_ARGUMENT', '--year: a year such as 2019')
    f.year = y
  }
  if (o.stolenAt !== undefined) f.stolenAt = parseTime('--stolen-at', o.stolenAt, Date.now())
  return f
}

const reportOptions = (c: Command): Command => c
  .option('--vin <niv>', 'NIV / VIN')
  .option('--make <text>').option('--model <text>').option('--year <yyyy>').option('--colour <text>')
  .option('--case <text>', 'carpeta de investigación')
  .option('--stolen-at <time>', 'when it was stolen (ISO time or "now")')
  .option('--place <text>', 'where it was stolen')
  .option('--description <text>', 'circumstances, distinguishing marks')
  .option('--scope <scope>', 'national, or orgs: MX-JAL,MX-MIC', 'national')
  .option('--precedence <p>', PRECEDENCES.join(' | '))
  .option('--json', 'print JSON')

export function registerPlates (program: Command, get: Ctx): void {
  const plates = program.command('plates').description('the national stolen-vehicle hotlist (LPR)')

  plates.command('check <plate...>')
    .description('is this plate reported stolen? exact hits and possible (OCR-confusable) matches')
    .option('--json', 'print JSON')
    .action(async (list: string[], o: { json?: boolean }) => {
      const { ctx, out } = get()
      const access = await ctx.access()
      try {
        let results: Lookup[]
        if (access.mode === 'daemon') results = await api<Lookup[]>(access, 'POST', '/v1/plates/check', { plates: list })
        else { const p = await localPlates(ctx, access); try { results = list.map(pl => lookupOf(p, pl)) } finally { p.stop() } }
        emit(out(o.json), results, () => results.map(lookupLine).join('\n'))
      } finally { await access.close() }
    })

  plates.command('list')
    .description('the active reports, newest change first')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (o: { limit: string, json?: boolean }) => {
      const { ctx, out } = get()
      const limit = Number(o.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new C5Error('CLI_BAD_ARGUMENT', '--limit: an integer in 1..10000')
      const access = await ctx.access()
      try {
        let list: Array<Record<string, unknown>>
        if (access.mode === 'daemon') list = await api(access, 'GET', `/v1/plates?limit=${limit}`)
        else { const p = await localPlates(ctx, access); try { list = p.service.list(limit).map(entryView) } finally { p.stop() } }
        emit(out(o.json), list, () => list.length === 0 ? '(no active reports)' : list.map(r => `${String(r.plate).padEnd(10)} ${String(r.plateState).padEnd(7)} ${[r.make, r.model, r.year, r.colour].filter(x => x !== undefined).join(' ')}  ${String(r.org)}  ${String(r.root)}`).join('\n'))
      } finally { await access.close() }
    })

  async function sendReport (o: Record<string, any>, msgType: MsgType, fields: ReportFields, references: string[]): Promise<void> {
    const { ctx, out } = get()
    const cfg = await ctx.config()
    const operator = await ctx.key('operator')
    const { composeReport } = await import('../../plates/report.js')
    const env = composeReport(fields, operator, {
      org: cfg.org, now: Date.now(), msgType, references, scope: parseScope('--scope', o.scope ?? 'national'),
      ...(o.precedence === undefined ? {} : { precedence: parseChoice('--precedence', o.precedence, PRECEDENCES) })
    })
    const access = await ctx.access()
    try {
      const r = await access.ingest(env.bytes)
      if (!r.ok) throw new C5Error(r.code, r.message)
      emit(out(o.json), { id: r.message.id, msgType, plate: env.vehicle!.plate, via: access.mode }, () => r.message.id)
    } finally { await access.close() }
  }

  reportOptions(plates.command('report')
    .description('file a stolen-vehicle report (signed with the operator key; the roster must allow kind vehicle)')
    .requiredOption('--plate <plate>', 'e.g. JAL-123-4')
    .requiredOption('--state <code>', 'state of registration, ISO 3166-2: MX-JAL (MX for federal plates)'))
    .action(async (o: Record<string, any>) => { await sendReport(o, 'Alert', fieldsOf(o) as ReportFields, []) })

  /** The report chain's current details (to merge an Update over, and to name in a Cancel). */
  async function current (id: string): Promise<{ root: string, latest: string, fields: ReportFields }> {
    const { ctx } = get()
    const access = await ctx.access()
    try {
      const m = await access.show(id)
      if (m.kind !== 'vehicle' || m.vehicle === undefined) throw new C5Error('PLATES_NOT_A_REPORT', `${id} is ${withArticle(m.kind)}, not a stolen-vehicle report`)
      const root = m.vehicle.msgType === 'Alert' ? m.id : m.references[0]
      let latest = { id: m.id, fields: m.vehicle as ReportFields }
      // The newest details of the chain as this node holds them.
      let list: Array<Record<string, any>>
      if (access.mode === 'daemon') list = await api(access, 'GET', '/v1/plates?limit=10000')
      else { const p = await localPlates(ctx, access); try { list = p.service.list(10_000).map(entryView) } finally { p.stop() } }
      const entry = list.find(e => e.root === root)
      if (entry !== undefined) {
        const { root: _r, id: eid, org: _o, reportedAt: _a, updatedAt: _u, expires: _e, updates: _n, ...rest } = entry
        latest = { id: eid, fields: rest as ReportFields }
      }
      const { msgType: _m, note: _note, ...fields } = latest.fields as ReportFields & { msgType?: string }
      return { root, latest: latest.id, fields }
    } finally { await access.close() }
  }

  reportOptions(plates.command('update <reportId>')
    .description('change a report\'s details: an Update carrying the complete new details')
    .option('--plate <plate>').option('--state <code>').option('--note <text>', 'why'))
    .action(async (id: string, o: Record<string, any>) => {
      const c = await current(id)
      await sendReport(o, 'Update', { ...c.fields, ...fieldsOf(o) } as ReportFields, [...new Set([c.root, c.latest])])
    })

  plates.command('recover <reportId>')
    .description('the vehicle was recovered (or the report withdrawn): a Cancel that takes it off every hotlist')
    .option('--note <text>', 'e.g. "recuperado en Morelia"', 'recuperado')
    .option('--scope <scope>', 'national, or orgs', 'national')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Record<string, any>) => {
      const c = await current(id)
      await sendReport(o, 'Cancel', { plate: c.fields.plate, plateState: c.fields.plateState, note: o.note }, [...new Set([c.root, c.latest])])
    })

  plates.command('import <file>')
    .description('check a file of plate reads (NDJSON or CSV, c5mesh / Plate Recognizer / OpenALPR); hits become signed alerts; nothing else is kept')
    .option('--format <f>', 'ndjson | csv | json (default: from the file name)')
    .option('--camera <id>', 'camera id for rows that carry none (Plate Recognizer CSV)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { format?: string, camera?: string, json?: boolean }) => {
      const { ctx, out } = get()
      const text = await readFile(file, 'utf8').catch((cause: unknown) => { throw new C5Error('CLI_BAD_ARGUMENT', `cannot read ${file}: ${(cause as Error).message}`, { cause }) })
      const { readsOfCsv, readsOfNdjson, readsOfJson } = await import('../../plates/reads.js')
      const format = o.format ?? ({ '.csv': 'csv', '.json': 'json' } as Record<string, string>)[extname(file).toLowerCase()] ?? 'ndjson'
      const parsed: FileReads = format === 'csv'
        ? readsOfCsv(text, o.camera === undefined ? {} : { camera: o.camera })
        : format === 'json'
          ? { ...readsOfJson(JSON.parse(text)), errors: [] }
          : format === 'ndjson' ? readsOfNdjson(text) : (() => { throw new C5Error('CLI_BAD_ARGUMENT', '--format: ndjson, csv or json') })()
      const access = await ctx.access()
      let hits = 0
      let possible = 0
      const alerts: string[] = []
      try {
        const p = access.mode === 'daemon' ? undefined : await localPlates(ctx, access)
        try {
          for (let i = 0; i < parsed.reads.length; i += 1000) {
            const batch = parsed.reads.slice(i, i + 1000)
            const results = p === undefined
              ? (await api<{ results: Array<{ status: string, matches?: Array<{ alert?: { id?: string } }> }> }>(access, 'POST', '/v1/plates/reads', { reads: batch })).results
              : await p.reads.process(batch)
            for (const r of results) {
              if (r.status === 'hit') hits++
              if (r.status === 'possible') possible++
              for (const m of r.matches ?? []) { const a = m.alert as { id?: string } | undefined; if (a?.id !== undefined) alerts.push(a.id) }
            }
          }
        } finally { p?.stop() }
      } finally { await access.close() }
      const summary = { reads: parsed.reads.length, skipped: parsed.skipped, hits, possible, alerts, badLines: parsed.errors.slice(0, 50) }
      emit(out(o.json), summary, () => [
        `${summary.reads} reads checked: ${hits} hits, ${possible} possible, ${alerts.length} alerts sent or updated`,
        ...parsed.errors.slice(0, 10).map(e => `  line ${e.line}: error ${e.code}: ${e.message}`),
        ...(parsed.errors.length > 10 ? [`  … ${parsed.errors.length - 10} more bad lines`] : [])
      ].join('\n'))
      if (parsed.errors.length > 0) throw new C5Error('PLATES_BAD_READ', `${parsed.errors.length} line(s) of ${file} were not reads (the others were checked)`)
    })
}
