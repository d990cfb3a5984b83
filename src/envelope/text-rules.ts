/**
 * Text rules for messages entering the network (docs/protocol/envelope.md §"Text rules"):
 * what every state's operators will read must be plain text. Checked when a message is
 * composed (composeEnvelope) and when any node ingests one — not by the decoder, so that
 * messages stored under the earlier rules still read (test/fixtures/store-v1), and the wire
 * format and its version do not change.
 *
 *  - one-line fields (headline, event, parameter and geocode names and values, area
 *    description, an ack's note, a revocation's reason, a vehicle report's fields but its
 *    description): no control character at all
 *    (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F), no line or paragraph separator;
 *  - multi-line fields (description, instruction, vehicle.description): TAB, LF and CR allowed, no other control;
 *  - every text: no bidirectional embedding, override or isolate (U+202A–U+202E,
 *    U+2066–U+2069): they reorder what is displayed;
 *  - a headline (optional, as in CAP) is not blank, and at most MAX_HEADLINE_BYTES of
 *    UTF-8 (CAP advises 160 characters).
 *
 * Each refusal is ENVELOPE_BAD_FIELD (ENVELOPE_LIMIT_EXCEEDED for a long headline) naming
 * the field and the first offending character.
 */
import { C5Error } from '../errors.js'
import type { UnsignedEnvelope } from './types.js'

/** Longest headline, UTF-8 bytes: 160 characters of Spanish with room to spare. */
export const MAX_HEADLINE_BYTES = 256

const ONE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

function refuse (field: string, s: string, re: RegExp): void {
  const m = re.exec(s)
  if (m === null) return
  const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')
  const what = re === ONE_LINE_FORBIDDEN ? 'a one-line field takes no control characters or line breaks' : 'takes no control characters but tab and line breaks'
  throw new C5Error('ENVELOPE_BAD_FIELD', `${field}: ${what} (U+${code} at character ${m.index + 1})`, { details: { field, char: `U+${code}`, at: m.index } })
}

const oneLine = (field: string, s: string | undefined): void => { if (s !== undefined) refuse(field, s, ONE_LINE_FORBIDDEN) }
const multiLine = (field: string, s: string | undefined): void => { if (s !== undefined) refuse(field, s, MULTI_LINE_FORBIDDEN) }

/** Throws the first rule `u` breaks (see file doc). Cheap: a few regex scans. */
export function checkTextRules (u: Pick<UnsignedEnvelope, 'kind' | 'content' | 'note' | 'revocation' | 'vehicle'>): void {
  const c = u.content
  if (c !== undefined) {
    const h = c.headline
    if (h !== undefined && h.trim() === '') throw new C5Error('ENVELOPE_BAD_FIELD', 'content.headline: must not be blank: one line saying what it is', { details: { field: 'content.headline' } })
    if (h !== undefined && h.length * 3 > MAX_HEADLINE_BYTES && Buffer.byteLength(h, 'utf8') > MAX_HEADLINE_BYTES) {
      throw new C5Error('ENVELOPE_LIMIT_EXCEEDED', `content.headline: longer than ${MAX_HEADLINE_BYTES} bytes (${Buffer.byteLength(h, 'utf8')}): keep it to one line, put the rest in the description`, { details: { field: 'content.headline', limit: 'maxHeadlineBytes', max: MAX_HEADLINE_BYTES } })
    }
    oneLine('content.headline', h)
    oneLine('content.event', c.event)
    multiLine('content.description', c.description)
    multiLine('content.instruction', c.instruction)
    c.parameters?.forEach((p, i) => { oneLine(`content.parameters[${i}].name`, p.name); oneLine(`content.parameters[${i}].value`, p.value) })
    if (c.area !== undefined) {
      oneLine('content.area.description', c.area.description)
      c.area.geocodes?.forEach((g, i) => { oneLine(`content.area.geocodes[${i}].name`, g.name); oneLine(`content.area.geocodes[${i}].value`, g.value) })
    }
  }
  const v = u.vehicle
  if (v !== undefined) {
    for (const f of ['plate', 'plateState', 'vin', 'make', 'model', 'colour', 'caseNumber', 'place', 'note'] as const) oneLine(`vehicle.${f}`, v[f])
    multiLine('vehicle.description', v.description)
  }
  oneLine('note', u.note)
  oneLine('revocation.reason', u.revocation?.reason)
}
