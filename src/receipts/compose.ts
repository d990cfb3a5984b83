/**
 * One batched delivery receipt (docs/protocol/receipts.md §1), pure: the node's key signs a
 * `receipt` envelope naming the ids, at their precedence (or the most the roster allows the
 * node), national, living as long as the longest-lived message it names.
 */
import { composeEnvelope } from '../envelope/index.js'
import { precedenceRank, type Envelope, type Precedence } from '../envelope/types.js'
import type { KeyPair } from '../identity/keys.js'
import { MAX_IDS_PER_RECEIPT, MIN_RECEIPT_TTL_S } from './constants.js'

export interface ReceiptBatch {
  /** The node's org (its roster entry's). */
  org: string
  precedence: Precedence
  /** The most urgent precedence the roster lets this node use. */
  maxPrecedence?: Precedence
  /** sha2-256 digests of the messages stored, at most MAX_IDS_PER_RECEIPT. */
  digests: Uint8Array[]
  /** The latest expiry among them (ms). */
  expires: number
  now: number
}

export function composeReceipt (nodeKey: Pick<KeyPair, 'publicKey' | 'privateKey'>, b: ReceiptBatch): Envelope {
  if (b.digests.length === 0 || b.digests.length > MAX_IDS_PER_RECEIPT) throw new RangeError(`a receipt names 1…${MAX_IDS_PER_RECEIPT} ids`)
  const precedence = b.maxPrecedence !== undefined && precedenceRank(b.precedence) < precedenceRank(b.maxPrecedence) ? b.maxPrecedence : b.precedence
  return composeEnvelope({
    kind: 'receipt',
    org: b.org,
    precedence,
    references: b.digests,
    ttlS: Math.max(MIN_RECEIPT_TTL_S, Math.ceil((b.expires - b.now) / 1000))
  }, nodeKey, { now: b.now })
}
