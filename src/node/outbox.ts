/**
 * The outbox: alerts, bulletins and acks composed on this node that no peer has been sent
 * yet. A flash alert sent while the node is stopped (the CLI writes it to the store) or
 * while no peer is connected is stored, not delivered: the operator must see that, in
 * `send`'s answer and in the inbox, until it has left.
 *
 * Each entry is a meta record `outbox.<digest hex>` (value: the message's expiry), written
 * in the message's own store batch (an ingest write hook: a crash cannot store the message
 * and lose the mark), and deleted once a sync session has handed a MSG with that id to a
 * link (SyncComponents.sent) or the message has expired.
 */
import { toHex } from '../identity/keys.js'
import type { Envelope } from '../envelope/types.js'
import type { IngestService, WriteHook } from './ingest.js'
import type { MessageStore } from '../store/types.js'

export const OUTBOX_PREFIX = 'outbox.'
/** Kinds an operator composes (receipts, rosters and revocations are not theirs to track). */
const TRACKED = new Set<Envelope['kind']>(['alert', 'bulletin', 'ack', 'vehicle'])

export interface Outbox {
  /** Whether this message (digest hex) was composed here and not yet sent to any peer. */
  pending: (digestHex: string) => boolean
  /** How many are waiting. */
  size: () => number
  /** A sync session handed a MSG with this id to a link. */
  sent: (digest: Uint8Array) => void
  close: () => void
}

export async function openOutbox (c: { store: MessageStore, ingest: IngestService, clock: { now: () => number } }): Promise<Outbox> {
  const waiting = new Map<string, number>() // digest hex → expires
  const now = c.clock.now()
  for (const { name, value } of await c.store.meta.list(OUTBOX_PREFIX)) {
    const hex = name.slice(OUTBOX_PREFIX.length)
    if (typeof value === 'number' && value > now) waiting.set(hex, value)
    else await c.store.meta.del(name).catch(() => {})
  }
  // In memory as the batch is built: the mesh pushes a message as soon as it is admitted,
  // before its write completes, and the session may report it sent before then.
  const hook: WriteHook = (env, source) => {
    if (source !== 'local' || !TRACKED.has(env.kind)) return undefined
    const hex = toHex(env.digest)
    waiting.set(hex, env.expires)
    return c.store.meta.ops(OUTBOX_PREFIX + hex, env.expires)
  }
  c.ingest.addWriteHook(hook)
  const drop = (hex: string): void => {
    waiting.delete(hex)
    c.store.meta.del(OUTBOX_PREFIX + hex).catch(() => {}) // at worst marked again after a crash, until sent
  }
  return {
    pending: hex => {
      const expires = waiting.get(hex)
      if (expires === undefined) return false
      if (expires <= c.clock.now()) { drop(hex); return false }
      return true
    },
    size: () => waiting.size,
    sent: digest => {
      if (waiting.size === 0) return
      const hex = toHex(digest)
      if (waiting.has(hex)) drop(hex)
    },
    close: () => {
      c.ingest.removeWriteHook(hook)
    }
  }
}
