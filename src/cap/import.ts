/**
 * CAP → envelope fields (docs/protocol/cap.md §"Import"). One CAP alert becomes one
 * alert/bulletin envelope carrying ONE info block: the es-MX one first (then any es-*, then
 * the first). CAP fields the envelope has no field for travel as `cap:*` parameters, so an
 * export gives them back; what does not map at all is listed in `omitted`.
 */
import { C5Error } from '../errors.js'
import { MAX_TTL_S } from '../envelope/index.js'
import type { Area, Category, Certainty, Content, MsgType, Parameter, Severity, Urgency } from '../envelope/types.js'
import { CAP_PARAM_PREFIX } from './constants.js'
import { readCapAlert, type CapAlert, type CapArea, type CapInfo } from './model.js'
import { parseXml } from './xml.js'

export interface CapImport {
  alert: CapAlert
  /** The envelope content: CAP <info> plus the cap:* parameters. */
  content: Content
  /** Absolute expiry (ms), whole seconds after `now`. */
  expires: number
  /** CAP references as "sender,identifier,sent" triples, for the caller to resolve to ids. */
  references: Array<{ sender: string, identifier: string, sent: string }>
  /** What the envelope does not carry, e.g. "info[2] (en-US)". */
  omitted: string[]
}

/** Default lifetime when the info has no <expires>: one day. */
export const CAP_DEFAULT_TTL_S = 24 * 60 * 60

/**
 * One-line envelope fields (headline, event, area description, parameter and geocode names
 * and values) may hold no line break (envelope text rules); CAP feeds wrap long lines, so
 * runs of white space become one space there. Description and instruction keep theirs.
 */
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim()

const bad = (element: string, message: string): never => { throw new C5Error('CAP_BAD_VALUE', `${element}: ${message}`, { details: { element } }) }

function chooseInfo (infos: CapInfo[]): number {
  const lang = (i: CapInfo): string => (i.language ?? 'en-US').toLowerCase()
  const exact = infos.findIndex(i => lang(i) === 'es-mx')
  if (exact >= 0) return exact
  const es = infos.findIndex(i => lang(i).startsWith('es'))
  return es >= 0 ? es : 0
}

/** "lat,lon lat,lon …" (CAP 1.2 §3.3.1 WGS 84). */
function polygonOf (s: string, el: string): Array<[number, number]> {
  const pts = s.trim().split(/\s+/).map(pair => {
    const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(pair)
    if (m === null) bad(el, `expected "lat,lon" pairs separated by spaces, got "${pair.slice(0, 30)}"`)
    const lat = Number(m![1]); const lon = Number(m![2])
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) bad(el, `coordinates out of range: ${pair}`)
    return [lat, lon] as [number, number]
  })
  if (pts.length < 4 || pts[0][0] !== pts[pts.length - 1][0] || pts[0][1] !== pts[pts.length - 1][1]) bad(el, 'a polygon has at least 4 points, the first equal to the last')
  return pts
}

function circleOf (s: string, el: string): { lat: number, lon: number, radiusKm: number } {
  const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)$/.exec(s.trim())
  if (m === null) bad(el, `expected "lat,lon radius" (radius in km), got "${s.slice(0, 40)}"`)
  const lat = Number(m![1]); const lon = Number(m![2]); const r = Number(m![3])
  if (lat < -90 || lat > 90 || lon < -180 || lon > 180) bad(el, 'coordinates out of range')
  // CAP allows radius 0 (a point); the envelope's smallest circle is 1 m.
  return { lat, lon, radiusKm: Math.max(r, 0.001) }
}

/** All areas merged into the envelope's one area (cap.md: the grouping is not kept). */
function areaOf (areas: CapArea[], base: string, params: Parameter[]): Area | undefined {
  if (areas.length === 0) return undefined
  const area: Area = { description: oneLine(areas.map(a => a.areaDesc).join('; ')) }
  const polygons = areas.flatMap((a, i) => a.polygon.map((p, j) => polygonOf(p, `${base}/area[${i + 1}]/polygon[${j + 1}]`)))
  const circles = areas.flatMap((a, i) => a.circle.map((c, j) => circleOf(c, `${base}/area[${i + 1}]/circle[${j + 1}]`)))
  const geocodes = areas.flatMap(a => a.geocode.map(g => ({ name: oneLine(g.valueName), value: oneLine(g.value) })))
  if (polygons.length > 0) area.polygons = polygons
  if (circles.length > 0) area.circles = circles
  if (geocodes.length > 0) area.geocodes = geocodes
  if (areas.length > 1) params.push({ name: `${CAP_PARAM_PREFIX}areaDesc`, value: JSON.stringify(areas.map(a => a.areaDesc)) })
  for (const a of areas) {
    if (a.altitude !== undefined) params.push({ name: `${CAP_PARAM_PREFIX}altitude`, value: a.altitude })
    if (a.ceiling !== undefined) params.push({ name: `${CAP_PARAM_PREFIX}ceiling`, value: a.ceiling })
  }
  return area
}

