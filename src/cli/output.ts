/** CLI output: JSON with --json, short human lines otherwise; errors as one line with the code. */
import { C5Error } from '../errors.js'
import type { MessageView } from '../node/views.js'
import type { MessageDetail } from '../inbox/detail.js'
import type { DeliveryMatrix } from '../receipts/matrix.js'

export interface Out { json: boolean, write: (s: string) => void }

export function emit (out: Out, value: unknown, human: () => string): void {
  out.write(out.json ? JSON.stringify(value, null, 2) : human())
}

const MARK: Record<string, string> = { flash: '!!!', immediate: '!! ', priority: '!  ', routine: '   ' }

export function messageLine (m: MessageView): string {
  const what = m.content?.headline ?? (m.vehicle === undefined ? undefined : `${m.vehicle.msgType === 'Cancel' ? 'RECUPERADO/CANCELADO' : m.vehicle.msgType === 'Update' ? 'actualización:' : 'robo de vehículo:'} ${m.vehicle.plate} (${m.vehicle.plateState})`) ?? m.note ?? (m.kind === 'revocation' ? `revokes ${m.revocation?.key.slice(0, 16)}…` : m.kind)
  return `${MARK[m.precedence] ?? ''} ${m.precedence.padEnd(9)} ${m.kind.padEnd(8)} ${m.org.padEnd(8)} ${m.createdIso.slice(0, 19).replace('T', ' ')}  ${what}  ${m.id}`
}

export function messageDetail (m: MessageView & Partial<MessageDetail>): string {
  const lines = [
    `id          ${m.id}`,
    `kind        ${m.kind}${m.content === undefined ? '' : ` (${m.content.msgType})`}`,
    `precedence  ${m.precedence}`,
    `org         ${m.org}`,
    `author      ${m.author}`,
    `created     ${m.createdIso}`,
    `expires     ${m.expiresIso}`,
    `scope       ${m.scope === 'national' ? 'national' : m.scope.join(', ')}`
  ]
  if (m.references.length > 0) lines.push(`references  ${m.references.join(', ')}`)
  const c = m.content
  if (c !== undefined) {
    for (const [k, v] of [['category', c.category], ['event', c.event], ['urgency', c.urgency], ['severity', c.severity], ['certainty', c.certainty], ['headline', c.headline], ['description', c.description], ['instruction', c.instruction]] as const) {
      if (v !== undefined) lines.push(`${k.padEnd(12)}${v}`)
    }
    if (c.area !== undefined) lines.push(`area        ${c.area.description}`)
    for (const p of c.parameters ?? []) lines.push(`param       ${p.name}=${p.value}`)
  }
  if (m.note !== undefined) lines.push(`note        ${m.note}`)
  if (m.received !== undefined) lines.push(`received    ${new Date(m.received).toISOString()} from ${m.source ?? '?'}`)
  if (m.acks !== undefined) {
    lines.push(`acks        ${m.acks.length === 0 ? '(none yet)' : ''}`)
    for (const a of m.acks) lines.push(`  ${a.org.padEnd(8)} ${new Date(a.created).toISOString()}${a.note === undefined ? '' : `  ${a.note}`}`)
  }
  if (m.history !== undefined && m.history.length > 1) {
    lines.push(`versions    ${m.cancelled === true ? 'CANCELLED' : m.current === m.id ? 'this is the current version' : `superseded: current is ${m.current}`}`)
    for (const v of m.history) lines.push(`  ${v.msgType.padEnd(7)} ${new Date(v.created).toISOString()}  ${v.headline ?? ''}  ${v.id}${v.id === m.id ? '  (this)' : ''}`)
  }
  if (m.matrix !== undefined) lines.push(...matrixLines(m.matrix, false))
  return lines.join('\n')
}

const ISO = (t: number): string => new Date(t).toISOString().slice(0, 19).replace('T', ' ')

/** The delivery matrix: a summary line, then each org (all of them, or only those past pending). */
export function matrixLines (matrix: DeliveryMatrix, everyRow: boolean): string[] {
  const c = matrix.counts
  const lines = [`delivery    ${c.acknowledged} acknowledged, ${c.delivered} delivered, ${c.pending} pending (of ${c.total})`]
  for (const r of matrix.rows) {
    if (!everyRow && r.state === 'pending') continue
    const ack = r.acknowledged === undefined ? '' : `  acknowledged ${ISO(r.acknowledged.at)}${r.acknowledged.note === undefined ? '' : ` "${r.acknowledged.note}"`}`
    const got = r.delivered === undefined ? '' : `  delivered ${ISO(r.delivered.at)} (${r.delivered.by})`
    lines.push(`  ${r.org.padEnd(8)} ${r.state.padEnd(12)}${got}${ack}`)
  }
  if (!everyRow && c.pending > 0) lines.push(`  pending: ${matrix.rows.filter(r => r.state === 'pending').map(r => r.org).join(' ')}`)
  return lines
}

/** One clear line for any failure: "error CODE: message". */
export function errorLine (err: unknown): string {
  if (err instanceof C5Error) return `error ${err.code}: ${err.message}`
  return `error INTERNAL: ${(err as Error)?.message ?? String(err)}`
}
