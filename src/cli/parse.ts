/** Parsers for CLI flag values; each throws CLI_BAD_ARGUMENT naming the flag. */
import { readFile } from 'node:fs/promises'
import { C5Error } from '../errors.js'
import { ORG_CODE_PATTERN } from '../envelope/constants.js'
import { fromHex, PUBLIC_KEY_BYTES } from '../identity/keys.js'

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "90s", "30m", "6h", "2d" → ms. */
export function parseDuration (flag: string, v: string): number {
  const m = /^(\d{1,9})([smhd])$/.exec(v)
  if (m === null) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected a duration such as 30m, 6h or 2d, got "${v}"`)
  return Number(m[1]) * UNIT_MS[m[2]]
}

/** An ISO date/time, "now", or a duration from now ("+2d"). */
export function parseTime (flag: string, v: string, now: number): number {
  if (v === 'now') return now
  if (v.startsWith('+')) return now + parseDuration(flag, v.slice(1))
  const t = Date.parse(v)
  if (Number.isNaN(t)) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected an ISO time, "now" or "+DURATION", got "${v}"`)
  return t
}

export function parseOrg (flag: string, v: string): string {
  if (!ORG_CODE_PATTERN.test(v)) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected an org code such as MX-YUC or CNI, got "${v}"`)
  return v
}

/** "national" → [] (national); "MX-YUC,MX-CAM" → the list. */
export function parseScope (flag: string, v: string): string[] {
  if (v === 'national') return []
  return v.split(',').map(s => parseOrg(flag, s.trim()))
}

export function parseParam (v: string, acc: Array<{ name: string, value: string }> = []): Array<{ name: string, value: string }> {
  const i = v.indexOf('=')
  if (i <= 0) throw new C5Error('CLI_BAD_ARGUMENT', `--param: expected name=value, got "${v}"`)
  return [...acc, { name: v.slice(0, i), value: v.slice(i + 1) }]
}

export function parseKey (flag: string, v: string): Uint8Array {
  let k: Uint8Array
  try { k = fromHex(v) } catch { k = new Uint8Array() }
  if (k.length !== PUBLIC_KEY_BYTES) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected a 64-character hex Ed25519 public key`)
  return k
}

export function parseChoice<T extends string> (flag: string, v: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected one of ${choices.join(', ')}, got "${v}"`)
  return v as T
}

export { withArticle } from '../util/words.js'

const FILE_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a folder, not a file' }

/** A file named on the command line: CLI_FILE_UNREADABLE saying which and why. */
export async function readInputFile (what: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path))
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? ''
    throw new C5Error('CLI_FILE_UNREADABLE', `cannot read ${what} ${path}: ${FILE_ERRORS[code] ?? code}`, { cause })
  }
}
