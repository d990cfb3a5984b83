/**
 * Plate reads from LPR systems, in the shapes they send (docs/protocol/plates.md §"Reads"):
 *
 * - c5mesh JSON: `{ "reads": [read…] }` or `[read…]`, read = { plate, camera, time, lat?,
 *   lon?, confidence?, candidates?, direction?, region? }
 * - Plate Recognizer Stream webhook / JSON Lines: `{ data: { camera_id, timestamp, results: [...] } }`
 * - Rekor Scout / OpenALPR group: `{ data_type: "alpr_group", best_plate_number, candidates, … }`
 * - NDJSON (one of the above per line) and CSV (c5mesh columns, or Plate Recognizer Stream's
 *   CSV output).
 *
 * Everything is checked before use; a bad read is PLATES_BAD_READ naming its index (or line)
 * and field. Reads are plain values: nothing here stores or forwards them.
 */
import { parse as parseCsv } from 'csv-parse/sync'
import { C5Error } from '../errors.js'
import { CAMERA_ID_MAX_CHARS, CANDIDATES_PER_READ_MAX, PLATE_INPUT_MAX_CHARS, READS_PER_BATCH_MAX } from './constants.js'

export interface PlateCandidate { plate: string, confidence?: number }

export interface PlateRead {
  /** The plate as the camera read it (raw; normalised by the matcher). */
  plate: string
  camera: string
  /** ms since the Unix epoch. */
  time: number
  lat?: number
  lon?: number
  /** 0..1 */
  confidence?: number
  /** Other readings of the same plate, best first (OCR alternatives). */
  candidates?: PlateCandidate[]
  /** Heading in degrees or a word ("norte", "entrada"). */
  direction?: string
  /** Region the camera software guessed (e.g. "mx-nle"). */
  region?: string
}

export type ReadFormat = 'c5mesh' | 'platerecognizer' | 'openalpr'

function bad (where: string, field: string, expected: string): never {
  throw new C5Error('PLATES_BAD_READ', `${where}${field === '' ? '' : ` ${field}`}: expected ${expected}`, { details: { where, field, expected } })
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function str (where: string, field: string, v: unknown, max: number, optional = false): string | undefined {
  if (v === undefined || v === null || v === '') { if (optional) return undefined; bad(where, field, 'text') }
  if (typeof v === 'number' && Number.isFinite(v)) v = String(v)
  if (typeof v !== 'string' || v.length > max) bad(where, field, `text of at most ${max} characters`)
  return v
}

function num (where: string, field: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'string' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) bad(where, field, `a number in [${min}, ${max}]`)
  return n
}

/** ISO 8601 text (with a zone, or read as UTC), or ms / s since the epoch. */
function time (where: string, field: string, v: unknown): number {
  let ms: number
  if (typeof v === 'number') ms = v < 1e11 ? v * 1000 : v // seconds (Verkada, Unix) or ms
  else if (typeof v === 'string' && v.length <= 64) {
    const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v.replace(' ', 'T') : v.replace(' ', 'T') + 'Z')
    ms = /^\d+(\.\d+)?$/.test(v) && t < 1e11 ? t * 1000 : t
  } else ms = NaN
  if (!Number.isFinite(ms) || ms <= 0 || ms > Number.MAX_SAFE_INTEGER) bad(where, field, 'a time: ISO 8601 or ms since the epoch')
  return Math.round(ms)
}

/** Confidence as 0..1; products that send percentages (OpenALPR) are divided first. */
function confidence01 (where: string, field: string, v: unknown, percent: boolean): number | undefined {
  const n = num(where, field, v, 0, percent ? 100 : 1)
  return n === undefined ? undefined : percent ? n / 100 : n
}

function candidates (where: string, v: unknown, percent: boolean): PlateCandidate[] | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const list = typeof v === 'string' ? v.split('|').filter(s => s.length > 0) : v
  if (!Array.isArray(list)) bad(where, 'candidates', 'a list of plates')
  const out: PlateCandidate[] = []
  for (const [i, c] of list.slice(0, CANDIDATES_PER_READ_MAX).entries()) {
    const f = `candidates[${i}]`
    if (typeof c === 'string') { out.push({ plate: str(where, f, c, PLATE_INPUT_MAX_CHARS)! }); continue }
    if (!isObj(c)) bad(where, f, '{ plate, confidence? } or text')
    const conf = confidence01(where, `${f}.confidence`, c.confidence ?? c.score, percent)
    out.push({ plate: str(where, `${f}.plate`, c.plate, PLATE_INPUT_MAX_CHARS)!, ...(conf === undefined ? {} : { confidence: conf }) })
  }
  return out.length > 0 ? out : undefined
}

