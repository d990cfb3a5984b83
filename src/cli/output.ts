/**
 * CLI output: JSON with --json, short human lines otherwise; errors as one line with the code.
 *
 * Everything shown comes through here, made safe for a terminal (src/util/display.ts: text
 * from other states never reaches it raw) and with times in the operator's time zone with
 * their UTC offset (src/util/time.ts).
 */
import { C5Error } from '../errors.js'
import type { MessageView } from '../node/views.js'
import type { MessageDetail } from '../inbox/detail.js'
import type { DeliveryMatrix } from '../receipts/matrix.js'
import { shortId } from '../util/short-id.js'
import { displaySafe, jsonSafe } from '../util/display.js'
import { formatLocalTime } from '../util/time.js'

export interface Out { json: boolean, write: (s: string) => void }

/** How messages are shown: the zone of their times, the short ids of a list, what acks acknowledge. */
export interface Display {
  timeZone?: string
  /** Short forms for the ids shown together (shortIds); otherwise shortId. */
  short?: Map<string, string>
  /** Headlines of messages that acks and updates in the list refer to. */
  headlines?: Map<string, string>
}

export function emit (out: Out, value: unknown, human: () => string): void {
  out.write(out.json ? jsonSafe(JSON.stringify(value, null, 2)) : displaySafe(human()))
}

/** One line of JSON (inbox --follow --json), safe for a terminal. */
export function jsonLine (value: unknown): string { return jsonSafe(JSON.stringify(value)) }

const MARK: Record<string, string> = { flash: '!!!', immediate: '!! ', priority: '!  ', routine: '   ' }
const one = (s: string): string => displaySafe(s, { oneLine: true })

export function shortOf (id: string, d: Display = {}): string { return d.short?.get(id) ?? shortId(id) }

export function timeOf (ms: number, d: Display = {}): string { return formatLocalTime(ms, d.timeZone) }

/** What a message says, in one line: headline; "UPDATE of …"; "ack of … : note". */
export function messageSummary (m: MessageView, d: Display = {}): string {
  const ref = m.references[0]
  const refText = (r: string): string => { const h = d.headlines?.get(r); return `${shortOf(r, d)}${h === undefined ? '' : ` "${one(h)}"`}` }
  switch (m.kind) {
    case 'alert':
    case 'bulletin': {
      const type = m.content?.msgType ?? 'Alert'
      const head = one(m.content?.headline ?? m.content?.event ?? '(no headline)')
      return type === 'Alert' || ref === undefined ? head : `${type.toUpperCase()} of ${refText(ref)}: ${head}`
    }
    case 'ack': return `ack of ${ref === undefined ? '?' : refText(ref)}${m.note === undefined ? '' : `: ${one(m.note)}`}`
    case 'receipt': return `receipt of ${m.references.length} message${m.references.length === 1 ? '' : 's'}`
    case 'revocation': return `revokes key ${m.revocation?.key.slice(0, 16) ?? '?'}…${m.revocation?.reason === undefined ? '' : `: ${one(m.revocation.reason)}`}`
    case 'roster': return `roster (${m.rosterBytes ?? '?'} bytes)`
    case 'vehicle': {
      const v = m.vehicle
      if (v === undefined) return 'vehicle'
      const what = v.msgType === 'Cancel' ? 'RECUPERADO/CANCELADO' : v.msgType === 'Update' ? 'actualización:' : 'robo de vehículo:'
      return `${what} ${one(v.plate)} (${one(v.plateState)})${v.note === undefined ? '' : `: ${one(v.note)}`}`
    }
  }
}

/** One inbox line: precedence, kind, org, local time, what it says, short id. */
export function messageLine (m: MessageView, d: Display = {}): string {
  const pending = m.pending === true ? '  [NOT SENT YET: stored here, no peer has it]' : ''
  return `${MARK[m.precedence] ?? ''} ${m.precedence.padEnd(9)} ${m.kind.padEnd(8)} ${one(m.org).padEnd(8)} ${timeOf(m.created, d)}  ${messageSummary(m, d)}  ${shortOf(m.id, d)}${pending}`
}

/** A field that may span lines: continuation lines indented under the first. */
function block (label: string, text: string): string {
  return `${label.padEnd(12)}${displaySafe(text).replace(/\r\n|\r|\n/g, '\n' + ' '.repeat(12))}`
}

