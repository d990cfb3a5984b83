/**
 * Envelope size figures (issue 2 "Benchmark": alert_bytes, overhead_bytes; goal < 111,
 * LXMF's per-message overhead). Not a timed benchmark: sizes are exact.
 *
 *   npm run bench -- envelope-size
 */
import { keyId, keyPairFromSeed } from '../src/identity/keys.js'
import { envelopeOverhead, LXMF_OVERHEAD_BYTES, sampleAlert, signEnvelope } from '../src/envelope/index.js'

export async function run (): Promise<Record<string, unknown>> {
  const pair = keyPairFromSeed(new Uint8Array(32).fill(1))
  const byKeyId = signEnvelope(sampleAlert({ author: keyId(pair.publicKey) }), pair.privateKey)
  const byKey = signEnvelope(sampleAlert({ author: pair.publicKey }), pair.privateKey)
  return {
    bench: 'envelope-size',
    alert_bytes: byKeyId.bytes.length,
    overhead_bytes: envelopeOverhead(byKeyId),
    overhead_bytes_full_key_author: envelopeOverhead(byKey),
    signature_bytes: 64,
    lxmf_overhead_bytes: LXMF_OVERHEAD_BYTES
  }
}
