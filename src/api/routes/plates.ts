/**
 * Plates routes (docs/protocol/plates.md §"API"), registered by server.ts as a plugin so
 * they inherit the server's hooks (authentication, limits):
 *
 *   GET  /v1/plates              the active hotlist, newest change first (?limit)
 *   GET  /v1/plates/stats        hotlist and read counters
 *   GET  /v1/plates/:plate       one lookup: hit / possible / none with the matching reports
 *   POST /v1/plates/check        { plates: [..] } (≤ 1,000): lookups only, nothing sent
 *   POST /v1/plates/reads        reads from an LPR system: JSON (c5mesh batch, Plate
 *                                Recognizer webhook, OpenALPR/Rekor alpr_group),
 *                                application/x-ndjson or text/csv; hits become signed alerts
 *
 * Reads are checked and forgotten: nothing about a read that matches no report is stored,
 * logged or forwarded (counters only).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { C5Error } from '../../errors.js'
import { READS_PER_BATCH_MAX, type HotlistEntry } from '../../plates/index.js'
import type { NodePlates } from '../../plates/node.js'
import { readsOfCsv, readsOfJson, readsOfNdjson, type FileReads, type PlateRead, type ReadFormat } from '../../plates/reads.js'

export interface PlatesRoutesOptions { plates: NodePlates }

export function entryView (e: HotlistEntry): Record<string, unknown> {
  const { msgType: _m, plate: _p, ...details } = e.report
  return { root: e.root, id: e.id, plate: e.plate, ...details, org: e.org, reportedAt: e.reportedAt, updatedAt: e.updatedAt, expires: e.expires, updates: e.updates }
}

const FORMATS = new Set<ReadFormat>(['c5mesh', 'platerecognizer', 'openalpr'])

function fileErrors (r: FileReads): void {
  if (r.errors.length === 0) return
  const first = r.errors[0]
  throw new C5Error('PLATES_BAD_READ', `${r.errors.length} bad line(s); first: ${first.message}`, { details: { line: first.line, errors: r.errors.slice(0, 20) } })
}

export const platesRoutes: FastifyPluginAsync<PlatesRoutesOptions> = async (app: FastifyInstance, { plates }) => {
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/csv'], { parseAs: 'string' }, (_req, body, done) => { done(null, body) })

  app.get<{ Querystring: { limit?: string } }>('/v1/plates', async req => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new C5Error('API_BAD_REQUEST', `limit: expected a whole number from 1 to 10000, got ${JSON.stringify(req.query.limit)}`, { details: { field: 'limit' } })
    return plates.service.list(limit).map(entryView)
  })
  app.get('/v1/plates/stats', async () => ({ hotlist: plates.service.stats(), reads: plates.reads.stats() }))
  app.get<{ Params: { plate: string } }>('/v1/plates/:plate', async req => {
    const r = plates.service.check(req.params.plate)
    return { plate: r.plate, status: r.status, matches: r.matches.map(m => ({ match: m.match, report: entryView(m.entry) })) }
  })
  app.post('/v1/plates/check', async req => {
    const body = req.body as { plates?: unknown } | undefined
    if (typeof body !== 'object' || body === null || !Array.isArray(body.plates)) throw new C5Error('PLATES_BAD_READ', 'body: expected { "plates": ["ABC1234", …] }', { details: { field: 'plates' } })
    if (body.plates.length > READS_PER_BATCH_MAX) throw new C5Error('PLATES_TOO_MANY', `at most ${READS_PER_BATCH_MAX} plates per check, got ${body.plates.length}`)
    // Validated whole before any answer: one bad plate refuses the batch, naming it.
    const plain = body.plates.map((p, i) => {
      if (typeof p !== 'string') throw new C5Error('PLATES_BAD_PLATE', `plates[${i}]: expected text`, { details: { index: i } })
      return p
    })
    return plain.map((p, i) => {
      try {
        const r = plates.service.check(p)
        return { plate: r.plate, status: r.status, matches: r.matches.map(m => ({ match: m.match, report: entryView(m.entry) })) }
      } catch (err) {
        if (err instanceof C5Error) throw new C5Error(err.code, `plates[${i}]: ${err.message}`, { details: { index: i, ...err.details } })
        throw err
      }
    })
  })
  app.post<{ Querystring: { format?: string, camera?: string } }>('/v1/plates/reads', async (req, reply) => {
    const format = req.query.format
    if (format !== undefined && !FORMATS.has(format as ReadFormat)) throw new C5Error('PLATES_BAD_READ', `format: one of ${[...FORMATS].join(', ')}`, { details: { field: 'format' } })
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim()
    let reads: PlateRead[]
    let skipped = 0
    if (typeof req.body === 'string') {
      const got = type === 'text/csv' ? readsOfCsv(req.body, req.query.camera === undefined ? {} : { camera: req.query.camera }) : readsOfNdjson(req.body, format as ReadFormat | undefined)
      fileErrors(got)
      reads = got.reads
      skipped = got.skipped
    } else {
      if (req.body === undefined || req.body === null) throw new C5Error('PLATES_BAD_READ', 'body: expected JSON reads', { details: { field: '' } })
      const got = readsOfJson(req.body, 'body', format as ReadFormat | undefined)
      reads = got.reads
      skipped = got.skipped
    }
    if (reads.length > READS_PER_BATCH_MAX) throw new C5Error('PLATES_TOO_MANY', `at most ${READS_PER_BATCH_MAX} reads per request, got ${reads.length}`)
    const results = await plates.reads.process(reads)
    return reply.status(200).send({
      reads: results.length,
      skipped,
      hits: results.filter(r => r.status === 'hit').length,
      possible: results.filter(r => r.status === 'possible').length,
      // Reads that matched nothing are answered by count only: not echoed back.
      results: results.map((r, i) => r.status === 'none' ? { index: i, status: 'none' } : { index: i, ...r })
    })
  })
}