export function messageDetail (m: MessageView & Partial<MessageDetail>, d: Display = {}): string {
  const lines = [
    `id          ${m.id}  (short: ${shortOf(m.id, d)})`,
    `kind        ${m.kind}${m.content === undefined ? '' : ` (${m.content.msgType})`}`,
    `precedence  ${m.precedence}`,
    `org         ${one(m.org)}`,
    `author      ${m.author}`,
    `created     ${timeOf(m.created, d)}`,
    `expires     ${timeOf(m.expires, d)}`,
    `scope       ${m.scope === 'national' ? 'national' : m.scope.join(', ')}`
  ]
  if (m.pending === true) lines.push('sent        NOT YET: stored here; it leaves when a peer is reached')
  if (m.references.length > 0) {
    const label = m.kind === 'ack' ? 'acknowledges' : m.content?.msgType === 'Update' ? 'updates' : m.content?.msgType === 'Cancel' ? 'cancels' : 'references'
    lines.push(`${(label + ' ').padEnd(12)}${m.references.map(r => `${shortOf(r, d)}${d.headlines?.has(r) === true ? ` "${one(d.headlines.get(r)!)}"` : ''} (${r})`).join(', ')}`)
  }
  const c = m.content
  if (c !== undefined) {
    for (const [k, v] of [['category', c.category], ['event', c.event], ['urgency', c.urgency], ['severity', c.severity], ['certainty', c.certainty], ['headline', c.headline]] as const) {
      if (v !== undefined) lines.push(`${k.padEnd(12)}${one(v)}`)
    }
    if (c.description !== undefined) lines.push(block('description', c.description))
    if (c.instruction !== undefined) lines.push(block('instruction', c.instruction))
    if (c.area !== undefined) lines.push(`area        ${one(c.area.description)}`)
    for (const p of c.parameters ?? []) lines.push(`param       ${one(p.name)}=${one(p.value)}`)
  }
  if (m.note !== undefined) lines.push(`note        ${one(m.note)}`)
  if (m.received !== undefined) lines.push(`received    ${timeOf(m.received, d)} from ${one(m.source ?? '?')}`)
  if (m.acks !== undefined) {
    lines.push(`acks        ${m.acks.length === 0 ? '(none yet)' : ''}`)
    for (const a of m.acks) lines.push(`  ${one(a.org).padEnd(8)} ${timeOf(a.created, d)}${a.note === undefined ? '' : `  ${one(a.note)}`}`)
  }
  if (m.history !== undefined && m.history.length > 1) {
    lines.push(`versions    ${m.cancelled === true ? 'CANCELLED' : m.current === m.id ? 'this is the current version' : `superseded: current is ${shortOf(m.current ?? '?', d)} (${m.current ?? '?'})`}`)
    for (const v of m.history) lines.push(`  ${v.msgType.padEnd(7)} ${timeOf(v.created, d)}  ${one(v.headline ?? '')}  ${shortOf(v.id, d)}${v.id === m.id ? '  (this)' : ''}`)
  }
  if (m.matrix !== undefined) lines.push(...matrixLines(m.matrix, false, d))
  return lines.join('\n')
}

/** The delivery matrix: a summary line, then each org (all of them, or only those past pending). */
export function matrixLines (matrix: DeliveryMatrix, everyRow: boolean, d: Display = {}): string[] {
  const c = matrix.counts
  const lines = [`delivery    ${c.acknowledged} acknowledged, ${c.delivered} delivered, ${c.pending} pending (of ${c.total})`]
  for (const r of matrix.rows) {
    if (!everyRow && r.state === 'pending') continue
    const ack = r.acknowledged === undefined ? '' : `  acknowledged ${timeOf(r.acknowledged.at, d)}${r.acknowledged.note === undefined ? '' : ` "${one(r.acknowledged.note)}"`}`
    const got = r.delivered === undefined ? '' : `  delivered ${timeOf(r.delivered.at, d)} (${one(r.delivered.by)})`
    lines.push(`  ${one(r.org).padEnd(8)} ${r.state.padEnd(12)}${got}${ack}`)
  }
  if (!everyRow && c.pending > 0) lines.push(`  pending: ${matrix.rows.filter(r => r.state === 'pending').map(r => one(r.org)).join(' ')}`)
  return lines
}

/** One clear line for any failure: "error CODE: message" (never more than one line). */
export function errorLine (err: unknown): string {
  if (err instanceof C5Error) return one(`error ${err.code}: ${err.message}`)
  return one(`error INTERNAL: ${(err as Error)?.message ?? String(err)}`)
}
