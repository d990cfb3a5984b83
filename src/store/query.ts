/**
 * Index-driven queries (docs/protocol/store.md §"Queries"). One index drives the scan —
 * the most selective one the query names — and the other conditions are checked on the
 * loaded message. Memory stays bounded by `limit` (at most 4 × limit for 'urgent').
 */
import { C5Error } from '../errors.js'
import { KINDS, PRECEDENCES, precedenceRank } from '../envelope/types.js'
import { DIGEST_BYTES, QUERY_LIMIT_DEFAULT, QUERY_LIMIT_MAX } from './constants.js'
import { compareBytes, digestOfKey, indexKey, indexRange, lengthPrefixed } from './keys.js'
import { PRECEDENCE_RANKS, precedencePrefix } from './layout.js'
import type { Sublevels } from './layout.js'
import type { QueryOptions, StoredMessage } from './types.js'

const MAX_TIME_MS = Number.MAX_SAFE_INTEGER

export interface QueryContext {
  sublevels: Sublevels
  /** Loads one message; undefined when absent or corrupt (counted by the caller). */
  load: (digest: Uint8Array) => Promise<StoredMessage | undefined>
}

interface Normalised extends QueryOptions { since: number, until: number, limit: number, order: 'newest' | 'urgent' }

function bad (message: string): C5Error { return new C5Error('STORE_INVALID_ARGUMENT', message) }

function isTime (v: unknown): v is number { return Number.isSafeInteger(v) && (v as number) >= 0 }

export function normaliseQuery (q: QueryOptions = {}): Normalised {
  if (typeof q !== 'object' || q === null) throw bad('query options must be an object')
  if (q.kind !== undefined && !KINDS.includes(q.kind)) throw bad(`unknown kind ${String(q.kind)}`)
  if (q.precedence !== undefined && !PRECEDENCES.includes(q.precedence)) throw bad(`unknown precedence ${String(q.precedence)}`)
  if (q.org !== undefined && (typeof q.org !== 'string' || q.org.length === 0 || q.org.length > 64)) throw bad('org must be a non-empty string of at most 64 characters')
  if (q.author !== undefined && (!(q.author instanceof Uint8Array) || q.author.length === 0 || q.author.length > 64)) throw bad('author must be 1–64 bytes')
  if (q.references !== undefined && (!(q.references instanceof Uint8Array) || q.references.length !== DIGEST_BYTES)) throw bad('references must be a 32-byte digest')
  if (q.since !== undefined && !isTime(q.since)) throw bad('since must be a non-negative integer (ms)')
  if (q.until !== undefined && !isTime(q.until)) throw bad('until must be a non-negative integer (ms)')
  const limit = q.limit ?? QUERY_LIMIT_DEFAULT
  if (!Number.isInteger(limit) || limit < 1 || limit > QUERY_LIMIT_MAX) throw bad(`limit must be an integer in 1…${QUERY_LIMIT_MAX}`)
  const order = q.order ?? 'newest'
  if (order !== 'newest' && order !== 'urgent') throw bad('order must be "newest" or "urgent"')
  if (q.before !== undefined) {
    if (order !== 'newest') throw bad('before pages the "newest" order only')
    if (typeof q.before !== 'object' || q.before === null || !isTime(q.before.created) || !(q.before.digest instanceof Uint8Array) || q.before.digest.length !== DIGEST_BYTES) {
      throw bad('before must be { created: ms, digest: 32 bytes }')
    }
  }
  return { ...q, since: q.since ?? 0, until: q.until ?? MAX_TIME_MS, limit, order }
}

function matches (m: StoredMessage, q: Normalised): boolean {
  const e = m.envelope
  if (e.created < q.since || e.created > q.until) return false
  if (q.kind !== undefined && e.kind !== q.kind) return false
  if (q.org !== undefined && e.org !== q.org) return false
  if (q.precedence !== undefined && e.precedence !== q.precedence) return false
  if (q.author !== undefined && compareBytes(e.author, q.author) !== 0) return false
  if (q.references !== undefined && !e.references.some(r => compareBytes(r, q.references as Uint8Array) === 0)) return false
  return true
}

