/** Defaults of delivery receipts (docs/protocol/receipts.md). */
import type { Precedence } from '../envelope/types.js'

/** Precedences receipted unless configured otherwise: the ones whose delivery is watched. */
export const DEFAULT_RECEIPT_PRECEDENCES: readonly Precedence[] = ['flash', 'immediate']
/** How long ids gather before their receipt leaves: short next to any human wait. */
export const DEFAULT_RECEIPT_BATCH_MS = 2_000
/** Ids one receipt names: the envelope's maxReferences. */
export const MAX_IDS_PER_RECEIPT = 64
/** A receipt lives as long as the longest-lived message it names, and at least this. */
export const MIN_RECEIPT_TTL_S = 60
/** Meta names of pending receipts: PENDING_PREFIX + hex digest → [precedence rank, expires]. */
export const PENDING_PREFIX = 'receipt-pending/'
