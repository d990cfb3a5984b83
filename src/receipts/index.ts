/**
 * Delivery receipts and the delivery matrix (docs/protocol/receipts.md). A node receipts
 * what it stored (batched, at the alert's precedence); the matrix of an alert is built
 * from the receipts and acks that reached this node.
 *
 * @example
 *   const emitter = createReceiptEmitter({ core, nodeKey }, { precedences: ['flash', 'immediate'] })
 *   await emitter.start()
 *   const m = deliveryMatrix(message, receipts, acks, agencies) // rows pending/delivered/acknowledged
 */
export * from './constants.js'
export * from './policy.js'
export * from './compose.js'
export * from './emitter.js'
export * from './matrix.js'
export * from './orgs.js'
