/**
 * The alert/bulletin body: CAP 1.2 <info> as a positional array with trailing nulls trimmed
 * (docs/protocol/envelope.md §"Content"). `encodeContent` validates every field and is the
 * single source of truth for the schema; `decodeContent` only maps positions back to names
 * (with type checks) — the decoder runs the result back through encodeContent and compares,
 * so anything the encoder would not have produced is refused.
 */
import type { Area, Content, Parameter } from './types.js'
import { CATEGORIES, CERTAINTIES, MSG_TYPES, SEVERITIES, URGENCIES } from './types.js'
import { MAX_RADIUS_M, METRES_PER_KM, MICRODEGREES_PER_DEGREE } from './constants.js'
import type { EnvelopeLimits } from './limits.js'
import { badField, checkArray, checkText, fromIndex, indexIn } from './check.js'

type Wire = unknown[]

/** Drops trailing nulls: absent optional fields cost nothing on the wire. */
function trimNulls (a: Wire): Wire {
  let n = a.length
  while (n > 0 && a[n - 1] === null) n--
  a.length = n
  return a
}

const present = (v: unknown): boolean => v !== undefined && v !== null

function optText (field: string, v: unknown, L: EnvelopeLimits): string | null {
  return present(v) ? checkText(field, v, L.maxStringBytes) : null
}

function optIndex<T extends string> (field: string, table: readonly T[], v: unknown): number | null {
  return present(v) ? indexIn(field, table, v) : null
}

/**
 * checkText for one half of a pair, naming the field (`parameters[2].value`) only when the
 * check fails: this runs for every pair of every message encoded or checked.
 */
function pairText (field: string, i: number, part: 'name' | 'value', v: unknown, maxBytes: number): string {
  if (typeof v === 'string' && v.length * 3 <= maxBytes && v.charCodeAt(0) !== 0xfeff && (v as string & { isWellFormed: () => boolean }).isWellFormed()) return v
  return checkText(`${field}[${i}].${part}`, v, maxBytes)
}

/** Name/value pairs as one flat array [n1, v1, n2, v2, …]; empty → null (omitted). */
function encodePairs (field: string, v: unknown, max: number, limit: string, L: EnvelopeLimits): Wire | null {
  if (!present(v)) return null
  const list = checkArray(field, v, max, limit)
  if (list.length === 0) return null
  const out: Wire = []
  list.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) badField(`${field}[${i}]`, 'must be {name, value}')
    const { name, value } = p as Parameter
    out.push(pairText(field, i, 'name', name, L.maxStringBytes), pairText(field, i, 'value', value, L.maxStringBytes))
  })
  return out
}

function decodePairs (field: string, v: unknown): Parameter[] | undefined {
  if (v === null) return undefined
  if (!Array.isArray(v) || v.length % 2 !== 0) badField(field, 'must be a flat array of name/value pairs')
  const out: Parameter[] = []
  for (let i = 0; i < v.length; i += 2) {
    if (typeof v[i] !== 'string' || typeof v[i + 1] !== 'string') badField(`${field}[${i / 2}]`, 'name and value must be text')
    out.push({ name: v[i], value: v[i + 1] })
  }
  return out
}

/** Degrees → integer micro-degrees (rounded: 1e-6° ≈ 0.11 m, finer than any GNSS fix). */
function micro (field: string, deg: unknown, maxDeg: number): number {
  if (typeof deg !== 'number' || !Number.isFinite(deg) || deg < -maxDeg || deg > maxDeg) badField(field, `must be a number in [-${maxDeg}, ${maxDeg}]`)
  return Math.round(deg * MICRODEGREES_PER_DEGREE) + 0 // + 0: no -0 in decoded values
}

function fromMicro (field: string, v: unknown, maxDeg: number): number {
  const max = maxDeg * MICRODEGREES_PER_DEGREE
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < -max || v > max) badField(field, 'micro-degrees out of range')
  return v / MICRODEGREES_PER_DEGREE
}

