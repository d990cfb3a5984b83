/**
 * Envelope wire constants (docs/protocol/envelope.md §"Constants"). Units are in the names.
 */

/**
 * Prepended to the signed part before signing (never transmitted): UTF-8
 * "c5mesh/envelope/v1" followed by one 0x00 byte, so an envelope signature can never be
 * replayed as a signature over any other c5mesh structure (roster, sync frames…).
 */
export const DOMAIN_TAG: Uint8Array = Uint8Array.from([...new TextEncoder().encode('c5mesh/envelope/v1'), 0x00])

/** Ed25519 signature length: the last bytes of every wire envelope. */
export const SIGNATURE_BYTES = 64
/** Author field: an 8-byte key id (resolved through the roster) or a 32-byte public key. */
export const AUTHOR_KEY_ID_BYTES = 8
export const AUTHOR_KEY_BYTES = 32
/** References are raw sha2-256 digests of the referenced envelopes' wire bytes. */
export const DIGEST_BYTES = 32

/** Longest time-to-live: 400 days, in seconds (the wire carries ttl in seconds). */
export const MAX_TTL_S = 400 * 24 * 60 * 60
/** Default allowed clock skew for `created` in the future: 10 minutes. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000

/** Coordinates travel as signed integers in micro-degrees (1e-6° ≈ 0.11 m). */
export const MICRODEGREES_PER_DEGREE = 1_000_000
/** Circle radii travel as unsigned integers in metres. */
export const METRES_PER_KM = 1000
/** Largest circle radius: half the Earth's circumference. */
export const MAX_RADIUS_M = 20_037_509

/** org and scope entries: ISO 3166-2 ("MX-YUC") or an agency short code ("CNI", "SEDENA"). */
export const ORG_CODE_PATTERN = /^[A-Z][A-Z0-9-]{1,15}$/
