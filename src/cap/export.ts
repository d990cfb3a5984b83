/**
 * Envelope → CAP 1.2 XML (docs/protocol/cap.md §"Export"). Alerts and bulletins export
 * their content; `cap:*` parameters (from an import) give back the CAP fields the envelope
 * has no field for; stolen-vehicle reports export as a Security alert with the report's
 * fields as parameters. Every export validates against the OASIS CAP-v1.2.xsd (tested).
 */
import { C5Error } from '../errors.js'
import type { Envelope, Parameter, VehicleReport } from '../envelope/types.js'
import { CAP_NS_12, CAP_PARAM_PREFIX } from './constants.js'
import { withArticle } from '../util/words.js'

/** The CAP identity of a message this one references (for <references>). */
export interface CapRef { sender: string, identifier: string, sent: string }
export type ResolveRef = (digest: Uint8Array) => Promise<CapRef | undefined>

export function escapeXml (s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped (the envelope allows any Unicode).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** The schema's time form: UTC written as -00:00 (CAP 1.2 §3.3.2: no "Z", no fractions). */
export function capTime (ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '-00:00')
}

/** Sender and identifier as CAP writes them when the message did not come from CAP. */
export function capIdentity (env: Pick<Envelope, 'id' | 'org' | 'created' | 'content'>): CapRef {
  const param = (n: string): string | undefined => env.content?.parameters?.find(p => p.name === `${CAP_PARAM_PREFIX}${n}`)?.value
  return { sender: param('sender') ?? `c5mesh-${env.org}`, identifier: param('identifier') ?? env.id, sent: strictCapTime(param('sent')) ?? capTime(env.created) }
}

/** A CAP time as the schema wants it (imports may carry "Z" or fractions). */
export function strictCapTime (t: string | undefined): string | undefined {
  if (t === undefined || /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/.test(t)) return t
  const ms = Date.parse(t)
  return Number.isNaN(ms) ? undefined : capTime(ms)
}

const el = (name: string, value: string | undefined, indent: string): string => value === undefined || value === '' ? '' : `${indent}<${name}>${escapeXml(value)}</${name}>\n`

function vehicleInfo (v: VehicleReport, org: string): { event: string, headline: string, description: string, params: Parameter[] } {
  const what = [v.make, v.model, v.year, v.colour].filter(x => x !== undefined).join(' ')
  const p = (name: string, value: string | number | undefined): Parameter[] => value === undefined ? [] : [{ name, value: String(value) }]
  const cancel = v.msgType === 'Cancel'
  return {
    event: 'Robo de vehículo',
    headline: `${cancel ? 'Recuperado / cancelado' : 'Vehículo robado'}: placa ${v.plate} (${v.plateState})${what === '' ? '' : `, ${what}`}`,
    description: [`Reporte de ${org}${v.caseNumber === undefined ? '' : `, carpeta ${v.caseNumber}`}.`, v.place === undefined ? '' : `Lugar: ${v.place}.`, v.description ?? '', v.note ?? ''].filter(x => x !== '').join(' '),
    params: [{ name: 'c5mesh:kind', value: 'vehicle' }, ...p('placa', v.plate), ...p('entidad_placa', v.plateState), ...p('niv', v.vin), ...p('marca', v.make), ...p('modelo', v.model), ...p('anio', v.year), ...p('color', v.colour), ...p('carpeta', v.caseNumber), ...p('robado', v.stolenAt === undefined ? undefined : capTime(v.stolenAt)), ...p('lugar', v.place), ...p('nota', v.note)]
  }
}

