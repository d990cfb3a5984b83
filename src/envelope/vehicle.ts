/**
 * The body of a `vehicle` envelope: one stolen-vehicle report, its Update or its Cancel
 * (recovery), as a positional array with trailing nulls trimmed (docs/protocol/plates.md
 * §"Report body"). Like content.ts, `encodeVehicle` is the schema; `decodeVehicle` maps
 * positions back to names with type checks only, and the codec's canonical check runs the
 * result back through `encodeVehicle`.
 *
 *   [msgType, plate, plateState, ?vin, ?make, ?model, ?year, ?colour, ?caseNumber,
 *    ?stolenAt, ?place, ?description, ?note]
 */
import { MSG_TYPES, type VehicleReport } from './types.js'
import { badField, checkText, checkUint, fromIndex, indexIn } from './check.js'

type Wire = unknown[]

/** Normalised plate text (src/plates/normalise.ts): upper-case letters and digits only. */
export const PLATE_PATTERN = /^[A-Z0-9]{2,10}$/
/** State of registration: ISO 3166-2 (MX-JAL, US-TX) or a country alone (MX: federal plates). */
export const PLATE_STATE_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/
/** NIV / VIN: 17 characters since 1981 (ISO 3779, no I, O, Q); older serials are shorter. */
export const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{5,17}$/
export const VEHICLE_YEAR_MIN = 1900
export const VEHICLE_YEAR_MAX = 2100

/** UTF-8 byte limits of the text fields (all well under the envelope's maxStringBytes). */
export const VEHICLE_TEXT_MAX_BYTES = {
  make: 64,
  model: 64,
  colour: 64,
  caseNumber: 128,
  place: 256,
  description: 2048,
  note: 512
} as const

const SLOTS = 13
const present = (v: unknown): boolean => v !== undefined && v !== null

function optText (name: keyof typeof VEHICLE_TEXT_MAX_BYTES, v: unknown): string | null {
  if (!present(v)) return null
  const t = checkText(`vehicle.${name}`, v, VEHICLE_TEXT_MAX_BYTES[name])
  if (t.length === 0) badField(`vehicle.${name}`, 'must not be empty (omit it instead)')
  return t
}

function pattern (name: string, v: unknown, re: RegExp, what: string): string {
  if (typeof v !== 'string' || !re.test(v)) badField(`vehicle.${name}`, `must be ${what}`)
  return v
}

function trimNulls (a: Wire): Wire {
  let n = a.length
  while (n > 0 && a[n - 1] === null) n--
  a.length = n
  return a
}

export function encodeVehicle (v: unknown): Wire {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) badField('vehicle', 'must be an object')
  const r = v as VehicleReport
  return trimNulls([
    indexIn('vehicle.msgType', MSG_TYPES, r.msgType),
    pattern('plate', r.plate, PLATE_PATTERN, '2–10 upper-case letters and digits (normalised: no spaces or dashes)'),
    pattern('plateState', r.plateState, PLATE_STATE_PATTERN, 'an ISO 3166-2 code such as MX-JAL (or MX for federal plates)'),
    present(r.vin) ? pattern('vin', r.vin, VIN_PATTERN, 'a NIV/VIN: 5–17 of A–Z (no I, O, Q) and 0–9') : null,
    optText('make', r.make),
    optText('model', r.model),
    present(r.year) ? checkUint('vehicle.year', r.year, VEHICLE_YEAR_MIN, VEHICLE_YEAR_MAX) : null,
    optText('colour', r.colour),
    optText('caseNumber', r.caseNumber),
    present(r.stolenAt) ? checkUint('vehicle.stolenAt', r.stolenAt, 1, Number.MAX_SAFE_INTEGER) : null,
    optText('place', r.place),
    optText('description', r.description),
    optText('note', r.note)
  ])
}

const slot = (v: unknown[], i: number): unknown => (i < v.length ? v[i] : null)

function text (v: unknown[], i: number, name: string): string | undefined {
  const t = slot(v, i)
  if (t === null) return undefined
  if (typeof t !== 'string') badField(`vehicle.${name}`, 'must be text')
  return t
}

function uint (v: unknown[], i: number, name: string): number | undefined {
  const t = slot(v, i)
  if (t === null) return undefined
  if (typeof t !== 'number') badField(`vehicle.${name}`, 'must be an integer')
  return t
}

export function decodeVehicle (v: unknown): VehicleReport {
  if (!Array.isArray(v) || v.length < 3 || v.length > SLOTS) badField('vehicle', `must be an array of 3..${SLOTS} elements`)
  const plate = text(v, 1, 'plate')
  const plateState = text(v, 2, 'plateState')
  if (plate === undefined || plateState === undefined) badField('vehicle', 'plate and plateState are required')
  const r: VehicleReport = { msgType: fromIndex('vehicle.msgType', MSG_TYPES, v[0]), plate, plateState }
  const set = <K extends keyof VehicleReport>(k: K, x: VehicleReport[K] | undefined): void => { if (x !== undefined) r[k] = x }
  set('vin', text(v, 3, 'vin'))
  set('make', text(v, 4, 'make'))
  set('model', text(v, 5, 'model'))
  set('year', uint(v, 6, 'year'))
  set('colour', text(v, 7, 'colour'))
  set('caseNumber', text(v, 8, 'caseNumber'))
  set('stolenAt', uint(v, 9, 'stolenAt'))
  set('place', text(v, 10, 'place'))
  set('description', text(v, 11, 'description'))
  set('note', text(v, 12, 'note'))
  return r
}
