/**
 * Regenerates test/vectors/envelope-v1.json. Run ONLY when the wire format changes on
 * purpose (then bump the version and update docs/protocol/envelope.md):
 *
 *   npx tsx test/envelope/gen-vectors.ts
 */
import { writeFileSync } from 'node:fs'
import { keyPairFromSeed, fromHex, toHex } from '../../src/identity/keys.js'
import { DOMAIN_TAG, envelopeOverhead, signEnvelope } from '../../src/envelope/index.js'
import { fieldsToJson, vectorCases, VECTORS_PATH } from './vector-io.js'

const vectors = vectorCases().map((c) => {
  const pair = keyPairFromSeed(fromHex(c.seedHex))
  const env = signEnvelope(c.fields, pair.privateKey)
  return {
    name: c.name,
    seed: c.seedHex,
    publicKey: toHex(pair.publicKey),
    fields: fieldsToJson(c.fields),
    signedPart: toHex(env.bytes.subarray(0, env.bytes.length - 64)),
    signature: toHex(env.signature),
    wire: toHex(env.bytes),
    digest: toHex(env.digest),
    id: env.id,
    wireBytes: env.bytes.length,
    overheadBytes: envelopeOverhead(env)
  }
})

const doc = {
  format: 'c5mesh envelope v1 golden vectors (docs/protocol/envelope.md)',
  domainTag: toHex(DOMAIN_TAG),
  note: 'seed = raw 32-byte Ed25519 private key (RFC 8032). wire = signedPart || signature. digest = sha2-256(wire). Times in ms since the Unix epoch; byte fields in hex.',
  vectors
}
writeFileSync(VECTORS_PATH, JSON.stringify(doc, null, 2) + '\n')
console.log(`wrote ${vectors.length} vectors to ${VECTORS_PATH.pathname}`)
