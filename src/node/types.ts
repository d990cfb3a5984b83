/** Contracts of the node's single ingest path (src/node/ingest.ts, docs/PROTOCOL.md §4). */
import type { ErrorCode } from '../errors.js'
import type { Envelope } from '../envelope/types.js'

/** Where bytes came from: 'local' (composed here), 'peer:<PeerId>', 'radio:<call>', 'file:<name>'. */
export type IngestSource = string

export type IngestResult =
  | { ok: true, envelope: Envelope }
  /**
   * Rejected or already known. INGEST_DUPLICATE and INGEST_TOMBSTONED mean "already have it"
   * (not the sender's fault); every other code is a fault of the bytes or their author.
   */
  | {
    ok: false
    code: ErrorCode
    message: string
    id?: string
    /**
     * True when an honest relay could have sent this (the refusal is no evidence against the
     * peer that forwarded it): expired in transit, a relay clock a little ahead, an author
     * whose roster entry changed recently, a quota (docs/protocol/ingest.md §"Whose fault").
     */
    honestRelay?: boolean
  }
