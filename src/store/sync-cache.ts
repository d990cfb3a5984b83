/**
 * In-memory index of stored messages by (created, digest), kept in step with the
 * `idx-created` sublevel: built once at open, updated on put and sweep. It makes
 * `syncItems(now)` (the set reconciliation starts from, docs/PROTOCOL.md §5) a linear
 * pass over memory instead of a database scan on every (re)connect.
 *
 * Inserts and removals are O(1) (a backlog from a peer arrives in random created order;
 * splicing each into a sorted array would cost O(n) each); the sorted array is rebuilt
 * lazily, by one sort of the new entries and one merge, when items() is next called.
 */
import type { SyncItem } from '../sync/types.js'
import { compareBytes } from './keys.js'
import { bytesKey } from '../util/bytes-key.js'

/** rank: precedence rank (0 = flash … 3 = routine), so sync can order offers without a read. */
interface Entry { timestamp: number, id: Uint8Array, expires: number, rank: number, removed: boolean }

/** Rank assumed until idx-prec has been read at open (never seen after open completes). */
const UNKNOWN_RANK = 3

function compare (a: Entry, b: Entry): number {
  return a.timestamp - b.timestamp || compareBytes(a.id, b.id)
}

export class SyncCache {
  private byId = new Map<string, Entry>()
  private sorted: Entry[] = []
  private pending: Entry[] = []
  private removedCount = 0
  /** Last items() answer, valid while nothing changed and no entry crossed its expiry. */
  private memo: { items: SyncItem[], validFrom: number, validUntil: number } | undefined

  /** The last digest asked about and its key: ingest asks about one digest 2-3 times in a row. */
  private lastId: Uint8Array | undefined
  private lastKey = ''

  get size (): number { return this.byId.size }

  /** Digests are never modified in place, so one array always has one key. */
  private keyOf (id: Uint8Array): string {
    if (id !== this.lastId) { this.lastKey = bytesKey(id); this.lastId = id }
    return this.lastKey
  }

  /** Whether the store holds this digest (expired or not, until the sweeper removes it). */
  has (id: Uint8Array): boolean { return this.byId.has(this.keyOf(id)) }

  /** Appends in order; used while loading idx-created, whose iteration order is sorted. */
  loadSorted (timestamp: number, id: Uint8Array, expires: number): void {
    const key = bytesKey(id)
    if (this.byId.has(key)) return
    const e = { timestamp, id, expires, rank: UNKNOWN_RANK, removed: false }
    this.byId.set(key, e)
    this.sorted.push(e)
  }

  /** Returns false if it was already present (e.g. a concurrent duplicate put). */
  insert (timestamp: number, id: Uint8Array, expires: number, rank: number): boolean {
    const key = this.keyOf(id)
    if (this.byId.has(key)) return false
    const e = { timestamp, id, expires, rank, removed: false }
    this.byId.set(key, e)
    this.pending.push(e)
    this.memo = undefined
    return true
  }

  /** Sets the precedence rank of a loaded entry (read from idx-prec at open). */
  setRank (id: Uint8Array, rank: number): void {
    const e = this.byId.get(bytesKey(id))
    if (e !== undefined) e.rank = rank
  }

  /** What sync needs to order an offer, from memory: created time and precedence rank. */
  meta (id: Uint8Array): { created: number, rank: number } | undefined {
    const e = this.byId.get(this.keyOf(id))
    return e === undefined ? undefined : { created: e.timestamp, rank: e.rank }
  }

  /** Removes by id (the created time is implied by the digest). */
  removeId (id: Uint8Array): boolean {
    const key = bytesKey(id)
    const e = this.byId.get(key)
    if (e === undefined) return false
    this.byId.delete(key)
    e.removed = true
    this.removedCount++
    this.memo = undefined
    return true
  }

  /** Folds pending inserts and removals into the sorted array: O(n + k log k). */
  private settle (): void {
    if (this.pending.length === 0 && this.removedCount === 0) return
    const fresh = this.pending.filter(e => !e.removed).sort(compare)
    const old = this.removedCount === 0 ? this.sorted : this.sorted.filter(e => !e.removed)
    const out: Entry[] = new Array(old.length + fresh.length)
    let i = 0
    let j = 0
    let k = 0
    while (i < old.length && j < fresh.length) out[k++] = compare(old[i], fresh[j]) <= 0 ? old[i++] : fresh[j++]
    while (i < old.length) out[k++] = old[i++]
    while (j < fresh.length) out[k++] = fresh[j++]
    this.sorted = out
    this.pending = []
    this.removedCount = 0
  }

  /**
   * Unexpired (expires > now) items, sorted by (timestamp, id). A fresh array each call
   * (callers may keep or reorder it); the item objects are shared between calls while the
   * set is unchanged, which makes repeated calls on a 100k store cheap.
   */
  items (now: number): SyncItem[] {
    const m = this.memo
    if (m !== undefined && now >= m.validFrom && now < m.validUntil) return m.items.slice()
    this.settle()
    const out: SyncItem[] = []
    let validFrom = -Infinity // the answer holds while every excluded entry stays expired…
    let validUntil = Infinity // …and every included one stays unexpired
    for (const e of this.sorted) {
      if (e.expires > now) {
        out.push({ timestamp: e.timestamp, id: e.id })
        if (e.expires < validUntil) validUntil = e.expires
      } else if (e.expires > validFrom) validFrom = e.expires
    }
    this.memo = { items: out, validFrom, validUntil }
    return out.slice()
  }

  clear (): void {
    this.memo = undefined
    this.byId.clear()
    this.sorted = []
    this.pending = []
    this.removedCount = 0
  }
}
