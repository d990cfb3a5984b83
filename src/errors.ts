/**
 * One error class for the whole project. Every error carries a stable `code` (tests assert
 * codes, never messages), an optional `cause`, and optional structured `details`.
 * The list of codes is in docs/PROTOCOL.md ("Error codes") and README.md.
 *
 * Codes are grouped by prefix: ENVELOPE_*, ROSTER_*, IDENTITY_*, STORE_*, INGEST_*, SYNC_*,
 * LINK_*, BUNDLE_*, CONFIG_*, CLI_*, NODE_*. Modules add their codes to the union below.
 */
export type ErrorCode =
  // envelope (wire format and validation)
  | 'ENVELOPE_TOO_LARGE' | 'ENVELOPE_TOO_SHORT' | 'ENVELOPE_MALFORMED' | 'ENVELOPE_BAD_VERSION'
  | 'ENVELOPE_BAD_FIELD' | 'ENVELOPE_LIMIT_EXCEEDED' | 'ENVELOPE_BAD_SIGNATURE'
  | 'ENVELOPE_EXPIRED' | 'ENVELOPE_FROM_FUTURE' | 'ENVELOPE_NOT_CANONICAL'
  // identity
  | 'IDENTITY_KEY_PERMISSIONS' | 'IDENTITY_KEY_MISSING' | 'IDENTITY_KEY_INVALID' | 'IDENTITY_KEY_EXISTS'
  | 'IDENTITY_KEY_UNREADABLE' // field readiness: a key file this user may not read
  // roster
  | 'ROSTER_UNKNOWN_AUTHOR' | 'ROSTER_WRONG_ROLE' | 'ROSTER_KIND_NOT_ALLOWED'
  | 'ROSTER_PRECEDENCE_NOT_ALLOWED' | 'ROSTER_SCOPE_NOT_ALLOWED' | 'ROSTER_MEMBER_EXPIRED'
  | 'ROSTER_MEMBER_NOT_YET_VALID' | 'ROSTER_KEY_REVOKED' | 'ROSTER_UNDER_THRESHOLD'
  | 'ROSTER_OLD_VERSION' | 'ROSTER_MALFORMED' | 'ROSTER_BAD_SIGNATURE' | 'ROSTER_NO_ROSTER'
  | 'ROSTER_ORG_MISMATCH' | 'ROSTER_DUPLICATE_MEMBER' | 'ROSTER_UNKNOWN_MEMBER'
  | 'ROSTER_NOT_AN_ANCHOR' // field readiness: roster sign with a key that is not a trust anchor
  // store
  | 'STORE_CORRUPT' | 'STORE_SCHEMA_MISMATCH' | 'STORE_CLOSED' | 'STORE_LOCKED' | 'STORE_INVALID_ARGUMENT' | 'STORE_OPEN_FAILED' | 'STORE_WRITE_FAILED'
  // ingest
  | 'INGEST_DUPLICATE' | 'INGEST_TOMBSTONED' | 'INGEST_INTERNAL'
  // quotas (roster.md §Quotas): same decision on every node; never the relay's fault
  | 'QUOTA_EXCEEDED' | 'QUOTA_LIFETIME_EXCEEDED'
  // sync and links
  | 'SYNC_MALFORMED' | 'SYNC_BAD_VERSION' | 'SYNC_UNEXPECTED' | 'SYNC_TIMEOUT' | 'SYNC_LIMIT_EXCEEDED'
  | 'SYNC_PEER_BANNED'
  // sync: our own failure inside a session (never counted against the peer)
  | 'SYNC_INTERNAL'
  | 'LINK_FRAME_TOO_LARGE' | 'LINK_CLOSED' | 'LINK_ABORTED' | 'LINK_BAD_ARGUMENT' | 'LINK_REFUSED'
  // radio link (src/links/radio, src/links/kiss): bad radio frame or hello, TNC unreachable or gone
  | 'RADIO_MALFORMED' | 'RADIO_BAD_HELLO' | 'RADIO_TNC_UNREACHABLE' | 'RADIO_TNC_FAILED'
  // bundles a courier carries (src/links/bundle)
  | 'BUNDLE_EMPTY' | 'BUNDLE_FOREIGN' | 'BUNDLE_BAD_VERSION' | 'BUNDLE_TRUNCATED' | 'BUNDLE_CORRUPT' | 'BUNDLE_BAD_SIGNATURE'
  | 'BUNDLE_UNKNOWN_NODE' | 'BUNDLE_UNREADABLE' | 'BUNDLE_NO_SPACE' | 'BUNDLE_WRITE_FAILED'
  // config, cli, node
  | 'CONFIG_INVALID' | 'CONFIG_NOT_FOUND' | 'CLI_BAD_ARGUMENT' | 'CLI_NOT_INITIALISED'
  | 'CLI_FILE_UNREADABLE' // field readiness: a file named on the command line cannot be read
  | 'NODE_NOT_RUNNING' | 'NODE_LOCKED' | 'NODE_NOT_FOUND' | 'NODE_ALREADY_INITIALISED' | 'API_UNREACHABLE' | 'API_BAD_REQUEST'
  // API and operators (issue 10): tokens, Host/Origin guard, limits, fastify's own refusals
  | 'API_UNAUTHORIZED' | 'API_HOST_NOT_ALLOWED' | 'API_ORIGIN_REFUSED' | 'API_NOT_FOUND' | 'API_BODY_TOO_LARGE'
  | 'API_UNSUPPORTED_MEDIA_TYPE' | 'API_RATE_LIMITED' | 'API_BUSY' | 'API_INTERNAL'
  // simulator (src/sim): a run that cannot go on; a scenario's assertion failed
  | 'SIM_STALLED' | 'SIM_ASSERTION_FAILED' | 'SIM_LAB_FAILED'
  | 'NODE_DATA_PERMISSION' | 'NODE_ADDRESS_IN_USE' // field readiness: data folder not writable; a listen or API port taken
  // plates: stolen-vehicle hotlist and plate reads (src/plates, docs/protocol/plates.md)
  | 'PLATES_BAD_PLATE' | 'PLATES_BAD_READ' | 'PLATES_BAD_REPORT' | 'PLATES_TOO_MANY' | 'PLATES_NOT_A_REPORT' | 'PLATES_NO_OPERATOR_KEY'
  // cap: CAP 1.2 / 1.1 XML in and out (src/cap, docs/protocol/cap.md)
  | 'CAP_NOT_XML' | 'CAP_TOO_LARGE' | 'CAP_DOCTYPE_REFUSED' | 'CAP_BAD_NAMESPACE' | 'CAP_MISSING_ELEMENT' | 'CAP_UNEXPECTED_ELEMENT' | 'CAP_BAD_VALUE' | 'CAP_NOT_MAPPABLE'
  | 'NODE_AMBIGUOUS_ID' // field readiness: a short id that names several messages
  | 'NODE_NOT_JOINED' // field readiness: a folder with keys but no trust anchors yet (join-request made it)

export class C5Error extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor (code: ErrorCode, message: string, options: { cause?: unknown, details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'C5Error'
    this.code = code
    if (options.details !== undefined) this.details = options.details
  }

  toJSON (): { code: ErrorCode, message: string, details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) }
  }
}

export function isC5Error (e: unknown, code?: ErrorCode): e is C5Error {
  return e instanceof C5Error && (code === undefined || e.code === code)
}
