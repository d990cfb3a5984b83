/**
 * CAP Update and Cancel (docs/protocol/receipts.md §4): an alert or bulletin whose msgType
 * is Update or Cancel supersedes each message it references that its own org issued
 * earlier. Every node decides it the same way, from signed content alone. Nothing is
 * deleted: superseded versions stay (and keep travelling) until they expire; the inbox
 * shows the current version with its history, and a cancelled one leaves the active feed.
 */
import type { Envelope } from '../envelope/types.js'
import type { MessageStore, StoredMessage } from '../store/types.js'
import { bytesKey } from '../util/bytes-key.js'

/** Versions followed in one chain, at most (a chain longer than this is cut, not walked). */
export const MAX_CHAIN_VERSIONS = 64
/** Messages referencing one id that are looked at for successors. */
const MAX_REFERRERS = 1000

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** Whether `next` supersedes `prev` (same org, Update/Cancel referencing it, not older). */
export function supersedes (next: Envelope, prev: Envelope): boolean {
  if (next.kind !== 'alert' && next.kind !== 'bulletin') return false
  const t = next.content?.msgType
  if (t !== 'Update' && t !== 'Cancel') return false
  return next.org === prev.org && next.created >= prev.created && next.references.some(r => sameBytes(r, prev.digest))
}

/** The stored messages that supersede `env`. */
export async function successorsOf (store: MessageStore, env: Envelope): Promise<StoredMessage[]> {
  if (env.kind !== 'alert' && env.kind !== 'bulletin') return []
  const referrers = await store.query({ references: env.digest, limit: MAX_REFERRERS })
  return referrers.filter(m => supersedes(m.envelope, env))
}

export interface Chain {
  /** Every version held here, oldest first (the message asked about among them). */
  versions: StoredMessage[]
  /** The newest version (Update or Cancel, or the message itself). */
  current: StoredMessage
  cancelled: boolean
}

/** The chain of versions around `start`: what it superseded and what superseded it. */
export async function chainOf (store: MessageStore, start: StoredMessage): Promise<Chain> {
  const seen = new Map<string, StoredMessage>([[bytesKey(start.envelope.digest), start]])
  const queue: StoredMessage[] = [start]
  while (queue.length > 0 && seen.size < MAX_CHAIN_VERSIONS) {
    const m = queue.shift()!
    const linked: StoredMessage[] = [...await successorsOf(store, m.envelope)]
    if (m.envelope.content?.msgType === 'Update' || m.envelope.content?.msgType === 'Cancel') {
      for (const ref of m.envelope.references) {
        const prev = seen.get(bytesKey(ref)) ?? await store.get(ref)
        if (prev !== undefined && supersedes(m.envelope, prev.envelope)) linked.push(prev)
      }
    }
    for (const l of linked) {
      const k = bytesKey(l.envelope.digest)
      if (seen.has(k) || seen.size >= MAX_CHAIN_VERSIONS) continue
      seen.set(k, l)
      queue.push(l)
    }
  }
  const versions = [...seen.values()].sort((a, b) => a.envelope.created - b.envelope.created || (a.envelope.id < b.envelope.id ? -1 : 1))
  const current = versions[versions.length - 1]
  return { versions, current, cancelled: current.envelope.content?.msgType === 'Cancel' }
}
