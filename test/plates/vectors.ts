/**
 * Golden vectors of the `vehicle` kind (test/vectors/plates-v1.json, docs/protocol/plates.md
 * §"Vectors"): a report, its Update and its Cancel. gen-vectors.ts writes the file;
 * report.test.ts checks that signing the fields reproduces it byte for byte.
 */
import { fromHex, keyId, keyPairFromSeed, toHex } from '../../src/identity/keys.js'
import { envelopeDigest, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js'

export const PLATES_VECTORS_PATH = new URL('../vectors/plates-v1.json', import.meta.url)
export const SEED_A = toHex(Uint8Array.from({ length: 32 }, (_, i) => i))
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0)
const DAY_S = 86_400

export interface PlatesVectorCase { name: string, fields: UnsignedEnvelope }

export function platesVectorCases (): PlatesVectorCase[] {
  const a = keyPairFromSeed(fromHex(SEED_A))
  const author = keyId(a.publicKey)
  const base = { version: 1 as const, kind: 'vehicle' as const, author, org: 'FGR', precedence: 'priority' as const, scope: [] as string[] }
  const report: UnsignedEnvelope = {
    ...base,
    created: T0,
    expires: T0 + 400 * DAY_S * 1000,
    references: [],
    vehicle: {
      msgType: 'Alert', plate: 'JAL1234', plateState: 'MX-JAL', vin: '3N1CN7AD5KL812345', make: 'Nissan', model: 'Versa', year: 2019,
      colour: 'gris', caseNumber: 'FGE/JAL/GDL/2026/004512', stolenAt: T0 - 3_600_000, place: 'Guadalajara, Av. Vallarta', description: 'Robo con violencia'
    }
  }
  const d0 = envelopeDigest(signEnvelope(report, a.privateKey).bytes)
  const update: UnsignedEnvelope = {
    ...base, created: T0 + 600_000, expires: T0 + 600_000 + 400 * DAY_S * 1000, references: [d0],
    vehicle: { ...report.vehicle!, msgType: 'Update', colour: 'gris plata', note: 'color corregido' }
  }
  const cancel: UnsignedEnvelope = {
    ...base, org: 'MX-MIC', created: T0 + 86_400_000, expires: T0 + 86_400_000 + 400 * DAY_S * 1000, references: [d0],
    vehicle: { msgType: 'Cancel', plate: 'JAL1234', plateState: 'MX-JAL', note: 'recuperado en Morelia' }
  }
  return [{ name: 'vehicle-report', fields: report }, { name: 'vehicle-update', fields: update }, { name: 'vehicle-cancel', fields: cancel }]
}
