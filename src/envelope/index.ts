/**
 * Envelope: the one signed, versioned message shape of c5mesh (docs/protocol/envelope.md).
 * Wire = signedPart (one canonical DAG-CBOR positional array) || Ed25519 signature (64
 * bytes) over DOMAIN_TAG || signedPart; id = CIDv1(raw, sha2-256(wire)).
 *
 * @example
 * const env = composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert',
 *   urgency: 'Immediate', severity: 'Severe', headline: 'Robo de vehiculo' } }, operator, { now: clock.now() })
 * const got = decodeEnvelope(env.bytes)          // limits + schema + canonical form
 * verifyEnvelopeSignature(got, operator.publicKey) // true (author may be the 8-byte key id)
 * checkTimes(got, clock.now())                    // throws ENVELOPE_EXPIRED / _FROM_FUTURE
 */
export * from './types.js'
export { DOMAIN_TAG, SIGNATURE_BYTES, AUTHOR_KEY_BYTES, AUTHOR_KEY_ID_BYTES, DIGEST_BYTES, MAX_TTL_S, MAX_CLOCK_SKEW_MS, MICRODEGREES_PER_DEGREE, ORG_CODE_PATTERN } from './constants.js'
export { DEFAULT_ENVELOPE_LIMITS, resolveLimits, type EnvelopeLimits } from './limits.js'
export { encodeSignedPart, signEnvelope, decodeEnvelope, decodeTrustedFields, signingPayload, verifyEnvelopeSignature } from './codec.js'
export { idFromDigest, digestFromId, envelopeDigest } from './id.js'
export { derivePrecedence } from './precedence.js'
export { checkTimes, type TimeCheckOptions } from './time.js'
export { composeEnvelope, defaultPrecedence, DEFAULT_TTL_S, KIND_PRECEDENCE, type ComposeFields, type ComposeOptions } from './compose.js'
export { checkTextRules, MAX_HEADLINE_BYTES } from './text-rules.js'
export { envelopeOverhead, LXMF_OVERHEAD_BYTES } from './overhead.js'
export { sampleAlert, SAMPLE_CREATED_MS, type SampleAlertOptions } from './sample.js'
