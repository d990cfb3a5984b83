/** Error codes → HTTP statuses (README "Error codes"). Unknown codes are 500. */
import type { ErrorCode } from '../errors.js'

export function httpStatusOf (code: ErrorCode | string): number {
  if (code === 'INGEST_DUPLICATE' || code === 'INGEST_TOMBSTONED') return 409
  if (code === 'NODE_NOT_FOUND') return 404
  if (code === 'CLI_BAD_ARGUMENT' || code === 'API_BAD_REQUEST' || code === 'NODE_AMBIGUOUS_ID') return 400
  if (code === 'ENVELOPE_TOO_LARGE' || code === 'PLATES_TOO_MANY' || code === 'CAP_TOO_LARGE') return 413
  // plates and CAP (docs/protocol/plates.md, cap.md): bad input is the client's to fix
  if (code === 'PLATES_NO_OPERATOR_KEY') return 503
  if (code.startsWith('PLATES_') || code.startsWith('CAP_')) return 400
  if (code.startsWith('ENVELOPE_')) return 422
  if (code.startsWith('ROSTER_')) return 403
  if (code === 'STORE_LOCKED' || code === 'NODE_LOCKED') return 423
  if (code === 'STORE_WRITE_FAILED') return 503
  return 500
}
