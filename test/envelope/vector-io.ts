/**
 * Golden vectors (test/vectors/envelope-v1.json): the cases, and the JSON form of an
 * UnsignedEnvelope (byte fields as lower-case hex). Used by the generator
 * (gen-vectors.ts) and by vectors.test.ts.
 */
import { keyId, keyPairFromSeed, toHex, fromHex } from '../../src/identity/keys.js'
import { envelopeDigest, sampleAlert, signEnvelope, type UnsignedEnvelope } from '../../src/envelope/index.js'

export const VECTORS_PATH = new URL('../vectors/envelope-v1.json', import.meta.url)

export type JsonFields = Record<string, unknown>

export function fieldsToJson (u: UnsignedEnvelope): JsonFields {
  const j: JsonFields = { ...u, author: toHex(u.author), references: u.references.map(toHex) }
  if (u.roster !== undefined) j.roster = toHex(u.roster)
  if (u.revocation !== undefined) j.revocation = { ...u.revocation, key: toHex(u.revocation.key) }
  return j
}

export function fieldsFromJson (j: JsonFields): UnsignedEnvelope {
  const u = { ...j, author: fromHex(j.author as string), references: (j.references as string[]).map(fromHex) } as unknown as UnsignedEnvelope
  if (typeof j.roster === 'string') u.roster = fromHex(j.roster)
  if (j.revocation !== undefined) {
    const r = j.revocation as { key: string, effective: number, reason?: string }
    u.revocation = { ...r, key: fromHex(r.key) }
  }
  return u
}

export interface VectorCase { name: string, seedHex: string, fields: UnsignedEnvelope }

const seed = (start: number): string => toHex(Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff))
export const SEED_A = seed(0x00) // 000102…1f
export const SEED_B = seed(0x20) // 202122…3f
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0) // 1795824000000 ms, above 2^32

/** The cases, in order; later cases reference the digests of earlier ones. */
export function vectorCases (): VectorCase[] {
  const a = keyPairFromSeed(fromHex(SEED_A))
  const b = keyPairFromSeed(fromHex(SEED_B))
  const cases: VectorCase[] = []
  const digestOf = (i: number): Uint8Array => {
    const c = cases[i]
    return envelopeDigest(signEnvelope(c.fields, keyPairFromSeed(fromHex(c.seedHex)).privateKey).bytes)
  }
  const common = { version: 1 as const, scope: [] as string[], references: [] as Uint8Array[] }
  cases.push({ name: 'alert-sample-keyid', seedHex: SEED_A, fields: sampleAlert({ author: keyId(a.publicKey), created: T0 }) })
  cases.push({
    name: 'bulletin-update-area-fullkey',
    seedHex: SEED_B,
    fields: {
      ...common,
      kind: 'bulletin',
      author: b.publicKey,
      org: 'SEDENA',
      created: T0 + 60_000,
      expires: T0 + 60_000 + 6 * 3600_000,
      precedence: 'immediate',
      scope: ['MX-YUC', 'MX-CAM', 'MX-ROO'],
      references: [digestOf(0)],
      content: {
        msgType: 'Update',
        category: 'Security',
        event: 'Cierre carretero',
        urgency: 'Expected',
        severity: 'Severe',
        certainty: 'Likely',
        headline: 'Cierre Merida-Progreso',
        instruction: 'Usar ruta alterna',
        area: {
          description: 'Carretera federal 261',
          polygons: [[[21.0, -89.65], [21.28, -89.66], [21.28, -89.6], [21.0, -89.6], [21.0, -89.65]]],
          circles: [{ lat: 21.283, lon: -89.663, radiusKm: 1.5 }],
          geocodes: [{ name: 'INEGI', value: '31059' }]
        },
        parameters: [{ name: 'placa', value: 'YUC-123-A' }, { name: 'color', value: 'gris' }]
      }
    }
  })
  cases.push({ name: 'ack-note', seedHex: SEED_B, fields: { ...common, kind: 'ack', author: keyId(b.publicKey), org: 'MX-CMX', created: T0 + 120_000, expires: T0 + 120_000 + 86_400_000, precedence: 'priority', references: [digestOf(0)], note: 'Enterado' } })
  cases.push({ name: 'receipt', seedHex: SEED_A, fields: { ...common, kind: 'receipt', author: keyId(a.publicKey), org: 'MX-YUC', created: T0 + 180_000, expires: T0 + 180_000 + 86_400_000, precedence: 'routine', references: [digestOf(1), digestOf(2)] } })
  cases.push({ name: 'roster', seedHex: SEED_A, fields: { ...common, kind: 'roster', author: a.publicKey, org: 'CNI', created: T0, expires: T0 + 400 * 86_400_000, precedence: 'immediate', roster: new TextEncoder().encode('opaque roster document') } })
  cases.push({ name: 'revocation', seedHex: SEED_A, fields: { ...common, kind: 'revocation', author: a.publicKey, org: 'CNI', created: T0 + 240_000, expires: T0 + 240_000 + 30 * 86_400_000, precedence: 'immediate', revocation: { key: b.publicKey, effective: T0 + 200_000, reason: 'llave extraviada' } } })
  cases.push({ name: 'alert-created-near-2^53', seedHex: SEED_B, fields: { ...common, kind: 'alert', author: keyId(b.publicKey), org: 'GN', created: 2 ** 53 - 1 - 1000, expires: 2 ** 53 - 1, precedence: 'routine', scope: ['MX-OAX'], content: { msgType: 'Alert', headline: 'Prueba' } } })
  return cases
}
