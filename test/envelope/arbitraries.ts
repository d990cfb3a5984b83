/**
 * fast-check arbitraries of NORMALISED unsigned envelopes: exactly the values the decoder
 * returns (coordinates on the micro-degree grid, radii in whole metres, empty optional
 * lists absent), so that decode(sign(u)) must equal u field by field.
 */
import fc from 'fast-check'
import {
  CATEGORIES, CERTAINTIES, KINDS, MAX_TTL_S, MSG_TYPES, PRECEDENCES, SEVERITIES, URGENCIES,
  type Area, type Content, type Parameter, type UnsignedEnvelope, type VehicleReport
} from '../../src/envelope/index.js'

// (A leading U+FEFF is refused by the schema: the decoder would drop it.)
const text = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength }).filter((s) => s.charCodeAt(0) !== 0xfeff)
const orgCode = fc.oneof(
  fc.stringMatching(/^MX-[A-Z]{3}$/),
  fc.stringMatching(/^[A-Z][A-Z0-9-]{1,15}$/)
)
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 })
const microLat = fc.integer({ min: -90_000_000, max: 90_000_000 }).map((m) => m / 1e6)
const microLon = fc.integer({ min: -180_000_000, max: 180_000_000 }).map((m) => m / 1e6)
const pairs = (max: number): fc.Arbitrary<Parameter[]> => fc.array(fc.record({ name: text(12), value: text(20) }), { minLength: 1, maxLength: max })

const polygon = fc.array(fc.tuple(microLat, microLon), { minLength: 3, maxLength: 12 })
  .map((pts): Array<[number, number]> => [...pts, pts[0]])

const area: fc.Arbitrary<Area> = fc.record({
  description: text(),
  polygons: fc.array(polygon, { minLength: 1, maxLength: 3 }),
  circles: fc.array(fc.record({ lat: microLat, lon: microLon, radiusKm: fc.integer({ min: 1, max: 20_000_000 }).map((m) => m / 1000) }), { minLength: 1, maxLength: 3 }),
  geocodes: pairs(4)
}, { requiredKeys: ['description'] })

export const contentArb: fc.Arbitrary<Content> = fc.record({
  msgType: fc.constantFrom(...MSG_TYPES),
  category: fc.constantFrom(...CATEGORIES),
  event: text(),
  urgency: fc.constantFrom(...URGENCIES),
  severity: fc.constantFrom(...SEVERITIES),
  certainty: fc.constantFrom(...CERTAINTIES),
  headline: text(60),
  description: text(300),
  instruction: text(),
  area,
  parameters: pairs(6)
}, { requiredKeys: ['msgType'] })

const nonEmpty = (max: number): fc.Arbitrary<string> => text(max).filter((s) => s.length > 0)
export const vehicleArb: fc.Arbitrary<VehicleReport> = fc.record({
  msgType: fc.constantFrom(...MSG_TYPES),
  plate: fc.stringMatching(/^[A-Z0-9]{2,10}$/),
  plateState: fc.oneof(fc.stringMatching(/^MX-[A-Z]{3}$/), fc.constant('MX')),
  vin: fc.stringMatching(/^[A-HJ-NPR-Z0-9]{17}$/),
  make: nonEmpty(20),
  model: nonEmpty(20),
  year: fc.integer({ min: 1900, max: 2100 }),
  colour: nonEmpty(15),
  caseNumber: nonEmpty(30),
  stolenAt: fc.integer({ min: 1, max: 2 ** 52 }),
  place: nonEmpty(40),
  description: nonEmpty(100),
  note: nonEmpty(40)
}, { requiredKeys: ['msgType', 'plate', 'plateState'] })

/** created: up to 2^53 − 1 minus the ttl, biased to values above 2^32. */
const times = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 2 ** 32 }), fc.integer({ min: 2 ** 32, max: 2 ** 52 }), fc.constant(Number.MAX_SAFE_INTEGER - MAX_TTL_S * 1000)), fc.integer({ min: 1, max: MAX_TTL_S }))
  .map(([created, ttl]) => ({ created: Math.min(created, Number.MAX_SAFE_INTEGER - ttl * 1000), ttl }))

export const unsignedArb: fc.Arbitrary<UnsignedEnvelope> = fc.record({
  kind: fc.constantFrom(...KINDS),
  author: fc.oneof(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
  org: orgCode,
  times,
  precedence: fc.constantFrom(...PRECEDENCES),
  scope: fc.uniqueArray(orgCode, { maxLength: 5 }),
  references: fc.uniqueArray(digest, { minLength: 1, maxLength: 4, selector: (d) => Buffer.from(d).toString('hex') }),
  content: contentArb,
  note: fc.option(text(), { nil: undefined }),
  roster: fc.uint8Array({ minLength: 1, maxLength: 200 }),
  vehicle: vehicleArb,
  revocation: fc.record({ key: fc.uint8Array({ minLength: 32, maxLength: 32 }), effective: fc.nat({ max: Number.MAX_SAFE_INTEGER }), reason: text() }, { requiredKeys: ['key', 'effective'] }),
  noRefs: fc.boolean()
}).map((r) => {
  const u: UnsignedEnvelope = {
    version: 1,
    kind: r.kind,
    author: r.author,
    org: r.org,
    created: r.times.created,
    expires: r.times.created + r.times.ttl * 1000,
    precedence: r.precedence,
    scope: r.scope,
    // acks, receipts, Updates and Cancels must reference something; others may not.
    references: r.noRefs && !needsRefs(r.kind, r.content, r.vehicle) ? [] : r.references
  }
  if (r.kind === 'alert' || r.kind === 'bulletin') u.content = r.content
  if (r.kind === 'ack' && r.note !== undefined) u.note = r.note
  if (r.kind === 'roster') u.roster = r.roster
  if (r.kind === 'revocation') u.revocation = r.revocation
  if (r.kind === 'vehicle') u.vehicle = r.vehicle
  return u
})

function needsRefs (kind: string, c: Content, v: VehicleReport): boolean {
  return kind === 'ack' || kind === 'receipt' || ((kind === 'alert' || kind === 'bulletin') && c.msgType !== 'Alert') || (kind === 'vehicle' && v.msgType !== 'Alert')
}
