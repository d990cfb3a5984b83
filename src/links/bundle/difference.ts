/**
 * What a manifest's owner lacks of our set (docs/protocol/bundle.md §4.2). Pure.
 *
 *   1. same size and set digest: nothing;
 *   2. our coded symbols XOR theirs, peeled (docs/protocol/reconcile.md §7): the exact
 *      difference, accepted only if it verifies against their size and digest;
 *   3. otherwise the ranges: every item of ours in a range whose count or fingerprint
 *      differs from theirs, and every item newer than their last range — a superset.
 */
import { buildItemTable } from '../../sync/reconcile/items.js'
import { peel, verify } from '../../sync/reconcile/peel.js'
import { SymbolEncoder } from '../../sync/reconcile/symbols.js'
import type { SyncItem } from '../../sync/types.js'
import { fingerprint, sortedItems, type Manifest } from './manifest.js'

export interface Difference {
  /** Our ids that the owner lacks (exactly, or a superset when `method` is 'ranges'). */
  ids: Uint8Array[]
  method: 'same' | 'symbols' | 'ranges'
  /** Ids the owner holds that we lack, when the symbols decoded (else undefined). */
  theyHaveMore?: number
}

export function differenceFor (manifest: Manifest, ownIn: SyncItem[]): Difference {
  const own = sortedItems(ownIn)
  const table = buildItemTable(own.map(i => i.id))
  if (manifest.size === table.size && Buffer.compare(manifest.digest, table.digest()) === 0) return { ids: [], method: 'same' }
  if (manifest.symbols.length > 0) {
    const r = peel(new SymbolEncoder(table), table, manifest.symbols, table.size + manifest.size)
    if (r.complete && verify(table, r.have, r.need, manifest.size, manifest.digest)) {
      return { ids: r.have, method: 'symbols', theyHaveMore: r.need.length }
    }
  }
  return { ids: byRanges(manifest, own), method: 'ranges' }
}

/** Our items in ranges that differ from the manifest's, and after its last range. */
export function byRanges (manifest: Manifest, own: SyncItem[]): Uint8Array[] {
  const out: Uint8Array[] = []
  let i = 0
  for (const r of manifest.ranges) {
    const from = i
    while (i < own.length && own[i].timestamp <= r.upper) i++
    const same = i - from === r.count && Buffer.compare(fingerprint(own, from, i), r.fingerprint) === 0
    if (!same) for (let k = from; k < i; k++) out.push(own[k].id)
  }
  for (; i < own.length; i++) out.push(own[i].id)
  return out
}
