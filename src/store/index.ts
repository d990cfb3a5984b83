/**
 * The durable message store: LevelDB through `level`, one atomic batch per message,
 * group-committed fsyncs, indexes by created time, kind, org, author, precedence and
 * referenced id, tombstones of expired ids, peer sync state and metadata.
 * The v1 on-disk layout is specified in docs/protocol/store.md.
 *
 * @example
 * ```ts
 * const store = createStore({ path: 'data/store' })
 * await store.open()
 * if (await store.status(env.digest) === undefined) {
 *   await store.put(env, { received: Date.now(), source: 'local' }, { sync: true })
 * }
 * const urgent = await store.query({ order: 'urgent', limit: 20 })
 * const items = store.syncItems(Date.now()) // for reconciliation
 * const sweeper = createSweeper(store, { clock: { now: Date.now }, intervalMs: 60_000 })
 * sweeper.start()
 * ```
 */
export { createStore, batchOpsForMeta, SCHEMA_META_NAME } from './store.js'
export { createSweeper, sweepExpired, type Sweeper, type SweeperOptions, type Scheduler } from './sweep.js'
export { SUBLEVEL_NAMES } from './layout.js'
export * from './constants.js'
export type * from './types.js'
