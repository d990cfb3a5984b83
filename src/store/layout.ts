/**
 * The v1 sublevels and the index entries of one message (docs/protocol/store.md §"Layout").
 * The root database has 'view' (Uint8Array) keys and values; every sublevel is a direct
 * child of the root, so its keys on disk are "!" + name + "!" + key.
 */
import { Level } from 'level'
import { PRECEDENCES, precedenceRank } from '../envelope/types.js'
import type { Envelope } from '../envelope/types.js'
import { indexKey, lengthPrefixed, timeBytes, timeDigestKey } from './keys.js'
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

export type RootDb = Level<Uint8Array, Uint8Array>
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

/** Precedence rank as the 1-byte prefix of idx-prec keys (0 = flash … 3 = routine). */
export function precedencePrefix (rank: number): Uint8Array { return Uint8Array.of(rank) }
export const PRECEDENCE_RANKS = PRECEDENCES.map((_, i) => i)

/**
 * Every index entry of one message, as (sublevel, key, value). The same list serves put
 * (type 'put') and sweep (type 'del'), so the two can never disagree.
 */
export function indexEntries (s: Sublevels, env: Envelope): Array<{ sublevel: BinSub, key: Uint8Array, value: Uint8Array }> {
  const { created, digest } = env
  const rank = precedenceRank(env.precedence)
  // Secondary indexes carry the precedence rank as their value, so 'urgent' queries and
  // precedence filters over them skip entries without loading the message.
  const rankValue = Uint8Array.of(rank)
  const entries = [
    { sublevel: s.byCreated, key: timeDigestKey(created, digest), value: timeBytes(env.expires) },
    { sublevel: s.byExpires, key: timeDigestKey(env.expires, digest), value: EMPTY },
    { sublevel: s.byKind, key: indexKey(lengthPrefixed(env.kind), created, digest), value: rankValue },
    { sublevel: s.byOrg, key: indexKey(lengthPrefixed(env.org), created, digest), value: rankValue },
    { sublevel: s.byAuthor, key: indexKey(lengthPrefixed(env.author), created, digest), value: rankValue },
    { sublevel: s.byPrecedence, key: indexKey(precedencePrefix(rank), created, digest), value: EMPTY }
  ]
  // A message may cite the same digest twice; one index entry is enough.
  const seen = new Set<string>()
  for (const ref of env.references) {
    const k = Buffer.from(ref).toString('hex')
    if (seen.has(k)) continue
    seen.add(k)
    entries.push({ sublevel: s.byReference, key: indexKey(ref, created, digest), value: rankValue })
  }
  return entries
}

export function putOps (s: Sublevels, env: Envelope, record: Uint8Array): BatchOp[] {
  const ops: BatchOp[] = [{ type: 'put', sublevel: s.messages, key: env.digest, value: record }]
  for (const e of indexEntries(s, env)) ops.push({ type: 'put', sublevel: e.sublevel, key: e.key, value: e.value })
  return ops
}

export function deleteOps (s: Sublevels, env: Envelope): BatchOp[] {
  const ops: BatchOp[] = [{ type: 'del', sublevel: s.messages, key: env.digest }]
  for (const e of indexEntries(s, env)) ops.push({ type: 'del', sublevel: e.sublevel, key: e.key })
  return ops
}
