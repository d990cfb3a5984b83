/**
 * The v1 sublevels and the index entries of one message (docs/protocol/store.md §"Layout").
 * The root database has 'view' (Uint8Array) keys and values; every sublevel is a direct
 * child of the root, so its keys on disk are "!" + name + "!" + key.
 */
import type { AbstractLevel } from 'abstract-level'
import { PRECEDENCES, precedenceRank } from '../envelope/types.js'
import type { Envelope } from '../envelope/types.js'
import { C5Error } from '../errors.js'
import { headed, indexKey, lengthPrefixed, readTime, TIME_BYTES, timeBytes, timeDigestKey, writeTime } from './keys.js'
import type { BatchOp } from './types.js'

export const SUBLEVEL_NAMES = {
  messages: 'msg',
  byCreated: 'idx-created',
  byExpires: 'idx-expires',
  byKind: 'idx-kind',
  byOrg: 'idx-org',
  byAuthor: 'idx-author',
  byPrecedence: 'idx-prec',
  byReference: 'idx-ref',
  tombstones: 'tomb',
  tombstonesByExpires: 'tomb-expires',
  peers: 'peer',
  meta: 'meta'
} as const

/** LevelDB on disk (`level`) or, in the simulator, memory-level: any abstract-level database. */
export type RootDb = AbstractLevel<string | Buffer | Uint8Array, Uint8Array, Uint8Array>
type BinSub = ReturnType<typeof binarySublevel>

function binarySublevel (db: RootDb, name: string) {
  return db.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' })
}

export interface Sublevels {
  messages: BinSub
  byCreated: BinSub
  byExpires: BinSub
  byKind: BinSub
  byOrg: BinSub
  byAuthor: BinSub
  byPrecedence: BinSub
  byReference: BinSub
  tombstones: BinSub
  tombstonesByExpires: BinSub
  peers: ReturnType<typeof peerSublevel>
  meta: ReturnType<typeof metaSublevel>
}