function encodePolygon (field: string, poly: unknown, L: EnvelopeLimits): Wire {
  const pts = checkArray(field, poly, L.maxPolygonPoints, 'maxPolygonPoints')
  // CAP 1.2 <polygon>: at least four points, the first equal to the last.
  if (pts.length < 4) badField(field, 'a polygon needs at least 4 points (closed ring)')
  const out: Wire = []
  pts.forEach((pt, i) => {
    if (!Array.isArray(pt) || pt.length !== 2) badField(`${field}[${i}]`, 'must be [lat, lon]')
    out.push(micro(`${field}[${i}][0]`, pt[0], 90), micro(`${field}[${i}][1]`, pt[1], 180))
  })
  if (out[0] !== out[out.length - 2] || out[1] !== out[out.length - 1]) badField(field, 'a polygon must be closed (first point = last point)')
  return out
}

function encodeArea (field: string, a: unknown, L: EnvelopeLimits): Wire {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) badField(field, 'must be an object')
  const area = a as Area
  const polys = present(area.polygons) ? checkArray(`${field}.polygons`, area.polygons, L.maxPolygons, 'maxPolygons') : []
  const circles = present(area.circles) ? checkArray(`${field}.circles`, area.circles, L.maxCircles, 'maxCircles') : []
  const flatCircles: Wire = []
  circles.forEach((c, i) => {
    const f = `${field}.circles[${i}]`
    if (typeof c !== 'object' || c === null) badField(f, 'must be {lat, lon, radiusKm}')
    const { lat, lon, radiusKm } = c as { lat: unknown, lon: unknown, radiusKm: unknown }
    if (typeof radiusKm !== 'number' || !Number.isFinite(radiusKm)) badField(`${f}.radiusKm`, 'must be a number')
    const m = Math.round(radiusKm * METRES_PER_KM)
    if (m < 1 || m > MAX_RADIUS_M) badField(`${f}.radiusKm`, `must round to 1..${MAX_RADIUS_M} metres`)
    flatCircles.push(micro(`${f}.lat`, lat, 90), micro(`${f}.lon`, lon, 180), m)
  })
  return trimNulls([
    checkText(`${field}.description`, area.description, L.maxStringBytes),
    polys.length > 0 ? polys.map((p, i) => encodePolygon(`${field}.polygons[${i}]`, p, L)) : null,
    flatCircles.length > 0 ? flatCircles : null,
    encodePairs(`${field}.geocodes`, area.geocodes, L.maxGeocodes, 'maxGeocodes', L)
  ])
}

function decodeArea (field: string, v: unknown): Area | undefined {
  if (v === null) return undefined
  if (!Array.isArray(v) || v.length < 1 || v.length > 4) badField(field, 'must be [description, polygons?, circles?, geocodes?]')
  if (typeof v[0] !== 'string') badField(`${field}.description`, 'must be text')
  const area: Area = { description: v[0] }
  const [, polys = null, circles = null, geocodes = null] = v
  if (polys !== null) {
    if (!Array.isArray(polys)) badField(`${field}.polygons`, 'must be an array')
    area.polygons = polys.map((p: unknown, i: number) => {
      const f = `${field}.polygons[${i}]`
      if (!Array.isArray(p) || p.length % 2 !== 0) badField(f, 'must be a flat array of lat, lon pairs')
      const pts: Array<[number, number]> = []
      for (let j = 0; j < p.length; j += 2) pts.push([fromMicro(f, p[j], 90), fromMicro(f, p[j + 1], 180)])
      return pts
    })
  }
  if (circles !== null) {
    if (!Array.isArray(circles) || circles.length % 3 !== 0) badField(`${field}.circles`, 'must be a flat array of lat, lon, radius triples')
    area.circles = []
    for (let j = 0; j < circles.length; j += 3) {
      const r = circles[j + 2]
      if (typeof r !== 'number' || !Number.isSafeInteger(r)) badField(`${field}.circles`, 'radius must be an integer (metres)')
      area.circles.push({ lat: fromMicro(`${field}.circles`, circles[j], 90), lon: fromMicro(`${field}.circles`, circles[j + 1], 180), radiusKm: r / METRES_PER_KM })
    }
  }
  const gc = decodePairs(`${field}.geocodes`, geocodes)
  if (gc !== undefined) area.geocodes = gc
  return area
}

