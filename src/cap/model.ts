/**
 * The CAP 1.2 (and 1.1) document model, read from an element tree with the schema's rules
 * (docs/protocol/cap.md §"Validation"): the alert element in the CAP namespace, every
 * element in its place in the schema's sequence, required ones present, enumerations
 * respected, times in the schema's form. Each refusal names the element path
 * (`alert/info[1]/urgency`) and what was expected.
 */
import { C5Error, type ErrorCode } from '../errors.js'
import { CAP_NS_11, CAP_NS_12, XMLDSIG_NS } from './constants.js'
import type { XmlElement } from './xml.js'

export interface CapPair { valueName: string, value: string }
export interface CapResource { resourceDesc: string, mimeType?: string, size?: string, uri?: string, derefUri?: string, digest?: string }
export interface CapArea { areaDesc: string, polygon: string[], circle: string[], geocode: CapPair[], altitude?: string, ceiling?: string }
export interface CapInfo {
  language?: string
  category: string[]
  event: string
  responseType: string[]
  urgency: string
  severity: string
  certainty: string
  audience?: string
  eventCode: CapPair[]
  effective?: string
  onset?: string
  expires?: string
  senderName?: string
  headline?: string
  description?: string
  instruction?: string
  web?: string
  contact?: string
  parameter: CapPair[]
  resource: CapResource[]
  area: CapArea[]
}
export interface CapAlert {
  version: '1.2' | '1.1'
  identifier: string
  sender: string
  sent: string
  status: string
  msgType: string
  source?: string
  scope: string
  restriction?: string
  addresses?: string
  code: string[]
  note?: string
  references?: string
  incidents?: string
  info: CapInfo[]
}

export const CAP_STATUS = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const
export const CAP_CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const
const RESPONSE_12 = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None']
const RESPONSE_11 = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Monitor', 'Assess', 'None']
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const

/** The schema's dateTime: no "Z", no fractions. Import also takes those two (cap.md). */
export const CAP_TIME_PATTERN = /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/
const LENIENT_TIME = /^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?([-+]\d\d:\d\d|Z)$/

function fail (code: ErrorCode, path: string, message: string): never {
  throw new C5Error(code, `${path}: ${message}`, { details: { element: path } })
}

type Kind = 'text' | 'time' | readonly string[] | 'pair' | 'resource' | 'area' | 'info'
interface Slot { name: string, min: number, max: number, kind: Kind }
const S = (name: string, min: number, max: number, kind: Kind = 'text'): Slot => ({ name, min, max, kind })
const MANY = Number.MAX_SAFE_INTEGER

function alertSlots (v: '1.2' | '1.1'): Slot[] {
  return [S('identifier', 1, 1), S('sender', 1, 1), S('sent', 1, 1, 'time'), S('status', 1, 1, CAP_STATUS), S('msgType', 1, 1, CAP_MSG_TYPES),
    S('source', 0, 1), S('scope', 1, 1, CAP_SCOPES), S('restriction', 0, 1), S('addresses', 0, 1), S('code', 0, MANY), S('note', 0, 1),
    S('references', 0, 1), S('incidents', 0, 1), S('info', 0, MANY, 'info')].map(s => v === '1.1' && s.name === 'info' ? s : s)
}
function infoSlots (v: '1.2' | '1.1'): Slot[] {
  return [S('language', 0, 1), S('category', 1, MANY, CAP_CATEGORIES), S('event', 1, 1), S('responseType', 0, MANY, v === '1.2' ? RESPONSE_12 : RESPONSE_11),
    S('urgency', 1, 1, CAP_URGENCIES), S('severity', 1, 1, CAP_SEVERITIES), S('certainty', 1, 1, CAP_CERTAINTIES), S('audience', 0, 1),
    S('eventCode', 0, MANY, 'pair'), S('effective', 0, 1, 'time'), S('onset', 0, 1, 'time'), S('expires', 0, 1, 'time'), S('senderName', 0, 1),
    S('headline', 0, 1), S('description', 0, 1), S('instruction', 0, 1), S('web', 0, 1), S('contact', 0, 1), S('parameter', 0, MANY, 'pair'),
    S('resource', 0, MANY, 'resource'), S('area', 0, MANY, 'area')]
}
const PAIR_SLOTS = [S('valueName', 1, 1), S('value', 1, 1)]
const resourceSlots = (v: '1.2' | '1.1'): Slot[] => [S('resourceDesc', 1, 1), S('mimeType', v === '1.2' ? 1 : 0, 1), S('size', 0, 1), S('uri', 0, 1), S('derefUri', 0, 1), S('digest', 0, 1)]
const AREA_SLOTS = [S('areaDesc', 1, 1), S('polygon', 0, MANY), S('circle', 0, MANY), S('geocode', 0, MANY, 'pair'), S('altitude', 0, 1), S('ceiling', 0, 1)]

type Values = Map<string, unknown[]>

