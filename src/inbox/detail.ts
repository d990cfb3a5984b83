/**
 * One message as an operator needs it: the message, the acks and receipts of it that
 * reached this node, its delivery matrix, and its versions (CAP Update/Cancel).
 */
import { C5Error } from '../errors.js'
import { toHex } from '../identity/keys.js'
import type { NodeCore } from '../node/core.js'
import { storedView, type MessageView } from '../node/views.js'
import { deliveryMatrix, isStateCode, type DeliveryMatrix } from '../receipts/index.js'
import type { StoredMessage } from '../store/types.js'
import { chainOf } from './supersession.js'
import { digestFromId } from '../envelope/index.js'
import { resolveIdPrefix } from '../node/id-prefix.js'

const isWholeId = (s: string): boolean => { try { digestFromId(s); return true } catch { return false } }

/** Acks or receipts of one message looked at, at most (32 states and a few agencies, with room). */
const MAX_EVIDENCE = 1000

export interface VersionView { id: string, msgType: string, created: number, headline?: string }

export interface MessageDetail extends MessageView {
  acks: Array<{ id: string, org: string, author: string, created: number, note?: string }>
  /** Alerts and bulletins: who received and acknowledged it. */
  matrix?: DeliveryMatrix
  /** Alerts and bulletins: every version held here, oldest first. */
  history?: VersionView[]
  /** The newest version's id (this one when it is current). */
  current?: string
  cancelled?: boolean
}

/** Orgs on the roster that are not states: their nodes are rows of a national matrix. */
export function rosterAgencies (core: Pick<NodeCore, 'roster'>): string[] {
  return [...new Set(core.roster.state.members().filter(m => m.role === 'node' && !isStateCode(m.org)).map(m => m.org))]
}

/**
 * A message by its id, or by an unambiguous prefix of it (8+ characters: the short form the
 * inbox prints; src/node/id-prefix.ts) when the caller brings the clock that dates the
 * store's unexpired set.
 */
export async function loadMessage (core: Pick<NodeCore, 'store'> & Partial<Pick<NodeCore, 'clock'>>, idOrPrefix: string): Promise<StoredMessage> {
  let id = idOrPrefix
  if (core.clock !== undefined && !isWholeId(idOrPrefix)) id = resolveIdPrefix(idOrPrefix, core.store.syncItems(core.clock.now()).map(i => i.id))
  let m
  try {
    m = await core.store.get(id)
  } catch (err) {
    if (err instanceof C5Error && err.code !== 'STORE_CORRUPT') throw new C5Error('API_BAD_REQUEST', `not a message id: ${id}`, { cause: err, details: { field: 'id' } })
    throw err
  }
  if (m === undefined) throw new C5Error('NODE_NOT_FOUND', `no message ${id} on this node`)
  return m
}

export async function matrixOf (core: Pick<NodeCore, 'store' | 'roster'>, m: StoredMessage): Promise<{ matrix: DeliveryMatrix, acks: MessageDetail['acks'] }> {
  const env = m.envelope
  const [ackMsgs, receiptMsgs] = await Promise.all([
    core.store.query({ references: env.digest, kind: 'ack', limit: MAX_EVIDENCE }),
    core.store.query({ references: env.digest, kind: 'receipt', limit: MAX_EVIDENCE })
  ])
  const acks = ackMsgs.map(a => ({ id: a.envelope.id, org: a.envelope.org, author: toHex(a.envelope.author), created: a.envelope.created, ...(a.envelope.note === undefined ? {} : { note: a.envelope.note }) }))
    .sort((x, y) => x.created - y.created)
  const receipts = receiptMsgs.map(r => ({ id: r.envelope.id, org: r.envelope.org, created: r.envelope.created }))
  const matrix = deliveryMatrix({ id: env.id, org: env.org, created: env.created, scope: env.scope.length === 0 ? 'national' : env.scope }, receipts, acks, rosterAgencies(core))
  return { matrix, acks }
}

export async function messageDetail (core: Pick<NodeCore, 'store' | 'roster'> & Partial<Pick<NodeCore, 'clock' | 'outbox'>>, id: string): Promise<MessageDetail> {
  const m = await loadMessage(core, id)
  const view: MessageView = { ...storedView(m), ...(core.outbox?.pending(toHex(m.envelope.digest)) === true ? { pending: true } : {}) }
  if (m.envelope.kind !== 'alert' && m.envelope.kind !== 'bulletin') {
    const acks = (await core.store.query({ references: m.envelope.digest, kind: 'ack', limit: MAX_EVIDENCE }))
      .map(a => ({ id: a.envelope.id, org: a.envelope.org, author: toHex(a.envelope.author), created: a.envelope.created, ...(a.envelope.note === undefined ? {} : { note: a.envelope.note }) }))
    return { ...view, acks }
  }
  const [{ matrix, acks }, chain] = await Promise.all([matrixOf(core, m), chainOf(core.store, m)])
  return {
    ...view,
    acks,
    matrix,
    history: chain.versions.map(v => ({ id: v.envelope.id, msgType: v.envelope.content?.msgType ?? 'Alert', created: v.envelope.created, ...(v.envelope.content?.headline === undefined ? {} : { headline: v.envelope.content.headline }) })),
    current: chain.current.envelope.id,
    cancelled: chain.cancelled
  }
}
