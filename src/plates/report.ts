/**
 * Stolen-vehicle reports as the hotlist sees them: one `vehicle` envelope → one
 * ReportMessage (plain values, no bytes), and composing reports for the CLI and API.
 */
import { C5Error } from '../errors.js'
import { composeEnvelope, digestFromId, idFromDigest } from '../envelope/index.js'
import type { Envelope, MsgType, Precedence, VehicleReport } from '../envelope/types.js'
import type { KeyPair } from '../identity/index.js'
import { REPORT_TTL_S } from './constants.js'
import { normalisePlate } from './normalise.js'
import { withArticle } from '../util/words.js'

/** One vehicle envelope, reduced to what the hotlist keeps. */
export interface ReportMessage {
  /** This envelope's id. */
  id: string
  /** The id of the original report (itself for msgType Alert, else references[0]). */
  root: string
  msgType: MsgType
  org: string
  created: number
  expires: number
  report: VehicleReport
}

export function reportMessageOf (env: Pick<Envelope, 'kind' | 'id' | 'org' | 'created' | 'expires' | 'references' | 'vehicle'>): ReportMessage {
  if (env.kind !== 'vehicle' || env.vehicle === undefined) throw new C5Error('PLATES_NOT_A_REPORT', `${env.id} is ${withArticle(env.kind)}, not a stolen-vehicle report`)
  const v = env.vehicle
  const root = v.msgType === 'Alert' ? env.id : idFromDigest(env.references[0])
  return { id: env.id, root, msgType: v.msgType, org: env.org, created: env.created, expires: env.expires, report: v }
}

/** What an operator fills in to file a report (plate in any spelling; the rest optional). */
export type ReportFields = Omit<VehicleReport, 'msgType'>

export interface ComposeReportOptions {
  org: string
  now: number
  msgType?: MsgType
  /** For an Update or Cancel: the original report's id (and optionally the latest Update's). */
  references?: string[]
  precedence?: Precedence
  scope?: string[]
  ttlS?: number
}

/** Signs a vehicle envelope; the plate is normalised, the rest checked by the envelope schema. */
export function composeReport (fields: ReportFields, operator: Pick<KeyPair, 'publicKey' | 'privateKey'>, o: ComposeReportOptions): Envelope {
  const msgType = o.msgType ?? 'Alert'
  const vehicle: VehicleReport = { ...fields, msgType, plate: normalisePlate(fields.plate) }
  if (vehicle.vin !== undefined) vehicle.vin = vehicle.vin.toUpperCase().replace(/[\s-]/g, '')
  for (const k of Object.keys(vehicle) as Array<keyof VehicleReport>) if (vehicle[k] === undefined || vehicle[k] === '') delete vehicle[k]
  const references = (o.references ?? []).map(id => {
    try { return digestFromId(id) } catch (cause) { throw new C5Error('PLATES_BAD_REPORT', `not a message id: ${id}`, { cause }) }
  })
  try {
    return composeEnvelope({
      kind: 'vehicle',
      org: o.org,
      vehicle,
      references,
      scope: o.scope ?? [],
      ttlS: o.ttlS ?? REPORT_TTL_S,
      ...(o.precedence === undefined ? {} : { precedence: o.precedence })
    }, operator, { now: o.now })
  } catch (err) {
    if (err instanceof C5Error && err.code === 'ENVELOPE_BAD_FIELD') throw new C5Error('PLATES_BAD_REPORT', err.message, { cause: err, ...(err.details === undefined ? {} : { details: err.details }) })
    throw err
  }
}