/** One envelope as a CAP 1.2 document; CAP_NOT_MAPPABLE for acks, receipts and rosters. */
export async function exportCap (env: Envelope, resolve?: ResolveRef): Promise<string> {
  if (env.kind !== 'alert' && env.kind !== 'bulletin' && env.kind !== 'vehicle') {
    throw new C5Error('CAP_NOT_MAPPABLE', `${withArticle(env.kind)} has no CAP form (alerts, bulletins and stolen-vehicle reports do)`, { details: { kind: env.kind } })
  }
  const c = env.content
  const all = c?.parameters ?? []
  const capParams = (n: string): string[] => all.filter(p => p.name === `${CAP_PARAM_PREFIX}${n}`).map(p => p.value)
  const one = (n: string): string | undefined => capParams(n)[0]
  const id = capIdentity(env)
  const msgType = env.kind === 'vehicle' ? env.vehicle!.msgType : c!.msgType
  let references = one('references')
  if (references === undefined && env.references.length > 0) {
    const refs: string[] = []
    for (const d of env.references) {
      const r = await resolve?.(d)
      refs.push(r === undefined ? `c5mesh,${Buffer.from(d).toString('hex')},${id.sent}` : `${r.sender},${r.identifier},${r.sent}`)
    }
    references = refs.join(' ')
  }
  const scope = one('scope') ?? (env.scope.length === 0 ? 'Public' : 'Restricted')
  const restriction = one('restriction') ?? (scope === 'Restricted' && env.scope.length > 0 ? `c5mesh: ${env.scope.join(' ')}` : undefined)
  const i = '    '
  let info = ''
  const veh = env.kind === 'vehicle' ? vehicleInfo(env.vehicle!, env.org) : undefined
  info += el('language', one('language') ?? 'es-MX', i)
  for (const cat of [veh === undefined ? (c!.category ?? 'Other') : 'Security', ...capParams('category')]) info += el('category', cat, i)
  info += el('event', veh?.event ?? c!.event ?? (env.kind === 'bulletin' ? 'Boletín' : 'Alerta'), i)
  for (const r of capParams('responseType')) info += el('responseType', r, i)
  info += el('urgency', veh === undefined ? (c!.urgency ?? 'Unknown') : 'Immediate', i)
  info += el('severity', veh === undefined ? (c!.severity ?? 'Unknown') : 'Moderate', i)
  info += el('certainty', veh === undefined ? (c!.certainty ?? 'Unknown') : 'Observed', i)
  info += el('audience', one('audience'), i)
  for (const p of all.filter(x => x.name.startsWith(`${CAP_PARAM_PREFIX}eventCode:`))) {
    info += `${i}<eventCode>\n${el('valueName', p.name.slice(`${CAP_PARAM_PREFIX}eventCode:`.length), i + '  ')}${el('value', p.value, i + '  ')}${i}</eventCode>\n`
  }
  info += el('effective', strictCapTime(one('effective')), i)
  info += el('onset', strictCapTime(one('onset')), i)
  info += el('expires', capTime(env.expires), i)
  info += el('senderName', one('senderName') ?? env.org, i)
  info += el('headline', veh?.headline ?? c!.headline, i)
  info += el('description', veh?.description ?? c!.description, i)
  info += el('instruction', c?.instruction, i)
  info += el('web', one('web'), i)
  info += el('contact', one('contact'), i)
  for (const p of veh?.params ?? all.filter(x => !x.name.startsWith(CAP_PARAM_PREFIX))) {
    info += `${i}<parameter>\n${el('valueName', p.name, i + '  ')}${el('value', p.value, i + '  ')}${i}</parameter>\n`
  }
  for (const r of capParams('resource')) {
    let res: Record<string, string>
    try { res = JSON.parse(r) as Record<string, string> } catch { continue }
    if (typeof res.resourceDesc !== 'string') continue
    info += `${i}<resource>\n${['resourceDesc', 'mimeType', 'size', 'uri', 'derefUri', 'digest'].map(k => el(k, k === 'mimeType' ? (res[k] ?? 'application/octet-stream') : res[k], i + '  ')).join('')}${i}</resource>\n`
  }
  const area = c?.area ?? (veh === undefined ? undefined : { description: `Placa de ${env.vehicle!.plateState}`, geocodes: [{ name: 'ISO3166-2', value: env.vehicle!.plateState }] })
  if (area !== undefined) {
    const j = i + '  '
    let a = el('areaDesc', area.description === '' ? '(sin descripción)' : area.description, j)
    for (const poly of area.polygons ?? []) a += el('polygon', poly.map(([lat, lon]) => `${lat},${lon}`).join(' '), j)
    for (const ci of area.circles ?? []) a += el('circle', `${ci.lat},${ci.lon} ${ci.radiusKm}`, j)
    for (const g of area.geocodes ?? []) a += `${j}<geocode>\n${el('valueName', g.name, j + '  ')}${el('value', g.value, j + '  ')}${j}</geocode>\n`
    a += el('altitude', one('altitude'), j)
    a += el('ceiling', one('ceiling'), j)
    info += `${i}<area>\n${a}${i}</area>\n`
  }
  const o = '  '
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<alert xmlns="${CAP_NS_12}">\n` +
    el('identifier', id.identifier, o) + el('sender', id.sender, o) + el('sent', id.sent, o) +
    el('status', one('status') ?? 'Actual', o) + el('msgType', msgType, o) + el('source', one('source'), o) +
    el('scope', scope, o) + el('restriction', restriction, o) + el('addresses', one('addresses'), o) +
    capParams('code').map(x => el('code', x, o)).join('') + el('note', one('note'), o) +
    el('references', references, o) + el('incidents', one('incidents'), o) +
    `${o}<info>\n${info}${o}</info>\n</alert>\n`
}
