/**
 * Reads against the hotlist, and hits as signed alerts (docs/protocol/plates.md §"Hits").
 *
 * A read matches a report exactly (its plate), or possibly (one of the camera's candidate
 * readings is the plate, or the plate differs only by characters OCR confuses). Each
 * report a read matches makes a hit; a hit is an alert signed with the node's operator key
 * and ingested like any message. The same report seen again within the dedup window (any
 * camera of this node) does not make another alert: a new camera sends an Update of the
 * open hit listing the latest sightings, a camera that already saw it only counts.
 *
 * Reads themselves are never stored or forwarded: only counters and the open hits (which
 * hold sightings of reported vehicles only) stay in memory.
 */
import { composeEnvelope, digestFromId } from '../envelope/index.js'
import type { Content, Envelope, Kind, Parameter, Precedence } from '../envelope/types.js'
import { C5Error } from '../errors.js'
import type { KeyPair } from '../identity/index.js'
import type { IngestService } from '../node/ingest.js'
import type { Clock } from '../util/clock.js'
import { HIT_DEDUP_WINDOW_MS, HIT_TTL_S, OPEN_HITS_MAX, SIGHTINGS_LISTED_MAX } from './constants.js'
import type { Hotlist, HotlistEntry, MatchKind } from './hotlist.js'
import { normalisePlate, tryNormalisePlate } from './normalise.js'
import type { PlateRead } from './reads.js'

/** Marks a hit alert's parameters: name, value (docs/protocol/plates.md §"Hit alert"). */
export const HIT_PARAMETER = { name: 'c5mesh:hit', value: 'lpr/1' } as const

export interface HitOptions {
  /** Kind of hit messages (default alert). */
  kind: Extract<Kind, 'alert' | 'bulletin'>
  /** Precedence of an exact hit (default immediate) and of a possible one (default priority). */
  precedence: Precedence
  possiblePrecedence: Precedence
  /** 'concerned': the reporting org, the plate's state, this state and its neighbours; or 'national'. */
  scope: 'concerned' | 'national'
  dedupWindowMs: number
  /** Report OCR-confusable plates as possible hits (default true). */
  nearMatches: boolean
}

export const DEFAULT_HIT_OPTIONS: Readonly<HitOptions> = Object.freeze({
  kind: 'alert', precedence: 'immediate', possiblePrecedence: 'priority', scope: 'concerned', dedupWindowMs: HIT_DEDUP_WINDOW_MS, nearMatches: true
})

export interface ReadCheckerComponents {
  hotlist: Hotlist
  clock: Clock
  ingest: Pick<IngestService, 'ingest'>
  /** This node's org (the reading state). */
  org: string
  /** Orgs adjacent to `org` (from the topology). */
  neighbours: readonly string[]
  /** Signs hit alerts; without it hits are counted and answered but not sent. */
  operator?: Pick<KeyPair, 'publicKey' | 'privateKey'>
}

export type MatchVia = 'plate' | 'candidate' | 'ocr'

export interface ReadMatch {
  match: MatchKind
  via: MatchVia
  /** The plate as read (normalised) that matched. */
  readPlate: string
  report: { id: string, root: string, plate: string, plateState: string, org: string, caseNumber?: string, make?: string, model?: string, year?: number, colour?: string }
  /** The hit message this read produced or updated, or why none was sent. */
  alert?: { id: string, msgType: 'Alert' | 'Update' } | { counted: true } | { error: string, message: string }
}

export interface ReadOutcome { plate: string, camera: string, time: number, status: 'hit' | 'possible' | 'none', matches: ReadMatch[] }

export interface ReadStats { reads: number, none: number, hits: number, possible: number, alerts: number, updates: number, alertErrors: number, openHits: number }

interface Sighting { camera: string, time: number, plate: string, lat?: number, lon?: number }
interface OpenHit { root: string, last: string, lastSeen: number, cameras: Set<string>, sightings: Sighting[], count: number }

const STRENGTH: Record<MatchVia, number> = { plate: 2, candidate: 1, ocr: 0 }

/** A read with its plate normalised and bad candidates dropped; PLATES_BAD_READ if its plate is not one. */
export function normaliseRead (r: PlateRead, index: number): PlateRead & { candidatePlates: string[] } {
  let plate: string
  try { plate = normalisePlate(r.plate) } catch (cause) {
    throw new C5Error('PLATES_BAD_READ', `read ${index}: plate: ${(cause as Error).message}`, { cause, details: { index, field: 'plate' } })
  }
  const candidatePlates = [...new Set((r.candidates ?? []).map(c => tryNormalisePlate(c.plate)).filter((p): p is string => p !== undefined && p !== plate))]
  return { ...r, plate, candidatePlates }
}

