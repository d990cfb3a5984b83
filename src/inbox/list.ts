/**
 * The inbox as pages: filters, a bounded page size and an opaque cursor (the last entry of
 * the page), so that no request costs more than a page (issue 13 §2) and a client walks
 * any number of messages page by page, nothing skipped or twice. The active view (default)
 * shows the current version of each alert (CAP Update/Cancel, supersession.ts) and leaves
 * cancelled ones out; `view: 'all'` shows every version.
 *
 * Each request looks at no more than SCAN_BUDGET_FACTOR × limit stored messages: when
 * filters (text, the active view) drop many, a page may be short but still carries a
 * cursor, and the next request goes on from there.
 */
import { z } from 'zod'
import { C5Error } from '../errors.js'
import { ORG_CODE_PATTERN } from '../envelope/constants.js'
import { KINDS, PRECEDENCES, precedenceRank, type Precedence } from '../envelope/types.js'
import { fromHex, toHex } from '../identity/keys.js'
import type { NodeCore } from '../node/core.js'
import { storedView, type MessageView } from '../node/views.js'
import type { QueryOptions, StoredMessage } from '../store/types.js'
import { successorsOf } from './supersession.js'
import { badRequest } from '../node/compose-request.js'

export const PAGE_LIMIT_MAX = 200
export const PAGE_LIMIT_DEFAULT = 50
/** Stored messages looked at per request, as a multiple of the page size. */
export const SCAN_BUDGET_FACTOR = 5
const TEXT_MAX_CHARS = 200

const HIDDEN_BY_DEFAULT = new Set(['roster', 'receipt'])

/** What each query field expects, in words (the refusal names the field and the value). */
const EXPECTED: Record<string, string> = {
  kind: `one of ${KINDS.join(', ')}`,
  precedence: `one of ${PRECEDENCES.join(', ')}`,
  org: 'an org code such as MX-YUC or CNI',
  since: 'a time in ms since 1970 (a whole number ≥ 0)',
  until: 'a time in ms since 1970 (a whole number ≥ 0)',
  text: `words to find (1 to ${TEXT_MAX_CHARS} characters)`,
  limit: `a whole number from 1 to ${PAGE_LIMIT_MAX}`,
  order: 'urgent or newest',
  view: 'active or all',
  cursor: 'the "next" of the previous page'
}

export const listQuerySchema = z.strictObject({
  kind: z.enum(KINDS).optional().describe(EXPECTED.kind),
  precedence: z.enum(PRECEDENCES).optional().describe(EXPECTED.precedence),
  org: z.string().regex(ORG_CODE_PATTERN).optional().describe(EXPECTED.org),
  since: z.coerce.number().int().nonnegative().optional().describe(EXPECTED.since),
  until: z.coerce.number().int().nonnegative().optional().describe(EXPECTED.until),
  /** Words to find in the headline, description, event, area or parameters (any case). */
  text: z.string().min(1).max(TEXT_MAX_CHARS).optional().describe(EXPECTED.text),
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT).describe(EXPECTED.limit),
  order: z.enum(['urgent', 'newest']).default('urgent').describe(EXPECTED.order),
  view: z.enum(['active', 'all']).default('active').describe(EXPECTED.view),
  cursor: z.string().min(1).max(200).optional().describe(EXPECTED.cursor)
})
export type ListQuery = z.output<typeof listQuerySchema>

export interface ListItem extends MessageView {
  /** Ids of newer versions (view 'all': this one is superseded). */
  supersededBy?: string[]
}

export interface ListPage { messages: ListItem[], next?: string }

interface Cursor { rank: number, created: number, digest: Uint8Array }

function encodeCursor (order: 'urgent' | 'newest', m: StoredMessage): string {
  const e = m.envelope
  return Buffer.from(JSON.stringify([order === 'urgent' ? precedenceRank(e.precedence) : -1, e.created, toHex(e.digest)])).toString('base64url')
}

