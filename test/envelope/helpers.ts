import { expect } from 'vitest'
import { isC5Error, type ErrorCode } from '../../src/errors.js'

/** Runs `fn`, expects a C5Error with `code`, returns it (for details checks). */
export function expectCode (fn: () => unknown, code: ErrorCode): Error & { details?: Record<string, unknown> } {
  try {
    fn()
  } catch (e) {
    if (!isC5Error(e)) throw e
    expect(e.code).toBe(code)
    return e
  }
  throw new Error(`expected ${code}, nothing thrown`)
}