/** Reads `el`'s children against `slots` in order; returns the values by name. */
function readSequence (el: XmlElement, path: string, slots: Slot[], ns: string, v: '1.2' | '1.1', allowTrailingSignature = false): Values {
  const out: Values = new Map(slots.map(s => [s.name, []]))
  let p = 0
  for (const child of el.children) {
    const cpath = `${path}/${child.name}${child.index > 1 || (slots.find(s => s.name === child.name)?.max ?? 1) !== 1 ? `[${child.index}]` : ''}`
    if (child.ns !== ns) {
      if (allowTrailingSignature && child.ns === XMLDSIG_NS && child.name === 'Signature') continue
      fail(child.ns === CAP_NS_11 || child.ns === CAP_NS_12 ? 'CAP_BAD_NAMESPACE' : 'CAP_UNEXPECTED_ELEMENT', cpath, `element in namespace "${child.ns}", expected ${ns}`)
    }
    let q = p
    while (q < slots.length && slots[q].name !== child.name) q++
    if (q === slots.length) {
      const known = slots.some(s => s.name === child.name)
      const next = slots.slice(p).map(s => s.name)
      fail('CAP_UNEXPECTED_ELEMENT', cpath, known ? `out of order: expected one of ${next.join(', ')} here` : `not a CAP ${v} element here; expected one of ${next.join(', ') || '(nothing more)'}`)
    }
    for (let i = p; i < q; i++) if ((out.get(slots[i].name)!).length < slots[i].min) fail('CAP_MISSING_ELEMENT', `${path}/${slots[i].name}`, `required (before <${child.name}>)`)
    p = q
    const slot = slots[q]
    const list = out.get(slot.name)!
    if (list.length >= slot.max) fail('CAP_UNEXPECTED_ELEMENT', cpath, `at most ${slot.max} <${slot.name}>`)
    list.push(readValue(child, cpath, slot.kind, ns, v))
  }
  for (let i = p; i < slots.length; i++) if ((out.get(slots[i].name)!).length < slots[i].min) fail('CAP_MISSING_ELEMENT', `${path}/${slots[i].name}`, 'required')
  return out
}

function leafText (el: XmlElement, path: string): string {
  if (el.children.length > 0) fail('CAP_UNEXPECTED_ELEMENT', `${path}/${el.children[0].name}`, `<${el.name}> holds text, not elements`)
  return el.text.trim()
}

function readValue (el: XmlElement, path: string, kind: Kind, ns: string, v: '1.2' | '1.1'): unknown {
  if (kind === 'text') return leafText(el, path)
  if (kind === 'time') {
    const t = leafText(el, path)
    if (!LENIENT_TIME.test(t) || Number.isNaN(Date.parse(t))) fail('CAP_BAD_VALUE', path, `expected a CAP time such as 2026-03-05T10:15:00-06:00, got "${t.slice(0, 40)}"`)
    return t
  }
  if (Array.isArray(kind)) {
    const t = leafText(el, path)
    if (!kind.includes(t)) fail('CAP_BAD_VALUE', path, `expected one of ${kind.join(', ')}, got "${t.slice(0, 40)}"`)
    return t
  }
  const one = (m: Values, k: string): string | undefined => m.get(k)![0] as string | undefined
  if (kind === 'pair') {
    const m = readSequence(el, path, PAIR_SLOTS, ns, v)
    return { valueName: one(m, 'valueName')!, value: one(m, 'value')! }
  }
  if (kind === 'resource') {
    const m = readSequence(el, path, resourceSlots(v), ns, v)
    const r: CapResource = { resourceDesc: one(m, 'resourceDesc')! }
    for (const k of ['mimeType', 'size', 'uri', 'derefUri', 'digest'] as const) { const x = one(m, k); if (x !== undefined) r[k] = x }
    return r
  }
  if (kind === 'area') {
    const m = readSequence(el, path, AREA_SLOTS, ns, v)
    const a: CapArea = { areaDesc: one(m, 'areaDesc')!, polygon: m.get('polygon') as string[], circle: m.get('circle') as string[], geocode: m.get('geocode') as CapPair[] }
    for (const k of ['altitude', 'ceiling'] as const) { const x = one(m, k); if (x !== undefined) a[k] = x }
    return a
  }
  const m = readSequence(el, path, infoSlots(v), ns, v)
  const info: CapInfo = {
    category: m.get('category') as string[], event: one(m, 'event')!, responseType: m.get('responseType') as string[],
    urgency: one(m, 'urgency')!, severity: one(m, 'severity')!, certainty: one(m, 'certainty')!,
    eventCode: m.get('eventCode') as CapPair[], parameter: m.get('parameter') as CapPair[], resource: m.get('resource') as CapResource[], area: m.get('area') as CapArea[]
  }
  for (const k of ['language', 'audience', 'effective', 'onset', 'expires', 'senderName', 'headline', 'description', 'instruction', 'web', 'contact'] as const) {
    const x = one(m, k); if (x !== undefined) info[k] = x
  }
  return info
}

/** The CAP alert in `root`, validated (1.2, or 1.1 by its namespace). */
export function readCapAlert (root: XmlElement): CapAlert {
  if (root.ns !== CAP_NS_12 && root.ns !== CAP_NS_11) fail('CAP_BAD_NAMESPACE', root.name, `expected <alert> in namespace ${CAP_NS_12} (or ${CAP_NS_11}), got "${root.ns}"`)
  if (root.name !== 'alert') fail('CAP_UNEXPECTED_ELEMENT', root.name, 'the root element must be <alert>')
  const version = root.ns === CAP_NS_12 ? '1.2' : '1.1'
  const m = readSequence(root, 'alert', alertSlots(version), root.ns, version, true)
  const one = (k: string): string | undefined => m.get(k)![0] as string | undefined
  const a: CapAlert = {
    version, identifier: one('identifier')!, sender: one('sender')!, sent: one('sent')!, status: one('status')!, msgType: one('msgType')!, scope: one('scope')!,
    code: m.get('code') as string[], info: m.get('info') as CapInfo[]
  }
  for (const k of ['source', 'restriction', 'addresses', 'note', 'references', 'incidents'] as const) { const x = one(k); if (x !== undefined) a[k] = x }
  // CAP 1.2 §3.2.1: identifier and sender have no spaces, commas or restricted characters.
  for (const k of ['identifier', 'sender'] as const) if (a[k] === '' || /[\s,<&]/.test(a[k])) fail('CAP_BAD_VALUE', `alert/${k}`, 'expected text without spaces, commas, < or &')
  return a
}