function position (where: string, lat: unknown, lon: unknown): Pick<PlateRead, 'lat' | 'lon'> {
  const la = num(where, 'lat', lat, -90, 90)
  const lo = num(where, 'lon', lon, -180, 180)
  if ((la === undefined) !== (lo === undefined)) bad(where, la === undefined ? 'lat' : 'lon', 'lat and lon together')
  // OpenALPR sends 0, 0 for a camera without a configured position.
  if (la === undefined || lo === undefined || (la === 0 && lo === 0)) return {}
  return { lat: la, lon: lo }
}

function finish (r: PlateRead): PlateRead {
  for (const k of Object.keys(r) as Array<keyof PlateRead>) if (r[k] === undefined) delete r[k]
  return r
}

/** One read of c5mesh's own shape. */
export function parseC5Read (v: unknown, where: string): PlateRead {
  if (!isObj(v)) bad(where, '', 'a read object { plate, camera, time, … }')
  const dir = v.direction
  return finish({
    plate: str(where, 'plate', v.plate, PLATE_INPUT_MAX_CHARS)!,
    camera: str(where, 'camera', v.camera, CAMERA_ID_MAX_CHARS)!,
    time: time(where, 'time', v.time),
    ...position(where, v.lat, v.lon),
    confidence: confidence01(where, 'confidence', v.confidence, false),
    candidates: candidates(where, v.candidates, false),
    direction: dir === undefined || dir === null || dir === '' ? undefined : str(where, 'direction', dir, 32),
    region: str(where, 'region', v.region, 16, true)
  })
}

/** Plate Recognizer Stream: one read per result of a webhook body or JSON Lines record. */
export function parsePlateRecognizer (v: unknown, where: string, fallbackCamera?: string): PlateRead[] {
  if (!isObj(v)) bad(where, '', 'a Plate Recognizer object')
  const data = isObj(v.data) ? v.data : v
  const hook = isObj(v.hook) ? v.hook : {}
  const camera = str(where, 'data.camera_id', data.camera_id ?? hook.id ?? fallbackCamera, CAMERA_ID_MAX_CHARS)!
  const t = time(where, 'data.timestamp', data.timestamp)
  if (!Array.isArray(data.results)) bad(where, 'data.results', 'a list of results')
  return data.results.slice(0, READS_PER_BATCH_MAX).map((r: unknown, i: number) => {
    const w = `${where} results[${i}]`
    if (!isObj(r)) bad(w, '', 'a result object')
    const region = isObj(r.region) ? r.region.code : undefined
    return finish({
      plate: str(w, 'plate', r.plate, PLATE_INPUT_MAX_CHARS)!,
      camera,
      time: t,
      confidence: confidence01(w, 'score', r.score, false),
      candidates: candidates(w, r.candidates, false),
      direction: r.direction === undefined || r.direction === null || r.direction === '' ? undefined : str(w, 'direction', r.direction, 32),
      region: str(w, 'region.code', region, 16, true),
      ...(isObj(data.gps) ? position(w, data.gps.latitude, data.gps.longitude) : {})
    })
  })
}

/** Rekor Scout / OpenALPR agent `alpr_group`: one read with its candidate list. */
export function parseOpenAlprGroup (v: unknown, where: string): PlateRead {
  if (!isObj(v) || v.data_type !== 'alpr_group') bad(where, 'data_type', '"alpr_group"')
  const web = isObj(v.web_server_config) ? v.web_server_config : {}
  const label = typeof web.camera_label === 'string' && web.camera_label.length > 0 ? web.camera_label : undefined
  const best = isObj(v.best_plate) ? v.best_plate : {}
  return finish({
    plate: str(where, 'best_plate_number', v.best_plate_number, PLATE_INPUT_MAX_CHARS)!,
    camera: str(where, 'camera_id', label ?? v.camera_id, CAMERA_ID_MAX_CHARS)!,
    time: time(where, 'epoch_start', v.epoch_start),
    ...position(where, v.gps_latitude, v.gps_longitude),
    confidence: confidence01(where, 'best_confidence', v.best_confidence, true),
    candidates: candidates(where, v.candidates ?? best.candidates, true),
    direction: v.travel_direction === undefined || v.travel_direction === null ? undefined : str(where, 'travel_direction', v.travel_direction, 32),
    region: str(where, 'best_region', v.best_region, 16, true)
  })
}

/** Which product sent this object (by its own marks). */
export function detectFormat (v: unknown): ReadFormat {
  if (isObj(v) && v.data_type !== undefined) return 'openalpr'
  if (isObj(v) && (Array.isArray(v.results) || (isObj(v.data) && Array.isArray(v.data.results)))) return 'platerecognizer'
  return 'c5mesh'
}

