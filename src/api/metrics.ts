/**
 * /metrics (Prometheus text format, prom-client) — one registry per node (no global
 * default registry: the simulator runs many nodes in one process). Counters that the node
 * already keeps (ingest, store, sync sessions) are read when scraped; the delivery latency
 * histogram and the per-kind counts are fed by ingest events.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Envelope } from '../envelope/types.js'
import type { NodeCore } from '../node/core.js'
import type { MeshNode } from '../node/mesh.js'
import type { EventHub } from './sse.js'
import type { Gate } from './limits.js'

/** 'peer:12D3…' → 'peer': a label per kind of source, not per peer (bounded cardinality). */
export function sourceClass (source: string): string {
  const i = source.indexOf(':')
  const c = i < 0 ? source : source.slice(0, i)
  return ['local', 'peer', 'radio', 'file', 'bundle'].includes(c) ? c : 'other'
}

export interface NodeMetrics { registry: Registry, scrape: () => Promise<string>, close: () => void }

export function createMetrics (core: Pick<NodeCore, 'ingest' | 'store' | 'roster' | 'clock'>, parts: { mesh?: MeshNode, hub?: EventHub, gate?: Gate, receipts?: () => { sent: number, ids: number, failures: number, pending: number } }): NodeMetrics {
  const registry = new Registry()
  let refresh = async (): Promise<void> => {}
  collectDefaultMetrics({ register: registry, prefix: 'c5mesh_' })
  // prom-client names these gauges *_total, which Prometheus's conventions (and promtool) refuse.
  for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric('c5mesh_' + n)

  new Counter({
    name: 'c5mesh_ingest_total',
    help: 'Messages offered to ingest, by outcome code (ACCEPTED or an error code) and kind of source.',
    labelNames: ['code', 'source'],
    registers: [registry],
    collect () {
      this.reset()
      const s = core.ingest.stats()
      const add = (code: string, source: string, n: number): void => { if (n > 0) this.inc({ code, source }, n) }
      for (const [src, c] of Object.entries(s.bySource)) {
        const cls = sourceClass(src)
        add('ACCEPTED', cls, c.accepted)
        for (const [code, n] of Object.entries(c.byCode)) add(code, cls, n)
      }
    }
  })
  const byKind = new Counter({ name: 'c5mesh_messages_stored_total', help: 'Messages stored since start, by kind and precedence.', labelNames: ['kind', 'precedence'], registers: [registry] })
  const latency = new Histogram({
    name: 'c5mesh_delivery_latency_seconds',
    help: 'From a message\'s created time to its storing here, for messages from elsewhere.',
    labelNames: ['precedence'],
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400],
    registers: [registry]
  })
  const onMessage = ({ envelope, source }: { envelope: Envelope, source: string }): void => {
    byKind.inc({ kind: envelope.kind, precedence: envelope.precedence })
    if (source !== 'local') latency.observe({ precedence: envelope.precedence }, Math.max(0, core.clock.now() - envelope.created) / 1000)
  }
  core.ingest.events.on('message', onMessage)

  new Gauge({ name: 'c5mesh_store_messages', help: 'Messages in the store (expired ones until swept).', registers: [registry], collect () { this.set(core.store.count()) } })
  new Counter({ name: 'c5mesh_store_write_faults_total', help: 'Failed store writes since start.', registers: [registry], collect () { this.reset(); this.inc(core.store.stats().writeFaults) } })
  new Gauge({ name: 'c5mesh_store_write_failing', help: '1 while store writes are failing (nothing new is being stored).', registers: [registry], collect () { this.set(core.store.stats().writeFault === undefined ? 0 : 1) } })
  new Gauge({ name: 'c5mesh_roster_version', help: 'Version of the roster in force.', registers: [registry], collect () { this.set(core.roster.version()) } })

  if (parts.receipts !== undefined) {
    const r = parts.receipts
    new Counter({ name: 'c5mesh_receipts_sent_total', help: 'Delivery receipts this node sent since start.', registers: [registry], collect () { this.reset(); this.inc(r().sent) } })
    new Counter({ name: 'c5mesh_receipts_ids_total', help: 'Messages named by the receipts this node sent since start.', registers: [registry], collect () { this.reset(); this.inc(r().ids) } })
    new Gauge({ name: 'c5mesh_receipts_pending_ids', help: 'Stored messages waiting for this node\'s receipt.', registers: [registry], collect () { this.set(r().pending) } })
  }

  if (parts.mesh !== undefined) {
    const mesh = parts.mesh
    let peers: Awaited<ReturnType<MeshNode['peers']>> = []
    const connected = new Gauge({ name: 'c5mesh_peers_connected', help: 'Roster peers with a connection now.', registers: [registry] })
    const frames = new Counter({ name: 'c5mesh_sync_frames_total', help: 'Sync frames on the current session with each peer, by direction and frame type.', labelNames: ['peer', 'org', 'direction', 'type'], registers: [registry] })
    const messages = new Counter({ name: 'c5mesh_sync_messages_total', help: 'Messages on the current session with each peer, by direction.', labelNames: ['peer', 'org', 'direction'], registers: [registry] })
    // One peers() call per scrape, shared by the gauges (it reads the peer book).
    refresh = async (): Promise<void> => { await refreshPeers() }
    const refreshPeers = async (): Promise<void> => {
      peers = await mesh.peers()
      connected.set(peers.filter(p => p.state === 'connected').length)
      frames.reset(); messages.reset()
      for (const p of peers) {
        if (p.sync === undefined) continue
        const l = { peer: p.peerId, org: p.org ?? '' }
        for (const [type, n] of Object.entries(p.sync.framesSent)) if (n > 0) frames.inc({ ...l, direction: 'sent', type }, n)
        for (const [type, n] of Object.entries(p.sync.framesReceived)) if (n > 0) frames.inc({ ...l, direction: 'received', type }, n)
        if (p.sync.messagesSent > 0) messages.inc({ ...l, direction: 'sent' }, p.sync.messagesSent)
        if (p.sync.messagesReceived > 0) messages.inc({ ...l, direction: 'received' }, p.sync.messagesReceived)
      }
    }
  }
  if (parts.hub !== undefined) {
    const hub = parts.hub
    new Gauge({ name: 'c5mesh_api_event_clients', help: 'Clients on the event stream now.', registers: [registry], collect () { this.set(hub.stats().clients) } })
    new Gauge({ name: 'c5mesh_api_event_unsent_bytes', help: 'Bytes written to event-stream clients that their sockets have not taken yet (bounded per client).', registers: [registry], collect () { this.set(hub.stats().unsentBytes) } })
    new Counter({ name: 'c5mesh_api_event_clients_dropped_total', help: 'Event-stream clients dropped for not reading, since start.', registers: [registry], collect () { this.reset(); this.inc(hub.stats().dropped) } })
  }
  if (parts.gate !== undefined) {
    const gate = parts.gate
    new Counter({ name: 'c5mesh_api_queries_refused_total', help: 'Expensive API requests refused as busy, since start.', registers: [registry], collect () { this.reset(); this.inc(gate.stats().refused) } })
  }
  return {
    registry,
    scrape: async () => { await refresh(); return await registry.metrics() },
    close: () => { core.ingest.events.off('message', onMessage) }
  }
}
