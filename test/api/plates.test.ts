/**
 * The plates routes over HTTP (fastify inject) on a real core: LevelDB in a temp folder, the
 * real ingest path, the hotlist service and read checker; each bad read is a 4xx with a code.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createApi } from '../../src/api/server.js'
import { injectAuth } from '../helpers/api.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { composeReport, createPlatesService } from '../../src/plates/index.js'
import { createReadChecker } from '../../src/plates/hits.js'
import { createTestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'

let app: FastifyInstance
let core: NodeCore
let cleanup: () => Promise<void>
const world = createTestWorld(['MX-NLE'], Date.now())
const op = world.members[0].operator
let reportId = ''
const auth = injectAuth({ inject: (o: any) => app.inject(o) }, op)
const inject = auth.inject

beforeAll(async () => {
  const dir = await tempDir('c5mesh-plates-api-')
  cleanup = dir.cleanup
  core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
  await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
  const service = createPlatesService({ store: core.store, ingest: core.ingest, clock: core.clock })
  await service.start()
  const reads = createReadChecker({ hotlist: service.hotlist, clock: core.clock, ingest: core.ingest, org: 'MX-NLE', neighbours: ['MX-COA', 'MX-TAM'], operator: op })
  app = await createApi({ core, org: 'MX-NLE', operators: auth.operators, plates: { service, reads, stop: () => { service.stop() } } })
  const r = composeReport({ plate: 'JD6-085-B', plateState: 'MX-NLE', make: 'Dodge', colour: 'blanco', caseNumber: 'FGJ/NL/2026/77' }, op, { org: 'MX-NLE', now: Date.now() })
  reportId = r.id
  expect((await core.ingest.ingest(r.bytes, 'local')).ok).toBe(true)
})
afterAll(async () => { await app.close(); await core.close(); await cleanup() })

const post = async (url: string, payload: unknown, type = 'application/json') =>
  inject({ method: 'POST', url, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': type } })

describe('plates API', () => {
  it('GET /v1/plates/:plate: hit, possible, none; a bad plate is 400 PLATES_BAD_PLATE', async () => {
    const hit = (await inject('/v1/plates/jd6-085-b')).json()
    expect(hit).toMatchObject({ plate: 'JD6085B', status: 'hit', matches: [{ match: 'exact', report: { root: reportId, make: 'Dodge', plateState: 'MX-NLE' } }] })
    expect((await inject('/v1/plates/JO6O85B')).json()).toMatchObject({ status: 'possible', matches: [{ match: 'possible', report: { plate: 'JD6085B' } }] })
    expect((await inject('/v1/plates/AAA1111')).json()).toMatchObject({ status: 'none', matches: [] })
    const bad = await inject('/v1/plates/%2A%2A')
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'PLATES_BAD_PLATE'])
    for (const limit of ['0', 'lots']) {
      const r = await inject(`/v1/plates?limit=${limit}`)
      expect([r.statusCode, r.json()]).toEqual([400, expect.objectContaining({ code: 'API_BAD_REQUEST', field: 'limit', message: `limit: expected a whole number from 1 to 10000, got "${limit}"` })])
    }
    expect((await inject('/v1/plates')).json()).toMatchObject([{ plate: 'JD6085B', caseNumber: 'FGJ/NL/2026/77' }])
  })

  it('POST /v1/plates/check: batch lookups; more than 1,000 is 413', async () => {
    const r = await post('/v1/plates/check', { plates: ['JD6085B', 'XYZ999'] })
    expect(r.json().map((x: { status: string }) => x.status)).toEqual(['hit', 'none'])
    const many = await post('/v1/plates/check', { plates: Array(1001).fill('ABC123') })
    expect([many.statusCode, many.json().code]).toEqual([413, 'PLATES_TOO_MANY'])
  })

  it('POST /v1/plates/reads (c5mesh JSON): a hit becomes a stored signed alert; a miss is answered by count only', async () => {
    const r = await post('/v1/plates/reads', { reads: [{ plate: 'JD6 085 B', camera: 'MTY-CAM-1', time: new Date().toISOString(), lat: 25.67, lon: -100.31, confidence: 0.93 }, { plate: 'ZZZ123', camera: 'MTY-CAM-1', time: Date.now() }] })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body).toMatchObject({ reads: 2, hits: 1, results: [{ status: 'hit', matches: [{ match: 'exact', alert: { msgType: 'Alert' } }] }, { index: 1, status: 'none' }] })
    expect(body.results[1].plate).toBeUndefined()
    const id = body.results[0].matches[0].alert.id
    const shown = (await inject(`/v1/messages/${id}`)).json()
    expect(shown).toMatchObject({ kind: 'alert', precedence: 'immediate', content: { certainty: 'Observed', area: { circles: [{ lat: 25.67, lon: -100.31 }] } } })
    expect(shown.scope).toEqual(expect.arrayContaining(['MX-NLE', 'MX-COA', 'MX-TAM']))
  })

  it('Plate Recognizer Stream webhook and Rekor/OpenALPR alpr_group bodies are understood', async () => {
    const pr = { hook: { target: 'http://127.0.0.1/', id: 'camera-1', event: 'recognition' }, data: { camera_id: 'camera-1', timestamp: new Date().toISOString(), results: [{ plate: 'jd6085b', score: 0.9, region: { code: 'mx' }, candidates: [{ plate: 'jd6085b', score: 0.9 }] }] } }
    expect((await post('/v1/plates/reads', pr)).json()).toMatchObject({ reads: 1, hits: 1, results: [{ camera: 'camera-1', status: 'hit' }] })
    const alpr = { data_type: 'alpr_group', camera_id: 1234, epoch_start: Date.now(), best_plate_number: 'JO6085B', best_confidence: 60.49, best_region: 'mx-nle', gps_latitude: 25.7, gps_longitude: -100.3, candidates: [{ plate: 'JO6085B', confidence: 60.49 }, { plate: 'JD6085B', confidence: 56.7 }], web_server_config: { camera_label: 'Av. Constitución' } }
    const got = (await post('/v1/plates/reads', alpr)).json()
    // The best reading is not the plate, a lower candidate is: a possible hit, never certain.
    expect(got).toMatchObject({ hits: 0, possible: 1, results: [{ camera: 'Av. Constitución', status: 'possible', matches: [{ match: 'possible', via: 'candidate', readPlate: 'JD6085B' }] }] })
    const heartbeat = (await post('/v1/plates/reads', { data_type: 'heartbeat', version: 1 })).json()
    expect(heartbeat).toMatchObject({ reads: 0, skipped: 1 })
  })

  it('NDJSON and CSV bodies (c5mesh and Plate Recognizer Stream CSV)', async () => {
    const nd = [JSON.stringify({ plate: 'JD6085B', camera: 'C9', time: Date.now() }), '', JSON.stringify({ plate: 'AB12', camera: 'C9', time: Date.now() })].join('\n')
    expect((await post('/v1/plates/reads', nd, 'application/x-ndjson')).json()).toMatchObject({ reads: 2, hits: 1 })
    const csv = `plate,camera,time,lat,lon,confidence,candidates\nJD6085B,C10,${new Date().toISOString()},25.6,-100.2,0.8,JD6O85B|JD6085B\n`
    expect((await post('/v1/plates/reads', csv, 'text/csv')).json()).toMatchObject({ reads: 1, hits: 1 })
    const prCsv = 'timestamp,plate,score,dscore,file,box,model_make,color,vehicle,region,orientation,candidates,source_url,position_sec,direction\n' +
      `${new Date().toISOString().replace('T', ' ').replace('Z', '+00:00')},jd6085b,0.781,0.441,/cam-7_screenshots/x.jpg,"{'xmin': 1}","[]","[]","{}","{'code': 'mx', 'score': 0.5}","[]","[{'plate': 'jd6085b'}, {'plate': 'jd6o85b'}]",/user-data/v.mp4,4.0,225\n`
    expect((await post('/v1/plates/reads', prCsv, 'text/csv')).json()).toMatchObject({ reads: 1, hits: 1, results: [{ camera: 'cam-7' }] })
  })

  it.each([
    ['no camera', { reads: [{ plate: 'ABC123', time: Date.now() }] }, 'PLATES_BAD_READ', 400],
    ['a time that is not one', { reads: [{ plate: 'ABC123', camera: 'c', time: 'ayer' }] }, 'PLATES_BAD_READ', 400],
    ['latitude 95', { reads: [{ plate: 'ABC123', camera: 'c', time: Date.now(), lat: 95, lon: 0 }] }, 'PLATES_BAD_READ', 400],
    ['lat without lon', { reads: [{ plate: 'ABC123', camera: 'c', time: Date.now(), lat: 20 }] }, 'PLATES_BAD_READ', 400],
    ['confidence 3', { reads: [{ plate: 'ABC123', camera: 'c', time: Date.now(), confidence: 3 }] }, 'PLATES_BAD_READ', 400],
    ['an unreadable plate', { reads: [{ plate: '?!', camera: 'c', time: Date.now() }] }, 'PLATES_BAD_READ', 400],
    ['a read that is not an object', { reads: ['ABC123'] }, 'PLATES_BAD_READ', 400],
    ['Plate Recognizer without results', { data: { camera_id: 'x', timestamp: new Date().toISOString(), results: 'none' } }, 'PLATES_BAD_READ', 400],
    ['alpr_group without a plate', { data_type: 'alpr_group', camera_id: 1, epoch_start: Date.now() }, 'PLATES_BAD_READ', 400],
    ['1,001 reads', { reads: Array(1001).fill({ plate: 'ABC123', camera: 'c', time: Date.now() }) }, 'PLATES_TOO_MANY', 413],
    ['an unknown format', '?format=foo', 'PLATES_BAD_READ', 400]
  ])('refuses %s with a code, and stores nothing', async (_name, body, code, status) => {
    const before = core.store.count()
    const r = typeof body === 'string' ? await post(`/v1/plates/reads${body}`, { reads: [] }) : await post('/v1/plates/reads', body)
    expect([r.statusCode, r.json().code]).toEqual([status, code])
    expect(core.store.count()).toBe(before)
  })

  it('a bad NDJSON line refuses the request naming the line; malformed JSON is 400', async () => {
    const nd = `${JSON.stringify({ plate: 'JD6085B', camera: 'C9', time: Date.now() })}\n{not json\n`
    const r = await post('/v1/plates/reads', nd, 'application/x-ndjson')
    expect([r.statusCode, r.json().code, r.json().details.line]).toEqual([400, 'PLATES_BAD_READ', 2])
    const j = await post('/v1/plates/reads', '{"reads": [', 'application/json')
    expect(j.statusCode).toBe(400)
  })
})