/** Reads in one JSON value; heartbeats and other OpenALPR data types are skipped (counted). */
export function readsOfJson (v: unknown, where = 'body', format?: ReadFormat): { reads: PlateRead[], skipped: number } {
  if (Array.isArray(v) || (isObj(v) && Array.isArray(v.reads) && format !== 'platerecognizer')) {
    const list = Array.isArray(v) ? v : v.reads as unknown[]
    if (list.length > READS_PER_BATCH_MAX) throw new C5Error('PLATES_TOO_MANY', `at most ${READS_PER_BATCH_MAX} reads per batch, got ${list.length}`)
    const reads: PlateRead[] = []
    let skipped = 0
    list.forEach((r, i) => { const got = readsOfJson(r, `${where} reads[${i}]`, format); reads.push(...got.reads); skipped += got.skipped })
    return { reads, skipped }
  }
  const f = format ?? detectFormat(v)
  if (f === 'openalpr') {
    if (isObj(v) && v.data_type !== 'alpr_group') return { reads: [], skipped: 1 }
    return { reads: [parseOpenAlprGroup(v, where)], skipped: 0 }
  }
  if (f === 'platerecognizer') return { reads: parsePlateRecognizer(v, where), skipped: 0 }
  return { reads: [parseC5Read(v, where)], skipped: 0 }
}

export interface FileReads { reads: PlateRead[], skipped: number, errors: Array<{ line: number, code: string, message: string }> }

/** NDJSON: one JSON value per line; blank lines skipped; bad lines reported, not fatal. */
export function readsOfNdjson (text: string, format?: ReadFormat): FileReads {
  const out: FileReads = { reads: [], skipped: 0, errors: [] }
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return
    try {
      let v: unknown
      try { v = JSON.parse(line) } catch { bad(`line ${i + 1}`, '', 'one JSON value per line') }
      const got = readsOfJson(v, `line ${i + 1}`, format)
      out.reads.push(...got.reads)
      out.skipped += got.skipped
    } catch (err) {
      if (!(err instanceof C5Error)) throw err
      out.errors.push({ line: i + 1, code: err.code, message: err.message })
    }
  })
  return out
}

/** Plate Recognizer's CSV writes candidates as a Python literal: [{'plate': 'abc123'}, …]. */
function pythonCandidates (s: string): string[] {
  return [...s.matchAll(/'plate':\s*'([^']{1,32})'/g)].map(m => m[1])
}

/**
 * CSV with a header row. c5mesh columns: plate,camera,time[,lat,lon,confidence,candidates,
 * direction] (candidates separated by "|"). Plate Recognizer Stream's CSV (timestamp,plate,
 * score,dscore,file,…) is recognised by its header; its rows carry no camera, so `camera`
 * (or the camera part of its screenshot file name) names it.
 */
export function readsOfCsv (text: string, options: { camera?: string } = {}): FileReads {
  let rows: Array<Record<string, string>>
  try {
    rows = parseCsv(text, { columns: (h: string[]) => h.map(c => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, bom: true, max_record_size: 64 * 1024 })
  } catch (cause) {
    throw new C5Error('PLATES_BAD_READ', `not CSV: ${(cause as Error).message}`, { cause, details: { where: 'file', field: '', expected: 'CSV with a header row' } })
  }
  const out: FileReads = { reads: [], skipped: 0, errors: [] }
  const pr = rows.length > 0 && 'dscore' in rows[0]
  rows.forEach((row, i) => {
    const where = `line ${i + 2}`
    try {
      if (pr) {
        const cam = options.camera ?? /([^/\\]+?)_screenshots/.exec(row.file ?? '')?.[1]
        const region = /'code':\s*'([^']*)'/.exec(row.region ?? '')?.[1]
        out.reads.push(finish({
          plate: str(where, 'plate', row.plate, PLATE_INPUT_MAX_CHARS)!,
          camera: str(where, 'camera (--camera)', cam, CAMERA_ID_MAX_CHARS)!,
          time: time(where, 'timestamp', row.timestamp),
          confidence: confidence01(where, 'score', row.score, false),
          candidates: candidates(where, pythonCandidates(row.candidates ?? ''), false),
          direction: row.direction === undefined || row.direction === '' ? undefined : str(where, 'direction', row.direction, 32),
          region: region === undefined || region === '' ? undefined : str(where, 'region', region, 16)
        }))
      } else {
        out.reads.push(parseC5Read({ ...row, camera: row.camera ?? options.camera }, where))
      }
    } catch (err) {
      if (!(err instanceof C5Error)) throw err
      out.errors.push({ line: i + 2, code: err.code, message: err.message })
    }
  })
  return out
}
