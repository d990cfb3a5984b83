/**
 * Text from other nodes, made safe for a terminal. Alerts, notes, names and org labels are
 * written by other states; printed raw, an ESC sequence could recolour, move or hide lines
 * on every operator's screen, a newline could forge an inbox line, and a bidirectional
 * override could reverse what is read. Every such character becomes a visible stand-in:
 *
 *   C0 controls (U+0000–U+001F) → their control pictures (␛ for ESC, ␇ for BEL …)
 *   DEL (U+007F) → ␡; C1 controls (U+0080–U+009F), bidi overrides and isolates → U+FFFD
 *   with `oneLine`: LF, CR, U+2028/U+2029 → ␤ and TAB → one space; otherwise LF and TAB stay
 *
 * The envelope already refuses controls in new messages (docs/protocol/envelope.md "Text
 * rules"); this is for everything older, for fields the rules leave multi-line, and for any
 * text whatever its origin.
 */

// C0 except TAB/LF, DEL, C1, the bidi embeddings/overrides (U+202A–U+202E), isolates
// (U+2066–U+2069) and the Arabic letter mark (U+061C).
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c]/g
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u061c]/g
const REPLACEMENT = '\ufffd'

function standIn (ch: string): string {
  const c = ch.charCodeAt(0)
  if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return '\u2424' // ␤
  if (c === 0x09) return ' '
  if (c < 0x20) return String.fromCharCode(0x2400 + c)
  if (c === 0x7f) return '\u2421' // ␡
  return REPLACEMENT
}

/** `s` with every character that could act on a terminal replaced by a visible stand-in. */
export function displaySafe (s: string, options: { oneLine?: boolean } = {}): string {
  return s.replace(options.oneLine === true ? UNSAFE_ONE_LINE : UNSAFE, standIn)
}

/**
 * JSON text with C1 controls and bidi characters escaped (JSON.stringify escapes only C0):
 * `--json` output is still read on terminals.
 */
export function jsonSafe (json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u061c]/g, ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
