/**
 * What operators ask of a node — query the inbox, show a message, status, roster — as
 * functions over a NodeCore. The CLI calls them directly when no daemon runs; the HTTP API
 * (src/api) serves the same functions from the daemon. Inputs are validated here with zod,
 * so both entry points refuse bad input with the same codes.
 */
import { z } from 'zod'
import { C5Error } from '../errors.js'
import { KINDS, PRECEDENCES } from '../envelope/types.js'
import { digestFromId, ORG_CODE_PATTERN } from '../envelope/index.js'
import { resolveIdPrefix } from './id-prefix.js'
import { toHex } from '../identity/index.js'
import { QUERY_LIMIT_MAX } from '../store/constants.js'
import type { QueryOptions } from '../store/types.js'
import type { NodeCore } from './core.js'
import { storedView, memberView, type MessageView, type MemberView } from './views.js'
import type { IngestStats, Rejection } from './ingest.js'

export const inboxQuerySchema = z.object({
  kind: z.enum(KINDS).optional(),
  precedence: z.enum(PRECEDENCES).optional(),
  org: z.string().regex(ORG_CODE_PATTERN, 'an org code such as MX-YUC or CNI').optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  until: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(QUERY_LIMIT_MAX).optional(),
  order: z.enum(['newest', 'urgent']).optional()
}).strict()
export type InboxQuery = z.infer<typeof inboxQuerySchema>

/** What each query field expects, in words (the refusal names the field and the value). */
const QUERY_EXPECTED: Record<string, string> = {
  kind: `one of ${KINDS.join(', ')}`,
  precedence: `one of ${PRECEDENCES.join(', ')}`,
  org: 'an org code such as MX-YUC or CNI',
  since: 'a time in ms since 1970 (a whole number ≥ 0)',
  until: 'a time in ms since 1970 (a whole number ≥ 0)',
  limit: `a whole number from 1 to ${QUERY_LIMIT_MAX}`,
  order: 'urgent or newest'
}

/**
 * Parses untrusted query input; API_BAD_REQUEST naming the field (details.field), what it
 * expects and what it got (never zod's own wording). The CLI reports it as CLI_BAD_ARGUMENT
 * naming its flag (src/cli/access.ts cliError).
 */
export function parseInboxQuery (input: unknown): InboxQuery {
  const r = inboxQuerySchema.safeParse(input)
  if (!r.success) {
    const issue = r.error.issues[0]
    if (issue.code === 'unrecognized_keys') throw new C5Error('API_BAD_REQUEST', `unknown query field ${issue.keys.join(', ')} (known: ${Object.keys(QUERY_EXPECTED).join(', ')})`, { details: { field: issue.keys[0] } })
    const field = String(issue.path[0] ?? 'query')
    const got = (input as Record<string, unknown> | null)?.[field]
    throw new C5Error('API_BAD_REQUEST', `${field}: expected ${QUERY_EXPECTED[field] ?? 'a valid value'}, got ${JSON.stringify(got) ?? 'nothing'}`, { details: { field } })
  }
  return r.data
}

const HIDDEN_BY_DEFAULT = new Set(['roster', 'receipt'])

export async function inbox (core: NodeCore, q: InboxQuery): Promise<MessageView[]> {
  const opts: QueryOptions = { order: q.order ?? 'urgent', limit: q.limit ?? 50 }
  if (q.kind !== undefined) opts.kind = q.kind
  if (q.precedence !== undefined) opts.precedence = q.precedence
  if (q.org !== undefined) opts.org = q.org
  if (q.since !== undefined) opts.since = q.since
  if (q.until !== undefined) opts.until = q.until
  // Expired messages wait for the sweeper; an operator should not see them meanwhile.
  // Without --kind the inbox shows what operators read: not the roster envelopes and node
  // receipts that travel with them.
  const now = core.clock.now()
  return (await core.store.query(opts))
    .filter(m => m.envelope.expires > now && (q.kind !== undefined || !HIDDEN_BY_DEFAULT.has(m.envelope.kind)))
    .map(storedView)
}

/**
 * A whole id, or an unambiguous prefix of one (at least MIN_ID_PREFIX characters; the short
 * form the inbox prints), as the whole id. NODE_NOT_FOUND, NODE_AMBIGUOUS_ID, API_BAD_REQUEST.
 */
export function resolveId (core: NodeCore, idOrPrefix: string): string {
  try { digestFromId(idOrPrefix); return idOrPrefix } catch {}
  return resolveIdPrefix(idOrPrefix, core.store.syncItems(core.clock.now()).map(i => i.id))
}

export async function show (core: NodeCore, idOrPrefix: string): Promise<MessageView> {
  const id = resolveId(core, idOrPrefix)
  let m
  try {
    m = await core.store.get(id)
  } catch (err) {
    if (err instanceof C5Error && err.code !== 'STORE_CORRUPT') throw new C5Error('API_BAD_REQUEST', `not a message id: ${id}`, { cause: err, details: { field: 'id' } })
    throw err
  }
  if (m === undefined) throw new C5Error('NODE_NOT_FOUND', `no message ${id} on this node`)
  // The operators' acknowledgements of this message that reached this node, oldest first.
  const acks = (await core.store.query({ references: m.envelope.digest, kind: 'ack', limit: 1000 }))
    .map(a => ({ id: a.envelope.id, org: a.envelope.org, author: toHex(a.envelope.author), created: a.envelope.created, ...(a.envelope.note === undefined ? {} : { note: a.envelope.note }) }))
    .sort((x, y) => x.created - y.created)
  return { ...storedView(m), acks }
}

export interface RosterView {
  version: number
  issued?: string
  anchors: { keys: string[], threshold: number }
  members: MemberView[]
  revocations: Array<{ key: string, effective: string, reason?: string }>
  /** The current signed roster, base64 (what `roster export` writes and a new draft starts from). */
  signedRoster?: string
}

export function rosterView (core: NodeCore): RosterView {
  const st = core.roster.state
  const doc = st.document
  return {
    version: st.version,
    ...(doc === undefined ? {} : { issued: new Date(doc.issued).toISOString() }),
    anchors: { keys: st.anchors.keys.map(toHex), threshold: st.anchors.threshold },
    members: st.members().map(m => memberView(m, st.revokedAt(m.key))),
    revocations: st.revocations().map(r => ({ key: toHex(r.key), effective: new Date(r.effective).toISOString(), ...(r.reason === undefined ? {} : { reason: r.reason }) })),
    ...(st.signedBytes === undefined ? {} : { signedRoster: Buffer.from(st.signedBytes).toString('base64') })
  }
}

export interface StatusView {
  running: boolean
  node?: string
  peerId?: string
  org?: string
  rosterVersion: number
  messages: number
  store: ReturnType<NodeCore['store']['stats']>
  ingest: IngestStats
  recentRejections: Rejection[]
  [k: string]: unknown
}

export function status (core: NodeCore, extra: Record<string, unknown> = {}): StatusView {
  return {
    running: false,
    rosterVersion: core.roster.version(),
    messages: core.store.count(),
    /** Composed here, not yet sent to any peer (outbox.ts). */
    notYetSent: core.outbox.size(),
    store: core.store.stats(),
    ingest: core.ingest.stats(),
    recentRejections: core.ingest.recentRejections().slice(-20),
    ...extra
  }
}
