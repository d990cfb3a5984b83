/**
 * Scenario errors for people: `FILE: FIELD: what was expected`, with FIELD the dotted path a
 * tester finds in the file (`timeline.3.cut.region`). zod's issues are turned into one line.
 */
import type { z } from 'zod'
import { C5Error } from '../../errors.js'

export function scenarioError (file: string, field: string, expected: string): C5Error {
  return new C5Error('CONFIG_INVALID', `${file}: ${field === '' ? '(whole file)' : field}: ${expected}`, { details: { file, field } })
}

type Issue = z.core.$ZodIssue

const kindOf = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v === 'string' ? `"${v}"` : String(v)

/** Reads a value at a path of the input (to say what was found). */
function at (input: unknown, path: PropertyKey[]): unknown {
  let v = input
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined
  return v
}

const TYPE_WORDS: Record<string, string> = { string: 'a text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping (field: value)', int: 'a whole number' }

function describe (issue: Issue, input: unknown): { path: PropertyKey[], message: string } {
  const path = issue.path
  switch (issue.code) {
    case 'unrecognized_keys':
      return { path: [...path, issue.keys[0]], message: `unknown field "${String(issue.keys[0])}" (misspelt, or not in this place; see docs/SIMULATOR.md)` }
    case 'invalid_type': {
      const found = at(input, path)
      if (found === undefined) return { path, message: `missing: expected ${TYPE_WORDS[issue.expected] ?? issue.expected}` }
      return { path, message: `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${kindOf(found)}` }
    }
    case 'invalid_union': {
      // The alternative that got furthest names the real problem; if none did, list them.
      const branches = issue.errors.filter(b => b.length > 0)
      const deepest = branches.map(b => b[0]).sort((x, y) => y.path.length - x.path.length)[0]
      if (deepest !== undefined && deepest.path.length > 0) return describe({ ...deepest, path: [...path, ...deepest.path] } as Issue, input)
      const wanted = [...new Set(branches.map(b => b[0]).map(i => i.code === 'invalid_type' ? (TYPE_WORDS[i.expected] ?? i.expected) : i.message.replace(/^Invalid input: /, '')))]
      return { path, message: `expected ${wanted.join(' or ')}, got ${kindOf(at(input, path))}` }
    }
    case 'invalid_value':
      return { path, message: `expected one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}, got ${kindOf(at(input, path))}` }
    case 'too_small':
      return { path, message: issue.origin === 'array' ? `expected at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? 'expected a non-empty text' : `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}` }
    case 'too_big':
      return { path, message: issue.origin === 'array' ? `expected at most ${String(issue.maximum)} item(s)` : issue.origin === 'string' ? `expected at most ${String(issue.maximum)} characters` : `expected at most ${String(issue.maximum)}` }
    default:
      return { path, message: issue.message.replace(/^Invalid input: /, '') }
  }
}

/** The first issue as a CONFIG_INVALID naming file and field. */
export function fromZod (file: string, error: z.ZodError, input: unknown): C5Error {
  const d = describe(error.issues[0], input)
  return scenarioError(file, d.path.map(String).join('.'), d.message)
}
