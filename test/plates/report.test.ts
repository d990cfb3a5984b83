import { readFileSync } from 'node:fs'
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { decodeEnvelope, signEnvelope } from '../../src/envelope/index.js'
import type { UnsignedEnvelope } from '../../src/envelope/types.js'
import { fromHex, generateKeyPair, keyPairFromSeed, toHex } from '../../src/identity/keys.js'
import { composeReport, reportMessageOf } from '../../src/plates/index.js'
import { vehicleArb } from '../envelope/arbitraries.js'
import { PLATES_VECTORS_PATH, platesVectorCases, SEED_A } from './vectors.js'

const doc = JSON.parse(readFileSync(PLATES_VECTORS_PATH, 'utf8')) as { vectors: Array<{ name: string, wire: string, id: string }> }

describe('vehicle envelopes (docs/protocol/plates.md)', () => {
  const pair = keyPairFromSeed(fromHex(SEED_A))
  it('golden vectors: signing the cases reproduces test/vectors/plates-v1.json byte for byte', () => {
    const cases = platesVectorCases()
    expect(doc.vectors.map(v => v.name)).toEqual(cases.map(c => c.name))
    cases.forEach((c, i) => {
      const env = signEnvelope(c.fields, pair.privateKey)
      expect(toHex(env.bytes)).toBe(doc.vectors[i].wire)
      expect(env.id).toBe(doc.vectors[i].id)
      const back = decodeEnvelope(fromHex(doc.vectors[i].wire))
      expect(back.vehicle).toEqual(c.fields.vehicle)
    })
  })

  it('round trip of any valid report body (property)', () => {
    const k = generateKeyPair()
    fc.assert(fc.property(vehicleArb, (vehicle) => {
      const u: UnsignedEnvelope = { version: 1, kind: 'vehicle', author: k.publicKey, org: 'FGR', created: 1_800_000_000_000, expires: 1_800_086_400_000, precedence: 'priority', scope: [], references: vehicle.msgType === 'Alert' ? [] : [new Uint8Array(32).fill(7)], vehicle }
      expect(decodeEnvelope(signEnvelope(u, k.privateKey).bytes).vehicle).toEqual(vehicle)
    }), { numRuns: 300 })
  })

  const k = generateKeyPair()
  const good = (): UnsignedEnvelope => ({ version: 1, kind: 'vehicle', author: k.publicKey, org: 'FGR', created: 1_800_000_000_000, expires: 1_800_086_400_000, precedence: 'priority', scope: [], references: [], vehicle: { msgType: 'Alert', plate: 'ABC1234', plateState: 'MX-JAL' } })
  it.each([
    ['plate not normalised', { plate: 'abc-123' }, 'vehicle.plate'],
    ['plate too long', { plate: 'ABCDEFGHIJK' }, 'vehicle.plate'],
    ['state not ISO 3166-2', { plateState: 'Jalisco' }, 'vehicle.plateState'],
    ['VIN with an O', { vin: '3N1CN7AD5KL8O2345' }, 'vehicle.vin'],
    ['year 1800', { year: 1800 }, 'vehicle.year'],
    ['empty make', { make: '' }, 'vehicle.make'],
    ['make too long', { make: 'x'.repeat(65) }, 'vehicle.make'],
    ['msgType unknown', { msgType: 'Recovered' }, 'vehicle.msgType']
  ])('refuses %s (field named)', (_name, patch, field) => {
    const u = good()
    u.vehicle = { ...u.vehicle!, ...(patch as object) }
    try { signEnvelope(u, k.privateKey); expect.unreachable() } catch (err) {
      expect(err).toMatchObject({ details: { field } })
      expect(['ENVELOPE_BAD_FIELD', 'ENVELOPE_LIMIT_EXCEEDED']).toContain((err as { code: string }).code)
    }
  })

  it('an Update or Cancel without a reference is refused; a vehicle body in an alert is refused', () => {
    const u = good()
    u.vehicle = { ...u.vehicle!, msgType: 'Cancel' }
    expect(() => signEnvelope(u, k.privateKey)).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'references' }) }))
    expect(() => signEnvelope({ ...good(), kind: 'alert', content: { msgType: 'Alert' } }, k.privateKey)).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'vehicle' }) }))
  })

  it('composeReport normalises the plate and VIN; reportMessageOf finds the root of an Update', () => {
    const now = 1_800_000_000_000
    const r = composeReport({ plate: 'jal-123-4', plateState: 'MX-JAL', vin: '3n1cn7ad5kl812345', make: 'Nissan' }, k, { org: 'FGR', now })
    expect(r.vehicle).toMatchObject({ msgType: 'Alert', plate: 'JAL1234', vin: '3N1CN7AD5KL812345' })
    const up = composeReport({ plate: 'JAL1234', plateState: 'MX-JAL', colour: 'azul' }, k, { org: 'FGR', now: now + 1, msgType: 'Update', references: [r.id] })
    expect(reportMessageOf(r).root).toBe(r.id)
    expect(reportMessageOf(up)).toMatchObject({ root: r.id, msgType: 'Update', org: 'FGR' })
    expect(() => composeReport({ plate: 'JAL1234', plateState: 'Jal' }, k, { org: 'FGR', now })).toThrow(expect.objectContaining({ code: 'PLATES_BAD_REPORT' }))
    expect(() => composeReport({ plate: '*', plateState: 'MX-JAL' }, k, { org: 'FGR', now })).toThrow(expect.objectContaining({ code: 'PLATES_BAD_PLATE' }))
  })
})

describe('decodeTrustedFields (the hotlist rebuild reads its own store with it)', () => {
  it('gives the same fields as decodeEnvelope for every vector, and refuses what is not an envelope', async () => {
    const { decodeTrustedFields } = await import('../../src/envelope/index.js')
    for (const v of doc.vectors) {
      const full = decodeEnvelope(fromHex(v.wire))
      const light = decodeTrustedFields(fromHex(v.wire), full.digest)
      const { bytes: _b, signature: _s, ...fields } = full
      expect(light).toEqual(fields)
    }
    expect(() => decodeTrustedFields(new Uint8Array(10), new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'ENVELOPE_TOO_SHORT' }))
    expect(() => decodeTrustedFields(new Uint8Array(100).fill(0xff), new Uint8Array(32))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ENVELOPE_/) }))
  })
})