function peerSublevel (db: RootDb) {
  return db.sublevel<string, string>(SUBLEVEL_NAMES.peers, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
}

function metaSublevel (db: RootDb) {
  return db.sublevel<string, Uint8Array>(SUBLEVEL_NAMES.meta, { keyEncoding: 'utf8', valueEncoding: 'view' })
}

export function openSublevels (db: RootDb): Sublevels {
  const n = SUBLEVEL_NAMES
  return {
    messages: binarySublevel(db, n.messages),
    byCreated: binarySublevel(db, n.byCreated),
    byExpires: binarySublevel(db, n.byExpires),
    byKind: binarySublevel(db, n.byKind),
    byOrg: binarySublevel(db, n.byOrg),
    byAuthor: binarySublevel(db, n.byAuthor),
    byPrecedence: binarySublevel(db, n.byPrecedence),
    byReference: binarySublevel(db, n.byReference),
    tombstones: binarySublevel(db, n.tombstones),
    tombstonesByExpires: binarySublevel(db, n.tombstonesByExpires),
    peers: peerSublevel(db),
    meta: metaSublevel(db)
  }
}

const EMPTY = new Uint8Array(0)
/** Index values are the 1-byte precedence rank: shared, never mutated (LevelDB copies them). */
const RANK_VALUES = PRECEDENCES.map((_, rank) => Uint8Array.of(rank))

/** Precedence rank as the 1-byte prefix of idx-prec keys (0 = flash … 3 = routine). */
export function precedencePrefix (rank: number): Uint8Array { return Uint8Array.of(rank) }
export const PRECEDENCE_RANKS = PRECEDENCES.map((_, i) => i)

/** What the indexes of one message are made of (from its envelope or its summary). */
export interface IndexFields {
  digest: Uint8Array
  created: number
  expires: number
  rank: number
  kind: string
  org: string
  author: Uint8Array
  references: Uint8Array[]
}

export function fieldsOf (env: Envelope): IndexFields {
  return {
    digest: env.digest,
    created: env.created,
    expires: env.expires,
    rank: precedenceRank(env.precedence),
    kind: env.kind,
    org: env.org,
    author: env.author,
    references: env.references
  }
}

/**
 * The root key prefix of each binary sublevel ("!" + name + "!"), as the store computes it at
 * open. Given to putOps, keys are built under it at once: root operations, one allocation
 * per key (this runs for every ingested message).
 */
export type RootPrefixes = ReadonlyMap<unknown, Uint8Array>

/**
 * Every index operation of one message. The same list serves put (type 'put') and sweep
 * (type 'del'), so the two can never disagree. With `roots`, each key is the full root key
 * and the operation names no sublevel.
 */
function indexOps (s: Sublevels, f: IndexFields, type: 'put' | 'del', roots?: RootPrefixes): BatchOp[] {
  const { created, digest } = f
  const put = type === 'put'
  // Secondary indexes carry the precedence rank as their value, so 'urgent' queries and
  // precedence filters over them skip entries without loading the message.
  const rankValue = RANK_VALUES[f.rank] ?? Uint8Array.of(f.rank)
  const hc = roots?.get(s.byCreated)
  const he = roots?.get(s.byExpires)
  const hk = roots?.get(s.byKind)
  const ho = roots?.get(s.byOrg)
  const ha = roots?.get(s.byAuthor)
  const hp = roots?.get(s.byPrecedence)
  const ops = [
    makeOp(type, s.byCreated, hc, timeDigestKey(created, digest, hc), put ? timeBytes(f.expires) : EMPTY),
    // The summary lets the sweeper delete every entry without reading the message.
    makeOp(type, s.byExpires, he, timeDigestKey(f.expires, digest, he), put ? encodeSummary(f) : EMPTY),
    makeOp(type, s.byKind, hk, indexKey(lengthPrefixed(f.kind), created, digest, hk), rankValue),
    makeOp(type, s.byOrg, ho, indexKey(lengthPrefixed(f.org), created, digest, ho), rankValue),
    makeOp(type, s.byAuthor, ha, indexKey(lengthPrefixed(f.author), created, digest, ha), rankValue),
    makeOp(type, s.byPrecedence, hp, indexKey(precedencePrefix(f.rank), created, digest, hp), EMPTY)
  ]
  const hr = roots?.get(s.byReference)
  for (const ref of distinct(f.references)) ops.push(makeOp(type, s.byReference, hr, indexKey(ref, created, digest, hr), rankValue))
  return ops
}

/** One operation; under a root prefix (`head` given) the key is already a root key. */
function makeOp (type: 'put' | 'del', sublevel: BinSub, head: Uint8Array | undefined, key: Uint8Array, value: Uint8Array): BatchOp {
  if (head !== undefined) return type === 'put' ? { type, key, value } : { type, key }
  return type === 'put' ? { type, sublevel, key, value } : { type, sublevel, key }
}

/** A message may cite the same digest twice; one index entry is enough. */
function distinct (refs: Uint8Array[]): Uint8Array[] {
  if (refs.length < 2) return refs
  const seen = new Set<string>()
  return refs.filter((r) => {
    const k = Buffer.from(r).toString('hex')
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

export function putOps (s: Sublevels, env: Envelope, record: Uint8Array, roots?: RootPrefixes): BatchOp[] {
  const head = roots?.get(s.messages)
  const msg: BatchOp = head === undefined
    ? { type: 'put', sublevel: s.messages, key: env.digest, value: record }
    : { type: 'put', key: headed(env.digest, head), value: record }
  const ops = indexOps(s, fieldsOf(env), 'put', roots)
  ops.unshift(msg)
  return ops
}

export function deleteOps (s: Sublevels, f: IndexFields): BatchOp[] {
  const ops = indexOps(s, f, 'del')
  ops.unshift({ type: 'del', sublevel: s.messages, key: f.digest })
  return ops
}

/**
 * Index summary (idx-expires value):
 *   created(8) rank(1) len(1) kind len(1) org len(1) author count(2) reference(32)*count
 */
export function encodeSummary (f: IndexFields): Uint8Array {
  const kind = lengthPrefixed(f.kind)
  const org = lengthPrefixed(f.org)
  const author = lengthPrefixed(f.author)
  const refs = distinct(f.references)
  const out = new Uint8Array(TIME_BYTES + 1 + kind.length + org.length + author.length + 2 + 32 * refs.length)
  writeTime(out, 0, f.created)
  out[8] = f.rank
  let o = 9
  for (const part of [kind, org, author]) { out.set(part, o); o += part.length }
  out[o] = refs.length >> 8
  out[o + 1] = refs.length & 0xff
  o += 2
  for (const r of refs) { out.set(r, o); o += 32 }
  return out
}

/** The inverse of encodeSummary; STORE_CORRUPT if it does not parse exactly. */
export function decodeSummary (digest: Uint8Array, expires: number, v: Uint8Array): IndexFields {
  const corrupt = (): never => { throw new C5Error('STORE_CORRUPT', 'index summary unreadable') }
  if (v.length < TIME_BYTES + 6) corrupt()
  const created = readTime(v, 0)
  const rank = v[8]
  let o = 9
  const field = (): Uint8Array => {
    const n = v[o]
    if (n === undefined || o + 1 + n > v.length) corrupt()
    const b = new Uint8Array(v.subarray(o + 1, o + 1 + n))
    o += 1 + n
    return b
  }
  const kind = Buffer.from(field()).toString('latin1')
  const org = Buffer.from(field()).toString('utf8')
  const author = field()
  if (o + 2 > v.length) corrupt()
  const count = (v[o] << 8) | v[o + 1]
  o += 2
  if (o + 32 * count !== v.length || rank >= PRECEDENCE_RANKS.length) corrupt()
  const references: Uint8Array[] = []
  for (let i = 0; i < count; i++) references.push(new Uint8Array(v.subarray(o + 32 * i, o + 32 * i + 32)))
  return { digest, created, expires, rank, kind, org, author, references }
}
