/**
 * Golden vectors of bundle and manifest files (test/vectors/bundle-v1.json), built from
 * fixed keys, times and nonce (Ed25519 signatures are deterministic). Used by the generator
 * (gen-vectors.ts) and by vectors.test.ts; docs/protocol/bundle.md quotes them.
 */
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { fromHex, keyPairFromSeed, toHex } from '../../../src/identity/keys.js'
import { buildManifest, createBundleWriter } from '../../../src/links/bundle/index.js'

export const BUNDLE_VECTORS_PATH = new URL('../../vectors/bundle-v1.json', import.meta.url)
const ENVELOPE_VECTORS = new URL('../../vectors/envelope-v1.json', import.meta.url)

const seed = (start: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff)
export const EXPORTER_SEED = seed(0x40)
export const OWNER_SEED = seed(0x60)
const CREATED = Date.UTC(2026, 10, 28, 12, 0, 0) // 1795867200000 ms, above 2^32
const MANIFEST_CREATED = CREATED - 3_600_000
const NONCE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)

export async function bundleVectors (): Promise<Record<string, unknown>> {
  const envelopes = (JSON.parse(readFileSync(ENVELOPE_VECTORS, 'utf8')) as { vectors: Array<{ name: string, wire: string }> }).vectors
  const records = ['ack-note', 'receipt'].map(name => ({ name, wire: fromHex(envelopes.find(v => v.name === name)!.wire) }))
  const exporter = keyPairFromSeed(EXPORTER_SEED)
  const owner = keyPairFromSeed(OWNER_SEED)
  const chunks: Uint8Array[] = []
  const w = await createBundleWriter({
    org: 'MX-YUC', created: CREATED, nonce: NONCE, count: 2, since: 0,
    answers: [{ owner: owner.publicKey, manifestCreated: MANIFEST_CREATED, messages: 2, exact: true }]
  }, exporter, async c => { chunks.push(c) })
  for (const r of records) await w.add(r.wire)
  await w.finish()
  const bundle = new Uint8Array(Buffer.concat(chunks))
  const headerLength = w.header.bytes.length
  let at = headerLength
  const recordHex = records.map(r => {
    const len = 1 + (r.wire.length < 128 ? 1 : 2) + 4 + r.wire.length
    const hex = toHex(bundle.subarray(at, at + len))
    at += len
    return { envelope: r.name, bytes: len, head: hex.slice(0, 2 * (len - r.wire.length)), tagIsDigestPrefix: toHex(createHash('sha256').update(r.wire).digest()).slice(0, 8) }
  })
  const items = [0, 1, 2].map(i => ({ timestamp: MANIFEST_CREATED - 60_000 * (3 - i), id: new Uint8Array(createHash('sha256').update(`c5mesh manifest vector ${i}`).digest()) }))
  const manifest = buildManifest(items, { signer: owner, org: 'MX-CMX', created: MANIFEST_CREATED, capacity: 1 })
  return {
    format: 'c5mesh bundle and manifest v1 golden vectors (docs/protocol/bundle.md)',
    note: 'seeds are raw 32-byte Ed25519 private keys (RFC 8032); times in ms since the Unix epoch; byte fields in hex. The records carry the envelope vectors ack-note and receipt of envelope-v1.json.',
    bundle: {
      exporterSeed: toHex(EXPORTER_SEED),
      exporterKey: toHex(exporter.publicKey),
      created: CREATED,
      nonce: toHex(NONCE),
      answerOwnerKey: toHex(owner.publicKey),
      header: toHex(w.header.bytes),
      headerDigest: toHex(w.header.digest),
      id: w.header.id,
      records: recordHex,
      end: toHex(bundle.subarray(at)),
      bytes: bundle.length,
      hex: toHex(bundle)
    },
    manifest: {
      ownerSeed: toHex(OWNER_SEED),
      ownerKey: toHex(owner.publicKey),
      created: MANIFEST_CREATED,
      items: items.map(i => ({ timestamp: i.timestamp, id: toHex(i.id) })),
      capacity: 1,
      bytes: manifest.length,
      hex: toHex(manifest)
    }
  }
}
