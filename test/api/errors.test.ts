/** HTTP statuses of error codes (docs/protocol/node.md): clients decide to retry on them. */
import { describe, expect, it } from 'vitest'
import { errorBody, httpStatusOf } from '../../src/api/errors.js'
import { C5Error } from '../../src/errors.js'

describe('httpStatusOf', () => {
  it('maps each class of error to the status a client acts on', () => {
    expect(httpStatusOf('INGEST_DUPLICATE')).toBe(409)
    expect(httpStatusOf('INGEST_TOMBSTONED')).toBe(409)
    expect(httpStatusOf('NODE_NOT_FOUND')).toBe(404)
    expect(httpStatusOf('API_BAD_REQUEST')).toBe(400)
    expect(httpStatusOf('ENVELOPE_TOO_LARGE')).toBe(413)
    expect(httpStatusOf('ENVELOPE_BAD_FIELD')).toBe(422)
    expect(httpStatusOf('ROSTER_KEY_REVOKED')).toBe(403)
    expect(httpStatusOf('QUOTA_EXCEEDED')).toBe(429)
    expect(httpStatusOf('QUOTA_LIFETIME_EXCEEDED')).toBe(422)
    expect(httpStatusOf('STORE_LOCKED')).toBe(423)
    // A full disk: the node is fine otherwise and recovers by itself, so "retry later".
    expect(httpStatusOf('STORE_WRITE_FAILED')).toBe(503)
    expect(httpStatusOf('INGEST_INTERNAL')).toBe(500)
    // plates and CAP: the client's input; too much of it; no key to sign hits with
    expect(httpStatusOf('PLATES_BAD_READ')).toBe(400)
    expect(httpStatusOf('PLATES_TOO_MANY')).toBe(413)
    expect(httpStatusOf('PLATES_NO_OPERATOR_KEY')).toBe(503)
    expect(httpStatusOf('CAP_MISSING_ELEMENT')).toBe(400)
    expect(httpStatusOf('CAP_TOO_LARGE')).toBe(413)
  })

  it('never answers with a command-line code: a CLI_ error reaching the API is 400 API_BAD_REQUEST, its field kept', () => {
    expect(errorBody(new C5Error('CLI_BAD_ARGUMENT', 'limit: too big', { details: { field: 'limit' } }))).toEqual({ status: 400, body: { code: 'API_BAD_REQUEST', message: 'limit: too big', field: 'limit' } })
    expect(errorBody(new C5Error('CLI_FILE_UNREADABLE', 'x: no such file')).body.code).toBe('API_BAD_REQUEST')
  })
})
