/**
 * Regenerates test/vectors/plates-v1.json. Run ONLY when the vehicle body changes on
 * purpose (then update docs/protocol/plates.md):   npx tsx test/plates/gen-vectors.ts
 */
import { writeFileSync } from 'node:fs'
import { fromHex, keyPairFromSeed, toHex } from '../../src/identity/keys.js'
import { signEnvelope } from '../../src/envelope/index.js'
import { PLATES_VECTORS_PATH, platesVectorCases, SEED_A } from './vectors.js'

const pair = keyPairFromSeed(fromHex(SEED_A))
const vectors = platesVectorCases().map(c => {
  const env = signEnvelope(c.fields, pair.privateKey)
  return { name: c.name, seed: SEED_A, author: toHex(c.fields.author), references: c.fields.references.map(toHex), vehicle: c.fields.vehicle, created: c.fields.created, expires: c.fields.expires, org: c.fields.org, wire: toHex(env.bytes), id: env.id, wireBytes: env.bytes.length }
})
writeFileSync(PLATES_VECTORS_PATH, JSON.stringify({ format: 'c5mesh vehicle (stolen-vehicle report) envelopes, v1 (docs/protocol/plates.md)', vectors }, null, 2) + '\n')
console.log(`wrote ${vectors.length} vectors`)