/** The index that drives the scan and its key prefix, most selective first. */
function driver (s: Sublevels, q: Normalised): { sub: Sublevels['byCreated'], prefix: Uint8Array } {
  if (q.references !== undefined) return { sub: s.byReference, prefix: q.references }
  if (q.author !== undefined) return { sub: s.byAuthor, prefix: lengthPrefixed(q.author) }
  if (q.org !== undefined) return { sub: s.byOrg, prefix: lengthPrefixed(q.org) }
  if (q.kind !== undefined) return { sub: s.byKind, prefix: lengthPrefixed(q.kind) }
  if (q.precedence !== undefined) return { sub: s.byPrecedence, prefix: precedencePrefix(precedenceRank(q.precedence)) }
  return { sub: s.byCreated, prefix: new Uint8Array(0) }
}

interface Candidate { digest: Uint8Array, rank: number | undefined }

/**
 * Newest-first entries of one index range. Secondary indexes store the precedence rank
 * as a 1-byte value (docs/protocol/store.md); idx-prec has it in the key (`keyRank`).
 */
async function * candidates (sub: Sublevels['byCreated'], prefix: Uint8Array, q: Normalised, keyRank?: number): AsyncGenerator<Candidate> {
  const range: { gte: Uint8Array, lte?: Uint8Array, lt?: Uint8Array } = indexRange(prefix, q.since, q.until)
  if (q.before !== undefined && q.before.created <= q.until) {
    // Strictly below the last entry of the previous page (same key layout as the range).
    delete range.lte
    range.lt = indexKey(prefix, q.before.created, q.before.digest)
  }
  for await (const [key, value] of sub.iterator({ ...range, reverse: true })) {
    yield { digest: digestOfKey(key), rank: keyRank ?? (value.length === 1 ? value[0] : undefined) }
  }
}

/** Newest first over one index range, stopping at `limit` matches. */
async function scanNewest (ctx: QueryContext, source: AsyncGenerator<Candidate>, q: Normalised, out: StoredMessage[]): Promise<void> {
  const wantRank = q.precedence === undefined ? undefined : precedenceRank(q.precedence)
  for await (const c of source) {
    if (wantRank !== undefined && c.rank !== undefined && c.rank !== wantRank) continue
    const m = await ctx.load(c.digest)
    if (m !== undefined && matches(m, q)) {
      out.push(m)
      if (out.length >= q.limit) return
    }
  }
}

/**
 * 'urgent' over a selective index: one newest-first pass keeping per-rank buckets. An
 * entry whose rank already has `limit` results at its rank or above can never be returned
 * and is skipped without loading; the scan stops once the flash bucket is full.
 */
async function scanUrgent (ctx: QueryContext, source: AsyncGenerator<Candidate>, q: Normalised): Promise<StoredMessage[]> {
  const buckets: StoredMessage[][] = PRECEDENCE_RANKS.map(() => [])
  const before = (rank: number): number => buckets.slice(0, rank + 1).reduce((n, b) => n + b.length, 0)
  for await (const c of source) {
    if (c.rank !== undefined && before(c.rank) >= q.limit) continue
    const m = await ctx.load(c.digest)
    if (m === undefined || !matches(m, q)) continue
    const rank = precedenceRank(m.envelope.precedence)
    if (before(rank) < q.limit) buckets[rank].push(m)
    if (buckets[0].length >= q.limit) break
  }
  return buckets.flat().slice(0, q.limit)
}

export async function runQuery (ctx: QueryContext, options: QueryOptions = {}): Promise<StoredMessage[]> {
  const q = normaliseQuery(options)
  const s = ctx.sublevels
  const d = driver(s, q)
  const out: StoredMessage[] = []
  if (d.sub === s.byPrecedence || (q.order === 'urgent' && d.sub === s.byCreated)) {
    // Precedence order straight from idx-prec: rank by rank (one rank if filtered).
    const ranks = q.precedence === undefined ? PRECEDENCE_RANKS : [precedenceRank(q.precedence)]
    for (const rank of ranks) {
      await scanNewest(ctx, candidates(s.byPrecedence, precedencePrefix(rank), q, rank), q, out)
      if (out.length >= q.limit) break
    }
    return out
  }
  if (q.order === 'newest') {
    await scanNewest(ctx, candidates(d.sub, d.prefix, q), q, out)
    return out
  }
  return scanUrgent(ctx, candidates(d.sub, d.prefix, q), q)
}
