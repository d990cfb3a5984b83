/**
 * Small validators for decoded DAG-CBOR values. Each failure is a ROSTER_MALFORMED C5Error
 * whose `details.path` names the field (docs/protocol/roster.md §Errors).
 */
import { C5Error } from '../errors.js'
import { KINDS, PRECEDENCES, type Kind, type Precedence } from '../envelope/types.js'
import { MAX_ORG_CHARS, MAX_SCOPE_ORGS, ORG_CODE_PATTERN } from './constants.js'
import type { IssueScope } from './types.js'

export function malformed (path: string, expected: string, cause?: unknown): C5Error {
  return new C5Error('ROSTER_MALFORMED', `roster field ${path}: expected ${expected}`, {
    details: { path, expected },
    ...(cause === undefined ? {} : { cause })
  })
}

export type Obj = Record<string, unknown>

export function isPlainObject (v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** A map with exactly the allowed keys (required ones present); unknown keys are refused so one document has one meaning. */
export function map (v: unknown, path: string, required: readonly string[], optional: readonly string[] = []): Obj {
  if (!isPlainObject(v)) throw malformed(path, 'a map')
  for (const k of required) if (!(k in v)) throw malformed(`${path}.${k}`, 'a value (required)')
  for (const k of Object.keys(v)) {
    if (!required.includes(k) && !optional.includes(k)) throw malformed(`${path}.${k}`, 'no such field')
  }
  return v
}

export function array (v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw malformed(path, 'an array')
  if (v.length > max) throw malformed(path, `at most ${max} items`)
  return v
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u

export function text (v: unknown, path: string, maxChars: number): string {
  if (typeof v !== 'string') throw malformed(path, 'a text string')
  if (v.length > maxChars) throw malformed(path, `at most ${maxChars} characters`)
  // A lone surrogate has no UTF-8 form: the encoder would silently replace it (with /u, this class matches only lone ones).
  if (LONE_SURROGATE.test(v)) throw malformed(path, 'well-formed Unicode text')
  return v
}

export function uint (v: unknown, path: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw malformed(path, `an integer ≥ ${min} within 2^53`)
  return v
}

export function bytes (v: unknown, path: string, length: number): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== length) throw malformed(path, `${length} bytes`)
  return v
}

export function org (v: unknown, path: string): string {
  const s = text(v, path, MAX_ORG_CHARS)
  if (!ORG_CODE_PATTERN.test(s)) throw malformed(path, 'an org code such as MX-YUC or CNI')
  return s
}

export function oneOf<T extends string> (v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw malformed(path, `one of ${values.join('|')}`)
  return v as T
}

export function kind (v: unknown, path: string): Kind { return oneOf(v, path, KINDS) }
export function precedence (v: unknown, path: string): Precedence { return oneOf(v, path, PRECEDENCES) }

export function scope (v: unknown, path: string): IssueScope {
  if (v === 'national') return 'national'
  const list = array(v, path, MAX_SCOPE_ORGS).map((o, i) => org(o, `${path}[${i}]`))
  if (new Set(list).size !== list.length) throw malformed(path, 'distinct org codes')
  return list
}
