/**
 * Loading the node config (docs/protocol/links.md "Configuration"): config/default.json,
 * then each --config file in order, then C5MESH_* environment variables, then explicit
 * overrides; validated once at the end. The only place process environment is read — and
 * only the `env` object passed in, never process.env itself.
 */
import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { C5Error } from '../errors.js'
import { CONFIG_FIELDS, FIELDS_BY_PATH, envVarName, type EnvKind } from './fields.js'
import { configSchema, type NodeConfig } from './schema.js'
import { projectPath } from '../util/root.js'

/** The defaults shipped with the code. */
export const DEFAULT_CONFIG_FILE = projectPath('config', 'default.json')

export interface LoadConfigOptions {
  /** One config file merged over the defaults (the --config flag). */
  file?: string
  /** Several files merged in order (e.g. the data folder's config.json, then --config). After `file`. */
  files?: string[]
  /** Environment to read C5MESH_* variables from (pass process.env from the entry point). */
  env?: Record<string, string | undefined>
  /** Values merged last, e.g. from command-line flags. */
  overrides?: Record<string, unknown>
  /** Defaults file (default: config/default.json beside the code). */
  defaultsFile?: string
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Objects merge key by key; anything else (arrays included) replaces. */
export function mergeConfig (base: Json, over: Json): Json {
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue
    out[k] = isObject(v) && isObject(out[k]) ? mergeConfig(out[k] as Json, v) : v
  }
  return out
}

/** Reads a JSON object file: CONFIG_NOT_FOUND when missing, CONFIG_INVALID when unreadable or not an object. */
export async function readConfigFile (path: string): Promise<Json> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new C5Error('CONFIG_NOT_FOUND', `config file not found: ${path}`, { cause, details: { file: path } })
    throw new C5Error('CONFIG_INVALID', `cannot read config file ${path}: ${(cause as Error).message}`, { cause, details: { file: path } })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new C5Error('CONFIG_INVALID', `${path}: not valid JSON (${(cause as Error).message})`, { cause, details: { file: path } })
  }
  if (!isObject(value)) throw new C5Error('CONFIG_INVALID', `${path}: expected a JSON object at the top level`, { details: { file: path } })
  return value
}

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])

/** Text → value; text that does not parse is kept as text, so validation names it. */
function parseEnvValue (kind: EnvKind, text: string): unknown {
  const t = text.trim()
  switch (kind) {
    case 'int': return /^-?\d+$/.test(t) ? Number(t) : text
    case 'bool': return TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : text
    case 'list': return t === '' ? [] : t.split(',').map(s => s.trim()).filter(s => s !== '')
    case 'string': return text
    case 'json': try { return JSON.parse(t) } catch { return text }
  }
}

/** The C5MESH_* variables that name a field, as a partial config. Other variables are ignored. */
export function configFromEnv (env: Record<string, string | undefined>): Json {
  let out: Json = {}
  for (const f of CONFIG_FIELDS) {
    const text = env[envVarName(f.path)]
    if (text === undefined) continue
    const value = parseEnvValue(f.env, text)
    const patch = f.path.split('.').reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Json
    out = mergeConfig(out, patch)
  }
  return out
}

function show (v: unknown): string {
  if (v === undefined) return 'nothing'
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

function valueAt (obj: unknown, path: PropertyKey[]): unknown {
  let cur = obj
  for (const k of path) cur = isObject(cur) || Array.isArray(cur) ? (cur as Json)[k as string] : undefined
  return cur
}

interface Problem { path: string, expected: string, got: string }

function describeIssue (issue: z.core.$ZodIssue, input: unknown): Problem[] {
  const dotted = issue.path.filter(k => typeof k === 'string').join('.')
  if (issue.code === 'unrecognized_keys') {
    // The full path, list indexes included (radio.0.typo), so the operator finds the entry.
    const where = issue.path.map(String).join('.')
    return issue.keys.map(k => {
      const path = where === '' ? k : `${where}.${k}`
      return { path, expected: 'no such setting (unknown key)', got: show(valueAt(input, [...issue.path, k])) }
    })
  }
  const field = FIELDS_BY_PATH.get(dotted)
  const expected = field?.expected ?? (issue.code === 'invalid_type' ? `${issue.expected === 'object' ? 'an object' : issue.expected}` : issue.message)
  // For a list element, point at the element but show what the field expects.
  const where = issue.path.map(String).join('.')
  return [{ path: where === '' ? '(top level)' : where, expected, got: show(valueAt(input, issue.path)) }]
}

function invalid (problems: Problem[]): C5Error {
  const text = problems.map(p => `${p.path}: expected ${p.expected}, got ${p.got}`).join('; ')
  return new C5Error('CONFIG_INVALID', text, { details: { problems } })
}

/** Checks that involve two fields. */
function crossChecks (c: NodeConfig): Problem[] {
  const out: Problem[] = []
  if (c.trustAnchors !== undefined && c.trustAnchors.threshold > c.trustAnchors.keys.length) {
    out.push({ path: 'trustAnchors.threshold', expected: `at most ${c.trustAnchors.keys.length} (the number of trustAnchors.keys)`, got: show(c.trustAnchors.threshold) })
  }
  if (c.reconnect.maxBackoffMs < c.reconnect.minBackoffMs) {
    out.push({ path: 'reconnect.maxBackoffMs', expected: `at least reconnect.minBackoffMs (${c.reconnect.minBackoffMs})`, got: show(c.reconnect.maxBackoffMs) })
  }
  return out
}

/** Validates a merged config object. Throws C5Error CONFIG_INVALID naming each bad field. */
export function validateConfig (input: unknown): NodeConfig {
  const r = configSchema.safeParse(input)
  if (!r.success) throw invalid(r.error.issues.flatMap(i => describeIssue(i, input)))
  const config = r.data as unknown as NodeConfig
  const problems = crossChecks(config)
  if (problems.length > 0) throw invalid(problems)
  return config
}

/**
 * defaults ← file ← files… ← C5MESH_* env ← overrides, then validation.
 * Throws CONFIG_NOT_FOUND for a missing file, CONFIG_INVALID for anything else wrong.
 */
export async function loadConfig (options: LoadConfigOptions = {}): Promise<NodeConfig> {
  let merged = await readConfigFile(options.defaultsFile ?? DEFAULT_CONFIG_FILE)
  const files = [...(options.file === undefined ? [] : [options.file]), ...(options.files ?? [])]
  for (const f of files) merged = mergeConfig(merged, await readConfigFile(f))
  merged = mergeConfig(merged, configFromEnv(options.env ?? {}))
  if (options.overrides !== undefined) {
    if (!isObject(options.overrides)) throw new C5Error('CONFIG_INVALID', 'overrides: expected an object')
    merged = mergeConfig(merged, options.overrides)
  }
  return validateConfig(merged)
}
