/**
 * Small field checkers shared by the schema (schema.ts, content.ts). Each throws
 * ENVELOPE_BAD_FIELD or ENVELOPE_LIMIT_EXCEEDED with `details.field` naming the field.
 */
import { C5Error } from '../errors.js'
import { ORG_CODE_PATTERN } from './constants.js'

export function badField (field: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new C5Error('ENVELOPE_BAD_FIELD', `${field}: ${message}`, { details: { field, ...extra } })
}

export function tooMany (field: string, limit: string, max: number): never {
  throw new C5Error('ENVELOPE_LIMIT_EXCEEDED', `${field}: more than ${max} entries`, { details: { field, limit, max } })
}

export function isPlainArray (v: unknown): v is unknown[] { return Array.isArray(v) }

export function checkArray (field: string, v: unknown, max: number, limit: string): unknown[] {
  if (!Array.isArray(v)) badField(field, 'must be an array')
  if (v.length > max) tooMany(field, limit, max)
  return v
}

export function checkBytes (field: string, v: unknown, ...lengths: number[]): Uint8Array {
  if (!(v instanceof Uint8Array)) badField(field, 'must be bytes')
  if (lengths.length > 0 && !lengths.includes(v.length)) badField(field, `must be ${lengths.join(' or ')} bytes`, { length: v.length })
  return v
}

export function checkText (field: string, v: unknown, maxBytes: number): string {
  if (typeof v !== 'string') badField(field, 'must be a string')
  // A lone surrogate would not survive UTF-8 encoding: the signed bytes would differ.
  if (!(v as string & { isWellFormed: () => boolean }).isWellFormed()) badField(field, 'must be well-formed Unicode')
  // The decoder drops a leading U+FEFF, so such text could never arrive as it was signed.
  if (v.charCodeAt(0) === 0xfeff) badField(field, 'must not start with a byte-order mark (U+FEFF)')
  // Cheap bound first (≤ 3 UTF-8 bytes per UTF-16 unit), exact count only when needed.
  if (v.length * 3 > maxBytes && Buffer.byteLength(v, 'utf8') > maxBytes) {
    throw new C5Error('ENVELOPE_LIMIT_EXCEEDED', `${field}: longer than ${maxBytes} UTF-8 bytes`, { details: { field, limit: 'maxStringBytes', max: maxBytes } })
  }
  return v
}

export function checkUint (field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) badField(field, 'must be a safe integer')
  if (v < min || v > max) badField(field, `must be in [${min}, ${max}]`, { value: v })
  return v
}

export function checkOrgCode (field: string, v: unknown): string {
  if (typeof v !== 'string' || !ORG_CODE_PATTERN.test(v)) badField(field, 'must be an org code such as MX-YUC or CNI')
  return v
}

/** Index of `v` in `table`, or BAD_FIELD. */
export function indexIn<T extends string> (field: string, table: readonly T[], v: unknown): number {
  const i = table.indexOf(v as T)
  if (i < 0) badField(field, `must be one of ${table.join(', ')}`)
  return i
}

/** `table[i]`, or BAD_FIELD when `i` is not a valid index. */
export function fromIndex<T extends string> (field: string, table: readonly T[], i: unknown): T {
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= table.length) badField(field, `index out of range (0..${table.length - 1})`)
  return table[i]
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
