/**
 * Mexican plate text, normalised and folded (docs/protocol/plates.md §"Plates").
 *
 * normalisePlate: what operators, cameras and reports write — "yuc-123-a", "YUC 123 A",
 * "Yuc.123.A" — becomes one key, "YUC123A": upper case, accents folded (Ñ → N), and every
 * character that is not a letter or digit dropped. 2–10 characters remain, or it is not a
 * plate (PLATES_BAD_PLATE).
 *
 * skeletonOf: the same text with each group of characters that OCR confuses folded to one
 * (0/O/D/Q → 0, 1/I → 1, 8/B → 8, 5/S → 5, 2/Z → 2). Two plates with the same skeleton
 * and different text are a "possible" match, never a certain one.
 */
import { C5Error } from '../errors.js'
import { PLATE_MIN_CHARS, PLATE_MAX_CHARS, PLATE_INPUT_MAX_CHARS } from './constants.js'

/** ASCII code → normalised code: 0 drop (separator), -1 refuse, else the character. */
const ASCII = new Int16Array(128).fill(-1)
for (let c = 0x30; c <= 0x39; c++) ASCII[c] = c
for (let c = 0x41; c <= 0x5a; c++) { ASCII[c] = c; ASCII[c + 0x20] = c }
for (const sep of ' -._/\t·') if (sep.charCodeAt(0) < 128) ASCII[sep.charCodeAt(0)] = 0

/** OCR confusion groups, folded to their first member (docs/protocol/plates.md). */
export const OCR_CONFUSIONS: readonly string[] = ['0ODQ', '1I', '8B', '5S', '2Z']
const FOLD = new Uint8Array(128)
for (let c = 0; c < 128; c++) FOLD[c] = c
for (const group of OCR_CONFUSIONS) for (const ch of group) FOLD[ch.charCodeAt(0)] = group.charCodeAt(0)

function bad (input: unknown, why: string): never {
  throw new C5Error('PLATES_BAD_PLATE', `not a plate: ${why}`, { details: { plate: typeof input === 'string' ? input.slice(0, PLATE_INPUT_MAX_CHARS) : typeof input } })
}

/** Whether `s` is already normalised (the common case for camera reads): no allocation. */
function isNormal (s: string): boolean {
  const n = s.length
  if (n < PLATE_MIN_CHARS || n > PLATE_MAX_CHARS) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a))) return false
  }
  return true
}

/** The normalised plate, or PLATES_BAD_PLATE naming why. */
export function normalisePlate (input: unknown): string {
  if (typeof input !== 'string') bad(input, 'must be text')
  if (isNormal(input)) return input
  if (input.length > PLATE_INPUT_MAX_CHARS) bad(input, `longer than ${PLATE_INPUT_MAX_CHARS} characters`)
  // Non-ASCII: fold accents (NFD, then drop combining marks), so "Ñ" or "É" read as N or E.
  const s = /[^\x00-\x7f]/.test(input) ? input.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : input
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const m = c < 128 ? ASCII[c] : -1
    if (m < 0) bad(input, `character ${JSON.stringify(s[i])} is not a letter, digit, space or dash`)
    if (m > 0) out += String.fromCharCode(m)
  }
  if (out.length < PLATE_MIN_CHARS || out.length > PLATE_MAX_CHARS) bad(input, `${PLATE_MIN_CHARS}–${PLATE_MAX_CHARS} letters and digits expected, found ${out.length}`)
  return out
}

/** normalisePlate, or undefined instead of an error (camera candidates that are noise). */
export function tryNormalisePlate (input: unknown): string | undefined {
  if (typeof input === 'string' && isNormal(input)) return input
  try { return normalisePlate(input) } catch { return undefined }
}

/** The OCR skeleton of a NORMALISED plate; returns `plate` itself when nothing folds. */
export function skeletonOf (plate: string): string {
  let i = 0
  const n = plate.length
  for (; i < n; i++) { const c = plate.charCodeAt(i); if (FOLD[c] !== c) break }
  if (i === n) return plate
  let out = plate.slice(0, i)
  for (; i < n; i++) out += String.fromCharCode(FOLD[plate.charCodeAt(i)])
  return out
}