export function createReadChecker (c: ReadCheckerComponents, options: Partial<HitOptions> = {}) {
  const o: HitOptions = { ...DEFAULT_HIT_OPTIONS, ...options }
  const open = new Map<string, OpenHit>()
  const stats: ReadStats = { reads: 0, none: 0, hits: 0, possible: 0, alerts: 0, updates: 0, alertErrors: 0, openHits: 0 }

  function matchesOf (r: ReturnType<typeof normaliseRead>, now: number): Array<{ match: MatchKind, via: MatchVia, readPlate: string, entry: HotlistEntry }> {
    const best = new Map<string, { match: MatchKind, via: MatchVia, readPlate: string, entry: HotlistEntry }>()
    const add = (via: MatchVia, readPlate: string, entry: HotlistEntry): void => {
      const had = best.get(entry.root)
      if (had === undefined || STRENGTH[via] > STRENGTH[had.via]) best.set(entry.root, { match: via === 'plate' ? 'exact' : 'possible', via, readPlate, entry })
    }
    for (const e of c.hotlist.exact(r.plate, now)) add('plate', r.plate, e)
    for (const p of r.candidatePlates) for (const e of c.hotlist.exact(p, now)) add('candidate', p, e)
    if (o.nearMatches) for (const e of c.hotlist.near(r.plate, now)) add('ocr', r.plate, e)
    return [...best.values()]
  }

  function scopeOf (entry: HotlistEntry): string[] {
    if (o.scope === 'national') return []
    const orgs = [entry.org, entry.report.plateState, c.org, ...c.neighbours]
    return [...new Set(orgs.filter(x => /^[A-Z][A-Z0-9-]{1,15}$/.test(x) && (x.includes('-') || x.length > 2)))]
  }

  function content (m: { match: MatchKind, via: MatchVia, readPlate: string, entry: HotlistEntry }, r: PlateRead, hit: OpenHit, msgType: 'Alert' | 'Update'): Content {
    const e = m.entry
    const v = e.report
    const exact = m.match === 'exact'
    const when = new Date(r.time).toISOString()
    const vehicle = [v.make, v.model, v.year, v.colour].filter(x => x !== undefined).join(' ')
    const p = (name: string, value: string | number | undefined): Parameter[] => value === undefined ? [] : [{ name, value: String(value) }]
    const how = m.via === 'plate' ? 'coincidencia exacta' : m.via === 'candidate' ? `lectura alterna ${m.readPlate} de la cámara` : `lectura ${m.readPlate}, caracteres confundibles`
    const seen = hit.sightings.slice(-SIGHTINGS_LISTED_MAX).map(s => `${s.camera} ${new Date(s.time).toISOString()}${s.lat === undefined ? '' : ` (${s.lat}, ${s.lon})`}`).join('; ')
    return {
      msgType,
      category: 'Security',
      event: 'Vehículo con reporte de robo',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: exact ? 'Observed' : 'Possible',
      headline: `${exact ? '' : 'POSIBLE '}VEHÍCULO ROBADO: placa ${e.plate} (${v.plateState}) vista en cámara ${r.camera}`,
      description: [
        `Reporte de ${e.org}${v.caseNumber === undefined ? '' : `, carpeta ${v.caseNumber}`}: ${vehicle === '' ? 'vehículo' : vehicle}, placa ${e.plate} (${v.plateState})${v.vin === undefined ? '' : `, NIV ${v.vin}`}.`,
        v.stolenAt === undefined && v.place === undefined ? '' : `Robado${v.stolenAt === undefined ? '' : ` el ${new Date(v.stolenAt).toISOString()}`}${v.place === undefined ? '' : ` en ${v.place}`}.`,
        v.description ?? '',
        `Lectura (${how}): cámara ${r.camera} de ${c.org}, ${when}${r.lat === undefined ? '' : `, posición ${r.lat}, ${r.lon}`}${r.confidence === undefined ? '' : `, confianza ${Math.round(r.confidence * 100)} %`}${r.direction === undefined ? '' : `, dirección ${r.direction}`}.`,
        hit.count > 1 ? `Avistamientos: ${hit.count}. Últimos: ${seen}.` : ''
      ].filter(s => s !== '').join(' '),
      instruction: exact
        ? 'Confirmar placa y NIV antes de intervenir; coordinar con la fiscalía que reportó y con el C5 de la zona.'
        : 'Coincidencia POSIBLE: verificar visualmente la placa antes de cualquier acción.',
      area: {
        description: `Cámara ${r.camera} (${c.org})`,
        ...(r.lat === undefined || r.lon === undefined ? {} : { circles: [{ lat: r.lat, lon: r.lon, radiusKm: 0.5 }] }),
        geocodes: [{ name: 'ISO3166-2', value: c.org }]
      },
      parameters: [
        { ...HIT_PARAMETER },
        { name: 'coincidencia', value: exact ? 'exacta' : 'posible' },
        { name: 'via', value: m.via },
        { name: 'placa', value: e.plate },
        { name: 'placa_leida', value: m.readPlate },
        { name: 'entidad_placa', value: v.plateState },
        { name: 'reporte', value: e.root },
        { name: 'reporte_version', value: e.id },
        ...p('carpeta', v.caseNumber), ...p('niv', v.vin), ...p('marca', v.make), ...p('modelo', v.model), ...p('anio', v.year), ...p('color', v.colour),
        { name: 'camara', value: r.camera },
        { name: 'lectura', value: when },
        ...p('lat', r.lat), ...p('lon', r.lon), ...p('confianza', r.confidence), ...p('direccion', r.direction),
        { name: 'avistamientos', value: String(hit.count) }
      ]
    }
  }

  async function send (m: { match: MatchKind, via: MatchVia, readPlate: string, entry: HotlistEntry }, r: PlateRead, now: number): Promise<ReadMatch['alert']> {
    const key = `${m.entry.root}|${m.match}`
    let hit = open.get(key)
    if (hit !== undefined && now - hit.lastSeen > o.dedupWindowMs) { open.delete(key); hit = undefined }
    const sighting: Sighting = { camera: r.camera, time: r.time, plate: m.readPlate, ...(r.lat === undefined ? {} : { lat: r.lat, lon: r.lon }) }
    const isNew = hit === undefined
    if (hit !== undefined && hit.cameras.has(r.camera)) {
      hit.lastSeen = now
      hit.count++
      hit.sightings.push(sighting)
      if (hit.sightings.length > SIGHTINGS_LISTED_MAX) hit.sightings.shift()
      return { counted: true }
    }
    const h: OpenHit = hit ?? { root: '', last: '', lastSeen: now, cameras: new Set(), sightings: [], count: 0 }
    h.lastSeen = now
    h.count++
    h.cameras.add(r.camera)
    h.sightings.push(sighting)
    if (h.sightings.length > SIGHTINGS_LISTED_MAX) h.sightings.shift()
    if (c.operator === undefined) {
      stats.alertErrors++
      return { error: 'PLATES_NO_OPERATOR_KEY', message: 'this node has no operator key to sign hit alerts with' }
    }
    const msgType = isNew ? 'Alert' : 'Update'
    const references = isNew ? [digestFromId(m.entry.root)] : [...new Set([h.root, h.last])].map(id => digestFromId(id))
    let env: Envelope
    try {
      env = composeEnvelope({
        kind: o.kind,
        org: c.org,
        precedence: m.match === 'exact' ? o.precedence : o.possiblePrecedence,
        scope: scopeOf(m.entry),
        references,
        content: content(m, r, h, msgType),
        ttlS: HIT_TTL_S
      }, c.operator, { now })
    } catch (err) {
      stats.alertErrors++
      return { error: err instanceof C5Error ? err.code : 'INGEST_INTERNAL', message: (err as Error).message }
    }
    const res = await c.ingest.ingest(env.bytes, 'local', { sync: true })
    if (!res.ok) { stats.alertErrors++; return { error: res.code, message: res.message } }
    if (isNew) { h.root = env.id; stats.alerts++ } else stats.updates++
    h.last = env.id
    open.delete(key)
    open.set(key, h) // most recently used last
    while (open.size > OPEN_HITS_MAX) open.delete(open.keys().next().value as string)
    return { id: env.id, msgType }
  }

  /** Checks reads (already validated) in order; hits are signed and ingested before it resolves. */
  async function process (reads: PlateRead[]): Promise<ReadOutcome[]> {
    const normal = reads.map((r, i) => normaliseRead(r, i))
    const out: ReadOutcome[] = []
    for (const r of normal) {
      const now = c.clock.now()
      stats.reads++
      const found = matchesOf(r, now)
      const status = found.some(f => f.match === 'exact') ? 'hit' : found.length > 0 ? 'possible' : 'none'
      if (status === 'none') { stats.none++; out.push({ plate: r.plate, camera: r.camera, time: r.time, status, matches: [] }); continue }
      if (status === 'hit') stats.hits++; else stats.possible++
      // A report matched exactly makes no possible hit of another report for the same read.
      const kept = status === 'hit' ? found.filter(f => f.match === 'exact') : found
      const matches: ReadMatch[] = []
      for (const f of kept) {
        const v = f.entry.report
        const report = { id: f.entry.id, root: f.entry.root, plate: f.entry.plate, plateState: v.plateState, org: f.entry.org, ...(v.caseNumber === undefined ? {} : { caseNumber: v.caseNumber }), ...(v.make === undefined ? {} : { make: v.make }), ...(v.model === undefined ? {} : { model: v.model }), ...(v.year === undefined ? {} : { year: v.year }), ...(v.colour === undefined ? {} : { colour: v.colour }) }
        matches.push({ match: f.match, via: f.via, readPlate: f.readPlate, report, alert: await send(f, r, now) })
      }
      out.push({ plate: r.plate, camera: r.camera, time: r.time, status, matches })
    }
    return out
  }

  return {
    process,
    stats: (): ReadStats => ({ ...stats, openHits: open.size })
  }
}

export type ReadChecker = ReturnType<typeof createReadChecker>
