/**
 * Set reconciliation engine (docs/protocol/reconcile.md): a pure, rateless-IBLT based
 * `Reconciler` whose bytes grow with the size of the difference, not of the sets.
 *
 * @example
 * const a = createReconciler(itemsA)          // initiator
 * const b = createReconciler(itemsB)          // responder
 * let msg: Uint8Array | undefined = a.initiate()
 * let side = b
 * while (msg !== undefined) {
 *   const step = side.receive(msg)            // { reply?, have, need, done }
 *   // the side that finishes with non-empty have/need sends `have`, requests `need`
 *   msg = step.reply
 *   side = side === b ? a : b
 * }
 */
export { createReconciler } from './engine.js'
export type { ReconcilerOptions, ReconcileEngine, ReconcileInfo, ReconcileState } from './engine.js'
export { encodeVarint, readVarint, varintLength, writeVarint } from '../varint.js'
export * from './constants.js'
export { runLocal } from './local.js'
export type { LocalRun, SideResult } from './local.js'
export { makeSets, idFor, minus, hexSet } from './sets.js'
export type { Pattern } from './sets.js'