function decodeCursor (text: string, order: 'urgent' | 'newest'): Cursor {
  const bad = (): never => { throw new C5Error('API_BAD_REQUEST', 'cursor: not a cursor of this listing (take it from the previous page\'s "next", with the same order)', { details: { field: 'cursor' } }) }
  let v: unknown
  try { v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) } catch { return bad() }
  if (!Array.isArray(v) || v.length !== 3) return bad()
  const [rank, created, digest] = v as [unknown, unknown, unknown]
  if (!Number.isSafeInteger(rank) || !Number.isSafeInteger(created) || (created as number) < 0 || typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return bad()
  if ((order === 'urgent') !== ((rank as number) >= 0) || (rank as number) >= PRECEDENCES.length) return bad()
  return { rank: rank as number, created: created as number, digest: fromHex(digest) }
}

/** Parses untrusted query input; API_BAD_REQUEST naming the field, what it expects and what it got. */
export function parseListQuery (input: unknown): ListQuery {
  const r = listQuerySchema.safeParse(input ?? {})
  if (!r.success) throw badRequest(r.error, input, listQuerySchema)
  return r.data
}

function matchesText (m: StoredMessage, needle: string): boolean {
  const c = m.envelope.content
  if (c === undefined) return (m.envelope.note ?? '').toLowerCase().includes(needle)
  const hay = [c.headline, c.description, c.instruction, c.event, c.area?.description, ...(c.parameters ?? []).flatMap(p => [p.name, p.value])]
  return hay.some(s => s !== undefined && s.toLowerCase().includes(needle))
}

/**
 * Newest-first runs of the store in scan order: one run per precedence (urgent order) or
 * one run (newest), each from the cursor on, in chunks.
 */
async function * scan (core: Pick<NodeCore, 'store'>, q: ListQuery, cursor: Cursor | undefined, chunk: number): AsyncGenerator<StoredMessage> {
  const base: QueryOptions = { order: 'newest' }
  if (q.kind !== undefined) base.kind = q.kind
  if (q.org !== undefined) base.org = q.org
  if (q.since !== undefined) base.since = q.since
  if (q.until !== undefined) base.until = q.until
  const runs: Array<Precedence | undefined> = q.order === 'urgent'
    ? (q.precedence === undefined ? [...PRECEDENCES] : [q.precedence]).filter(p => cursor === undefined || precedenceRank(p) >= cursor.rank)
    : [q.precedence]
  for (const precedence of runs) {
    let before = cursor !== undefined && (q.order === 'newest' || precedenceRank(precedence!) === cursor.rank) ? { created: cursor.created, digest: cursor.digest } : undefined
    for (;;) {
      const page = await core.store.query({ ...base, ...(precedence === undefined ? {} : { precedence }), limit: chunk, ...(before === undefined ? {} : { before }) })
      for (const m of page) yield m
      if (page.length < chunk) break
      const last = page[page.length - 1].envelope
      before = { created: last.created, digest: last.digest }
    }
  }
}

export async function listMessages (core: Pick<NodeCore, 'store' | 'clock'> & Partial<Pick<NodeCore, 'outbox'>>, q: ListQuery): Promise<ListPage> {
  const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.order)
  const now = core.clock.now()
  const needle = q.text?.toLowerCase()
  const budget = q.limit * SCAN_BUDGET_FACTOR
  const messages: ListItem[] = []
  let scanned = 0
  let last: StoredMessage | undefined
  let exhausted = true
  for await (const m of scan(core, q, cursor, Math.min(q.limit * 2, PAGE_LIMIT_MAX))) {
    if (messages.length >= q.limit || scanned >= budget) { exhausted = false; break }
    scanned++
    last = m
    const e = m.envelope
    // Expired messages wait for the sweeper; without a kind filter the inbox shows what
    // operators read, not the roster envelopes and node receipts that travel with them.
    if (e.expires <= now || (q.kind === undefined && HIDDEN_BY_DEFAULT.has(e.kind))) continue
    if (needle !== undefined && !matchesText(m, needle)) continue
    const isCap = e.kind === 'alert' || e.kind === 'bulletin'
    const newer = isCap ? await successorsOf(core.store, e) : []
    if (q.view === 'active' && (newer.length > 0 || e.content?.msgType === 'Cancel')) continue
    messages.push({ ...storedView(m), ...(core.outbox?.pending(toHex(e.digest)) === true ? { pending: true } : {}), ...(newer.length === 0 ? {} : { supersededBy: newer.map(n => n.envelope.id) }) })
  }
  return { messages, ...(exhausted || last === undefined ? {} : { next: encodeCursor(q.order, last) }) }
}
