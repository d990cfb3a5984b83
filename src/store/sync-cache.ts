/**
 * In-memory sorted index of stored messages by (created, digest), kept in step with the
 * `idx-created` sublevel: built once at open, updated on put and sweep. It makes
 * `syncItems(now)` (the set reconciliation starts from, docs/PROTOCOL.md §5) a linear
 * filter over memory instead of a database scan on every (re)connect.
 */
import type { SyncItem } from '../sync/types.js'
import { compareBytes } from './keys.js'

interface Entry { timestamp: number, id: Uint8Array, expires: number }

function compare (a: { timestamp: number, id: Uint8Array }, b: { timestamp: number, id: Uint8Array }): number {
  return a.timestamp - b.timestamp || compareBytes(a.id, b.id)
}

export class SyncCache {
  private entries: Entry[] = []

  get size (): number { return this.entries.length }

  /** Appends in order; used while loading idx-created, whose iteration order is sorted. */
  loadSorted (timestamp: number, id: Uint8Array, expires: number): void {
    this.entries.push({ timestamp, id, expires })
  }

  /** Index of the first entry >= (timestamp, id). */
  private lowerBound (key: { timestamp: number, id: Uint8Array }): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(this.entries[mid], key) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Returns false if it was already present (a concurrent duplicate put). */
  insert (timestamp: number, id: Uint8Array, expires: number): boolean {
    const entry = { timestamp, id, expires }
    const i = this.lowerBound(entry)
    if (i < this.entries.length && compare(this.entries[i], entry) === 0) return false
    this.entries.splice(i, 0, entry)
    return true
  }

  remove (timestamp: number, id: Uint8Array): boolean {
    const key = { timestamp, id }
    const i = this.lowerBound(key)
    if (i < this.entries.length && compare(this.entries[i], key) === 0) {
      this.entries.splice(i, 1)
      return true
    }
    return false
  }

  /** Removes by id alone (when the created time is unknown, e.g. a corrupt record). */
  removeId (id: Uint8Array): boolean {
    const i = this.entries.findIndex(e => compareBytes(e.id, id) === 0)
    if (i < 0) return false
    this.entries.splice(i, 1)
    return true
  }

  /** Unexpired (expires > now) items, sorted by (timestamp, id). */
  items (now: number): SyncItem[] {
    const out: SyncItem[] = []
    for (const e of this.entries) {
      if (e.expires > now) out.push({ timestamp: e.timestamp, id: e.id })
    }
    return out
  }

  clear (): void { this.entries = [] }
}
