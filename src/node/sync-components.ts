/** Wires a sync session's injected components to a node's real store, ingest and roster. */
import type { SyncComponents } from '../sync/session-types.js'
import type { NodeCore } from './core.js'

export function syncComponentsFor (core: NodeCore, log?: SyncComponents['log']): SyncComponents {
  return {
    items: async () => core.store.syncItems(core.clock.now()),
    status: async id => core.store.status(id),
    holds: id => { try { return core.store.holds(id) } catch { return false } },
    get: async id => {
      const m = await core.store.get(id).catch(() => undefined)
      if (m === undefined) return undefined
      const e = m.envelope
      return { bytes: e.bytes, precedence: e.precedence, expires: e.expires, created: e.created }
    },
    ingest: async (bytes, source) => core.ingest.ingest(bytes, source),
    roster: () => {
      const bytes = core.roster.envelopeBytes()
      return { version: core.roster.version(), ...(bytes === undefined ? {} : { bytes }) }
    },
    clock: { now: () => core.clock.now() },
    ...(log === undefined ? {} : { log })
  }
}
