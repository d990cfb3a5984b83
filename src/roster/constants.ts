/**
 * Roster constants: format version, signature domain tag and the limits that bound what a
 * peer can make us allocate (docs/protocol/roster.md §Limits).
 */

/** Format version of the roster document and of the signed roster wrapper (the `v` field). */
export const ROSTER_FORMAT_VERSION = 1

/** Prepended to the document bytes before signing, so a roster signature can never be replayed as another kind of signature. */
export const ROSTER_SIGNATURE_DOMAIN = new TextEncoder().encode('c5mesh/roster/v1\0')

/** Checked before decoding: a signed roster (document + signatures) larger than this is refused unread. */
export const MAX_SIGNED_ROSTER_BYTES = 4 * 1024 * 1024
export const MAX_ROSTER_MEMBERS = 10_000
/** Revocations listed inside one roster document. */
export const MAX_DOCUMENT_REVOCATIONS = 10_000
/** Revocations held by a roster state, merged from all sources. */
export const MAX_STATE_REVOCATIONS = 100_000
/** Signatures carried by one signed roster (k of n gathered; n is small in practice). */
export const MAX_ROSTER_SIGNATURES = 64
/** Orgs in one member's issuing scope. */
export const MAX_SCOPE_ORGS = 128
export const MAX_ORG_CHARS = 16
export const MAX_NAME_CHARS = 128
export const MAX_NOTE_CHARS = 1024
export const MAX_REASON_CHARS = 256

/** Org codes: ISO 3166-2 ("MX-YUC") or an agency short code ("CNI", "SEDENA"); same rule as envelopes. */
export const ORG_CODE_PATTERN = /^[A-Z][A-Z0-9-]{1,15}$/

/** Default validity of the members of a development roster (`c5mesh init --dev`). */
export const DEV_ROSTER_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000

/** A persisted roster state (signed roster + up to MAX_STATE_REVOCATIONS revocations). */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024
/** Deepest CBOR nesting any roster structure uses is 5 (document → mem → member → may → kinds). */
export const MAX_CBOR_DEPTH = 8
