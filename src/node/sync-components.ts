/** Wires a sync session's injected components to a node's real store, ingest and roster. */
import type { SyncComponents } from '../sync/session-types.js'
import type { NodeCore } from './core.js'

/** Weight of one sample in the running ingest time (an exponential moving average). */
export const INGEST_MS_WEIGHT = 1 / 16

/**
 * One set of components serves every session of the node, so it knows which ids are being
 * ingested from any peer: `holds` answers for them too (lazy push then neither waits for nor
 * asks again for a message that is already here and being verified), and `ingestMs` is the
 * node's recent time to ingest a peer's message (its load).
 */
export function syncComponentsFor (core: NodeCore, log?: SyncComponents['log']): SyncComponents {
  const arriving = new Map<string, number>() // digest hex → ingests under way
  let ingestMs = 0
  return {
    ingestMs: () => ingestMs,
    items: async () => core.store.syncItems(core.clock.now()),
    status: async id => core.store.status(id),
    holds: id => {
      if (arriving.has(Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex'))) return true
      try { return core.store.holds(id) } catch { return false }
    },
    meta: id => {
      try { return core.store.syncMeta(id) } catch { return undefined }
    },
    get: async id => {
      const m = await core.store.get(id).catch(() => undefined)
      if (m === undefined) return undefined
      const e = m.envelope
      return { bytes: e.bytes, precedence: e.precedence, expires: e.expires, created: e.created }
    },
    ingest: async (bytes, source, digest) => {
      if (digest === undefined) return await core.ingest.ingest(bytes, source)
      const key = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('hex')
      arriving.set(key, (arriving.get(key) ?? 0) + 1)
      const t0 = core.clock.now()
      try {
        const result = await core.ingest.ingest(bytes, source, { digestOfBytes: digest })
        // First deliveries only: a duplicate is answered from memory and says nothing of the load.
        if (result.ok) ingestMs += (core.clock.now() - t0 - ingestMs) * INGEST_MS_WEIGHT
        return result
      } finally {
        const n = arriving.get(key)! - 1
        if (n === 0) arriving.delete(key)
        else arriving.set(key, n)
      }
    },
    sent: id => { core.outbox?.sent(id) },
    roster: () => {
      const bytes = core.roster.envelopeBytes()
      return { version: core.roster.version(), ...(bytes === undefined ? {} : { bytes }) }
    },
    // The core's timers too: with a virtual clock, sessions schedule on virtual time.
    clock: {
      now: () => core.clock.now(),
      ...(core.clock.setTimeout === undefined || core.clock.clearTimeout === undefined ? {} : { setTimeout: core.clock.setTimeout, clearTimeout: core.clock.clearTimeout })
    },
    ...(log === undefined ? {} : { log })
  }
}