/** A CAP document (text or bytes) → what the envelope carries; CAP_* errors name the element. */
export function importCap (xml: string | Uint8Array, now: number): CapImport {
  const alert = readCapAlert(parseXml(xml))
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') {
    throw new C5Error('CAP_NOT_MAPPABLE', `alert/msgType: ${alert.msgType} is not carried (c5mesh acknowledgements are signed acks: c5mesh ack ID)`, { details: { element: 'alert/msgType' } })
  }
  if (alert.info.length === 0) throw new C5Error('CAP_MISSING_ELEMENT', 'alert/info: an alert needs one <info> to be shown and forwarded', { details: { element: 'alert/info' } })
  const k = chooseInfo(alert.info)
  const info = alert.info[k]
  const base = `alert/info[${k + 1}]`
  const p = (name: string, value: string | undefined): Parameter[] => value === undefined ? [] : [{ name: `${CAP_PARAM_PREFIX}${name}`, value: oneLine(value) }]
  const params: Parameter[] = [
    ...p('identifier', alert.identifier), ...p('sender', alert.sender), ...p('sent', alert.sent),
    ...(alert.status === 'Actual' ? [] : p('status', alert.status)),
    ...p('source', alert.source), ...p('scope', alert.scope), ...p('restriction', alert.restriction), ...p('addresses', alert.addresses),
    ...alert.code.flatMap(c => p('code', c)), ...p('note', alert.note), ...p('references', alert.references), ...p('incidents', alert.incidents),
    ...p('language', info.language), ...info.category.slice(1).flatMap(c => p('category', c)), ...info.responseType.flatMap(r => p('responseType', r)),
    ...p('audience', info.audience), ...info.eventCode.map(e => ({ name: `${CAP_PARAM_PREFIX}eventCode:${oneLine(e.valueName)}`, value: oneLine(e.value) })),
    ...p('effective', info.effective), ...p('onset', info.onset), ...p('senderName', info.senderName), ...p('web', info.web), ...p('contact', info.contact),
    ...info.resource.map(r => ({ name: `${CAP_PARAM_PREFIX}resource`, value: JSON.stringify(r) }))
  ]
  const area = areaOf(info.area, base, params)
  const content: Content = {
    msgType: alert.msgType as MsgType,
    category: info.category[0] as Category,
    event: oneLine(info.event),
    urgency: info.urgency as Urgency,
    severity: info.severity as Severity,
    certainty: info.certainty as Certainty,
    ...(info.headline === undefined || oneLine(info.headline) === '' ? {} : { headline: oneLine(info.headline) }),
    ...(info.description === undefined ? {} : { description: info.description }),
    ...(info.instruction === undefined ? {} : { instruction: info.instruction }),
    ...(area === undefined ? {} : { area }),
    parameters: [...info.parameter.map(x => ({ name: oneLine(x.valueName), value: oneLine(x.value) })), ...params]
  }
  let expires = now + CAP_DEFAULT_TTL_S * 1000
  if (info.expires !== undefined) {
    const t = Date.parse(info.expires)
    const ttlS = Math.ceil((t - now) / 1000)
    if (ttlS < 1) bad(`${base}/expires`, `${info.expires} is already past: an expired alert is not sent`)
    expires = now + Math.min(ttlS, MAX_TTL_S) * 1000
  }
  const references = (alert.references ?? '').trim().split(/\s+/).filter(s => s !== '').map((triple, i) => {
    const parts = triple.split(',')
    if (parts.length !== 3 || parts.some(x => x === '')) bad(`alert/references`, `reference ${i + 1} is not "sender,identifier,sent": ${triple.slice(0, 60)}`)
    return { sender: parts[0], identifier: parts[1], sent: parts[2] }
  })
  const omitted = alert.info.flatMap((x, i) => i === k ? [] : [`info[${i + 1}] (${x.language ?? 'en-US'})`])
  return { alert, content, expires, references, omitted }
}
