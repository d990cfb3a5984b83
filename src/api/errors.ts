/**
 * Error codes → HTTP statuses, and the one error shape of every answer:
 * `{ code, message, field? }` — fastify's own errors (404, 413, 415, bad JSON) included.
 */
import { C5Error, type ErrorCode } from '../errors.js'

const STATUS: Partial<Record<ErrorCode, number>> = {
  INGEST_DUPLICATE: 409,
  INGEST_TOMBSTONED: 409,
  NODE_NOT_FOUND: 404,
  API_NOT_FOUND: 404,
  CLI_BAD_ARGUMENT: 400,
  API_BAD_REQUEST: 400,
  NODE_AMBIGUOUS_ID: 400,
  API_UNAUTHORIZED: 401,
  API_HOST_NOT_ALLOWED: 403,
  API_ORIGIN_REFUSED: 403,
  ENVELOPE_TOO_LARGE: 413,
  API_BODY_TOO_LARGE: 413,
  API_UNSUPPORTED_MEDIA_TYPE: 415,
  API_RATE_LIMITED: 429,
  STORE_LOCKED: 423,
  NODE_LOCKED: 423,
  STORE_WRITE_FAILED: 503,
  API_BUSY: 503
}

export function httpStatusOf (code: ErrorCode | string): number {
  const s = STATUS[code as ErrorCode]
  if (s !== undefined) return s
  if (code === 'PLATES_TOO_MANY' || code === 'CAP_TOO_LARGE') return 413
  // plates and CAP (docs/protocol/plates.md, cap.md): bad input is the client's to fix
  if (code === 'PLATES_NO_OPERATOR_KEY') return 503
  if (code.startsWith('PLATES_') || code.startsWith('CAP_')) return 400
  if (code.startsWith('ENVELOPE_')) return 422
  if (code.startsWith('ROSTER_')) return 403
  if (code === 'BUNDLE_UNKNOWN_NODE' || code === 'BUNDLE_BAD_SIGNATURE') return 403
  if (code.startsWith('BUNDLE_')) return 422
  // quotas (roster.md §6.1): the author's rate is spent for this window; a lifetime is content
  if (code === 'QUOTA_EXCEEDED') return 429
  if (code === 'QUOTA_LIFETIME_EXCEEDED') return 422
  return 500
}

/** fastify's own error codes, as ours. */
const FASTIFY: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'API_NOT_FOUND'
}

export interface ErrorBody { code: string, message: string, field?: string, details?: Record<string, unknown> }

export function errorBody (err: unknown): { status: number, body: ErrorBody } {
  if (err instanceof C5Error) {
    const field = err.details?.field
    // The command line's codes are the command line's: a client of the API fixes its request.
    if (err.code.startsWith('CLI_')) return { status: 400, body: { code: 'API_BAD_REQUEST', message: err.message, ...(typeof field === 'string' ? { field } : {}) } }
    return { status: httpStatusOf(err.code), body: { code: err.code, message: err.message, ...(typeof field === 'string' ? { field } : {}), ...(err.details === undefined ? {} : { details: err.details }) } }
  }
  const e = err as { code?: string, statusCode?: number, message?: string }
  const mapped = e.code === undefined ? undefined : FASTIFY[e.code]
  if (mapped !== undefined) {
    const status = httpStatusOf(mapped)
    return { status, body: { code: mapped, message: e.message ?? mapped, ...(mapped === 'API_BAD_REQUEST' ? { field: 'body' } : {}) } }
  }
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500
  if (status < 500) return { status, body: { code: status === 404 ? 'API_NOT_FOUND' : status === 413 ? 'API_BODY_TOO_LARGE' : status === 415 ? 'API_UNSUPPORTED_MEDIA_TYPE' : 'API_BAD_REQUEST', message: e.message ?? 'bad request' } }
  return { status, body: { code: 'API_INTERNAL', message: 'the node failed to answer (see its log)' } }
}
