/** CAP limits and names (docs/protocol/cap.md). Units are in the names. */

/** Largest CAP document accepted (POST /v1/cap, send --cap): checked before parsing. */
export const CAP_MAX_BYTES = 256 * 1024
/** Deepest element nesting (alert → info → area → geocode → value is 5). */
export const CAP_MAX_DEPTH = 16
export const CAP_MAX_ELEMENTS = 10_000

export const CAP_NS_12 = 'urn:oasis:names:tc:emergency:cap:1.2'
export const CAP_NS_11 = 'urn:oasis:names:tc:emergency:cap:1.1'
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#'

/** Parameter-name prefix under which CAP fields without an envelope field travel. */
export const CAP_PARAM_PREFIX = 'cap:'
/** Active alerts listed in the Atom feed. */
export const FEED_ENTRIES_MAX = 500
