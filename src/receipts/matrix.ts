/**
 * The delivery matrix of one alert or bulletin (docs/protocol/receipts.md §3), pure: for
 * every org in its scope, pending → delivered → acknowledged, each step backed by a signed
 * message that this node holds — a node's receipt naming it (delivered), an operator's ack
 * of it (acknowledged, which implies delivered), or the message itself for its own org.
 *
 * A row only moves forward: it is a function of a set of signed messages, and that set only
 * grows while the alert lives (receipts and acks expire no earlier than what they name).
 * No step is ever inferred from time.
 */
import { MX_STATE_CODES } from './orgs.js'

export type DeliveryState = 'pending' | 'delivered' | 'acknowledged'

export interface MatrixMessage { id: string, org: string, created: number, scope: string[] | 'national' }
export interface ReceiptEvidence { id: string, org: string, created: number }
export interface AckEvidence { id: string, org: string, created: number, author: string, note?: string }

export interface MatrixRow {
  org: string
  state: DeliveryState
  /** The earliest proof of delivery: a receipt, an ack, or (own org) the message itself. */
  delivered?: { at: number, id: string, by: 'origin' | 'receipt' | 'ack' }
  /** The earliest ack from this org. */
  acknowledged?: { at: number, id: string, author: string, note?: string }
}

export interface DeliveryMatrix {
  rows: MatrixRow[]
  counts: Record<DeliveryState, number> & { total: number }
}

/**
 * The rows of a message: each listed org, or for national scope every state and every
 * agency known to the roster (`agencies`). Evidence from an org outside the scope is kept
 * as an extra row: a state that received it says so, even if not addressed.
 */
export function matrixOrgs (message: Pick<MatrixMessage, 'scope'>, agencies: readonly string[]): string[] {
  if (message.scope !== 'national') return [...new Set(message.scope)]
  return [...MX_STATE_CODES, ...[...new Set(agencies)].filter(a => !MX_STATE_CODES.includes(a)).sort()]
}

function earliest<T extends { created: number, id: string }> (xs: T[]): T | undefined {
  let best: T | undefined
  for (const x of xs) if (best === undefined || x.created < best.created || (x.created === best.created && x.id < best.id)) best = x
  return best
}

export function deliveryMatrix (message: MatrixMessage, receipts: readonly ReceiptEvidence[], acks: readonly AckEvidence[], agencies: readonly string[] = []): DeliveryMatrix {
  const orgs = matrixOrgs(message, agencies)
  for (const e of [...receipts, ...acks]) if (!orgs.includes(e.org)) orgs.push(e.org)
  const rows = orgs.map((org): MatrixRow => {
    const ack = earliest(acks.filter(a => a.org === org))
    const receipt = earliest(receipts.filter(r => r.org === org))
    const proofs: NonNullable<MatrixRow['delivered']>[] = []
    if (org === message.org) proofs.push({ at: message.created, id: message.id, by: 'origin' })
    if (receipt !== undefined) proofs.push({ at: receipt.created, id: receipt.id, by: 'receipt' })
    if (ack !== undefined) proofs.push({ at: ack.created, id: ack.id, by: 'ack' })
    const delivered = proofs.sort((a, b) => a.at - b.at)[0]
    const row: MatrixRow = { org, state: ack !== undefined ? 'acknowledged' : delivered !== undefined ? 'delivered' : 'pending' }
    if (delivered !== undefined) row.delivered = delivered
    if (ack !== undefined) row.acknowledged = { at: ack.created, id: ack.id, author: ack.author, ...(ack.note === undefined ? {} : { note: ack.note }) }
    return row
  })
  const counts = { pending: 0, delivered: 0, acknowledged: 0, total: rows.length }
  for (const r of rows) counts[r.state]++
  return { rows, counts }
}

const RANK: Record<DeliveryState, number> = { pending: 0, delivered: 1, acknowledged: 2 }

/** True when no row of `after` is behind its row in `before` (the matrix's one promise). */
export function onlyForward (before: DeliveryMatrix, after: DeliveryMatrix): boolean {
  const now = new Map(after.rows.map(r => [r.org, r.state]))
  return before.rows.every(r => now.has(r.org) && RANK[now.get(r.org)!] >= RANK[r.state])
}
