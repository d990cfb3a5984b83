/**
 * Bundles this node has imported completely (docs/protocol/bundle.md §6): their ids, in the
 * store's meta record `bundles.seen`, newest last, at most SEEN_MAX. A courier skips them.
 * The record is written with sync after every import, which also makes the import's own
 * (unsynced) message writes durable: LevelDB's log is written in order.
 */
import type { MessageStore } from '../../store/types.js'
import { SEEN_MAX, SEEN_META_NAME } from './constants.js'

/** Read-modify-write of the record, one at a time per store (two imports may end together). */
const chains = new WeakMap<MessageStore, Promise<unknown>>()

async function read (store: MessageStore): Promise<string[]> {
  const v = await store.meta.get(SEEN_META_NAME)
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

export async function hasSeen (store: MessageStore, id: string): Promise<boolean> {
  return (await read(store)).includes(id)
}

/** Adds `id` (when given) and writes the record durably. */
export async function recordImport (store: MessageStore, id: string | undefined): Promise<void> {
  const run = (chains.get(store) ?? Promise.resolve()).catch(() => {}).then(async () => {
    const ids = (await read(store)).filter(x => x !== id)
    if (id !== undefined) ids.push(id)
    await store.meta.put(SEEN_META_NAME, ids.slice(-SEEN_MAX), { sync: true })
  })
  chains.set(store, run)
  await run
}