const CONTENT_FIELDS = ['msgType', 'category', 'event', 'urgency', 'severity', 'certainty', 'headline', 'description', 'instruction', 'area', 'parameters'] as const
type ContentNames = Record<typeof CONTENT_FIELDS[number], string>
/** `${field}.msgType` … built once per field prefix (in practice only 'content'). */
const contentNames = new Map<string, ContentNames>()
function namesOf (field: string): ContentNames {
  let n = contentNames.get(field)
  if (n === undefined) {
    n = Object.fromEntries(CONTENT_FIELDS.map(f => [f, `${field}.${f}`])) as ContentNames
    if (contentNames.size < 16) contentNames.set(field, n)
  }
  return n
}

export function encodeContent (c: unknown, L: EnvelopeLimits, field = 'content'): Wire {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) badField(field, 'must be an object')
  const x = c as Content
  const n = namesOf(field)
  return trimNulls([
    indexIn(n.msgType, MSG_TYPES, x.msgType),
    optIndex(n.category, CATEGORIES, x.category),
    optText(n.event, x.event, L),
    optIndex(n.urgency, URGENCIES, x.urgency),
    optIndex(n.severity, SEVERITIES, x.severity),
    optIndex(n.certainty, CERTAINTIES, x.certainty),
    optText(n.headline, x.headline, L),
    optText(n.description, x.description, L),
    optText(n.instruction, x.instruction, L),
    present(x.area) ? encodeArea(n.area, x.area, L) : null,
    encodePairs(n.parameters, x.parameters, L.maxParameters, 'maxParameters', L)
  ])
}

const CONTENT_SLOTS = 11

// Module-level helpers, not closures inside decodeContent: the TypeScript loader names
// every closure it creates (esbuild keepNames), which measured ~5% of a decode.
const slot = (v: unknown[], i: number): unknown => (i < v.length ? v[i] : null)

function slotText (v: unknown[], i: number, field: string, name: string): string | undefined {
  const t = slot(v, i)
  if (t === null) return undefined
  if (typeof t !== 'string') badField(`${field}.${name}`, 'must be text')
  return t
}

export function decodeContent (v: unknown, field = 'content'): Content {
  if (!Array.isArray(v) || v.length < 1 || v.length > CONTENT_SLOTS) badField(field, `must be an array of 1..${CONTENT_SLOTS} elements`)
  const n = namesOf(field)
  const c: Content = { msgType: fromIndex(n.msgType, MSG_TYPES, v[0]) }
  if (slot(v, 1) !== null) c.category = fromIndex(n.category, CATEGORIES, v[1])
  const event = slotText(v, 2, field, 'event'); if (event !== undefined) c.event = event
  if (slot(v, 3) !== null) c.urgency = fromIndex(n.urgency, URGENCIES, v[3])
  if (slot(v, 4) !== null) c.severity = fromIndex(n.severity, SEVERITIES, v[4])
  if (slot(v, 5) !== null) c.certainty = fromIndex(n.certainty, CERTAINTIES, v[5])
  const headline = slotText(v, 6, field, 'headline'); if (headline !== undefined) c.headline = headline
  const description = slotText(v, 7, field, 'description'); if (description !== undefined) c.description = description
  const instruction = slotText(v, 8, field, 'instruction'); if (instruction !== undefined) c.instruction = instruction
  const area = decodeArea(n.area, slot(v, 9)); if (area !== undefined) c.area = area
  const params = decodePairs(n.parameters, slot(v, 10)); if (params !== undefined) c.parameters = params
  return c
}

/** The content text fields whose UTF-8 bytes are "payload", not overhead (see overhead.ts). */
export function contentTextBytes (c: Content | undefined): number {
  if (c === undefined) return 0
  const len = (s: string | undefined): number => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'))
  let n = len(c.event) + len(c.headline) + len(c.description) + len(c.instruction)
  if (c.area !== undefined) {
    n += len(c.area.description)
    for (const g of c.area.geocodes ?? []) n += len(g.name) + len(g.value)
  }
  for (const p of c.parameters ?? []) n += len(p.name) + len(p.value)
  return n
}

