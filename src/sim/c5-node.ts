/**
 * A c5mesh node in the simulator: the real node core (store, roster, the one ingest path),
 * the real session management (src/node/peering.ts) and reconnect loop
 * (src/node/reconnect.ts), on the virtual clock, over the simulated network. Nothing here
 * re-implements the protocol: this file only wires the parts as the daemon does, with a
 * store in memory (memory-level, kept across a power loss) or on disk.
 */
import { join } from 'node:path'
import { MemoryLevel } from 'memory-level'
import { Level } from 'level'
import type { Envelope } from '../envelope/types.js'
import { toHex, type KeyPair } from '../identity/index.js'
import { openNodeCore, type NodeCore } from '../node/core.js'
import { BAN_DURATION_MS, createPeering, type Peering } from '../node/peering.js'
import { createReconnector, type Reconnector } from '../node/reconnect.js'
import type { SyncSessionOptions } from '../sync/session-types.js'
import type { RootDb } from '../store/layout.js'
import type { TrustAnchors } from '../roster/types.js'
import type { Clock } from '../util/clock.js'
import type { VirtualClock } from './clock.js'
import type { SimNetwork } from './network.js'
import type { SimLink } from './medium.js'
import type { SimStack, StackEvents } from './stack.js'
import { startRadio, type RadioNode } from '../node/radio.js'
import type { RadioPort } from '../links/types.js'
import { localBundleNode } from '../links/bundle/index.js'

export interface C5NodeInit {
  org: string
  nodeKey: KeyPair
  clock: VirtualClock
  network: SimNetwork
  anchors: TrustAnchors
  /** The roster envelope every node starts with (as `c5mesh roster import` on day one). */
  rosterEnvelope: Uint8Array
  random: () => number
  events: StackEvents
  sync: Omit<SyncSessionOptions, 'nodeKey' | 'onEvent' | 'signal' | 'source'>
  maxClockSkewMs?: number
  /** A folder for LevelDB stores on disk (`--disk`); default: in memory. */
  diskDir?: string
}

export function createC5Node (init: C5NodeInit): SimStack {
  const { org, clock, network } = init
  let core: NodeCore | undefined
  let peering: Peering | undefined
  let reconnector: Reconnector | undefined
  let on = false
  let radios: Array<{ radio: RadioNode, port: RadioPort }> = []
  const memory = init.diskDir === undefined ? new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' }) as unknown as RootDb : undefined
  const path = init.diskDir === undefined ? `memory:${org}` : join(init.diskDir, org)
  // The node's own clock: true virtual time plus its skew (a clock set wrong), same timers.
  const nodeClock: Clock = {
    now: () => clock.now() + stack.skewMs,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout
  }
  const nonce = (): Uint8Array => { const n = new Uint8Array(8); for (let i = 0; i < 8; i++) n[i] = Math.floor(init.random() * 256); return n }

  network.register({ org, key: init.nodeKey.publicKey, running: () => on, attach: link => { if (peering === undefined) link.abort(); else peering.attach(link) } })

  async function boot (): Promise<void> {
    const c = await openNodeCore({
      storePath: path,
      ...(memory === undefined ? { db: () => new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as RootDb } : { db: () => memory }),
      anchors: init.anchors,
      clock: nodeClock,
      sweepIntervalMs: 60_000,
      ...(init.maxClockSkewMs === undefined ? {} : { maxClockSkewMs: init.maxClockSkewMs })
    })
    if (c.roster.version() === 0) await c.ingest.ingest(init.rosterEnvelope, 'local')
    c.ingest.events.on('message', ({ envelope, source }) => { init.events.delivered(org, envelope, source) })
    c.ingest.events.on('rejected', r => { init.events.rejected(org, r.code, r.id, r.source) })
    const p = createPeering({ core: c, nodeKey: init.nodeKey.publicKey, sync: init.sync, nonce })
    p.events.on('session', e => { init.events.session(org, e.peerId, e.event, e.reason) })
    p.events.on('banned', e => { init.events.banned(org, e.peerId) })
    p.onRosterChange(() => {
      // Links the roster now refuses (a revoked node key) are cut, as the libp2p mesh does.
      for (const l of network.linksOf(org)) if (!p.allowPeer(l.remoteKey)) l.abort(new Error('refused by the roster'))
    })
    const myKey = toHex(init.nodeKey.publicKey)
    let cached: { version: number, list: Array<{ id: string, key: Uint8Array }> } | undefined
    const r = createReconnector({
      clock: { now: nodeClock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout },
      random: init.random,
      // The roster's nodes we have a link to (others would be 'skipped': no address), the
      // list kept per roster version (a pass every 5 s on every node is most of a quiet run).
      targets: () => {
        const version = c.roster.version()
        if (cached?.version !== version) {
          const neighbours = new Set(network.neighbourOrgs(org))
          cached = { version, list: c.roster.state.nodes(nodeClock.now()).filter(m => toHex(m.key) !== myKey && neighbours.has(m.org)).map(m => ({ id: m.org, key: m.key })) }
        }
        return cached.list.filter(t => p.allowPeer(t.key))
      },
      connected: t => network.connected(org, t.id),
      dial: async t => await network.dial(org, t.id)
    }, { idleWhenConnected: true })
    // Passes that would find every neighbour linked are skipped until something changes.
    p.events.on('session', e => { if (e.event === 'end') r.wake() })
    p.events.on('banned', () => { clock.setTimeout(() => { r.wake() }, BAN_DURATION_MS + 1) })
    p.onRosterChange(() => { cached = undefined; r.wake() })
    core = c
    peering = p
    reconnector = r
    on = true
    network.nodeUp(org)
    r.start()
    // Radio: the node's radio part as the daemon runs it (src/node/radio.ts: a station of
    // the radio link layer, sessions with radio settings, shared frames ingested) on a port
    // of the channel's in-memory broadcast medium.
    for (const ch of network.channelsOf(org)) {
      const port = network.radioPort(ch, org)
      const radio = startRadio({
        core: c,
        nodeKey: init.nodeKey,
        port,
        stationId: org.replace(/[^A-Z0-9/-]/g, '').slice(0, 16),
        station: { clock: nodeClock, random: init.random, epoch: nonce(), stopTimeoutMs: 1_000 }
      })
      radio.peering.events.on('session', e => { init.events.session(org, `radio:${e.peerId}`, e.event, e.reason) })
      radio.peering.events.on('banned', e => { init.events.banned(org, `radio:${e.peerId}`) })
      radios.push({ radio, port })
    }
  }

  async function halt (): Promise<void> {
    if (!on) return
    on = false
    reconnector?.stop()
    network.nodeDown(org)
    // Power loss: the radio goes silent at once (nothing more is transmitted), then stops.
    for (const { port } of radios) await port.close().catch(() => {})
    for (const { radio } of radios) await radio.stop().catch(() => {})
    radios = []
    await peering?.stop()
    await core?.close()
    core = undefined
    peering = undefined
  }

  const stack: SimStack = {
    org,
    key: init.nodeKey.publicKey,
    skewMs: 0,
    running: () => on,
    start: boot,
    powerOff: halt,
    powerOn: async () => { if (!on) await boot() },
    stop: halt,
    publish: async (env: Envelope) => {
      if (core === undefined) return false
      const r = await core.ingest.ingest(env.bytes, 'local')
      return r.ok
    },
    importBytes: async (list, source) => {
      if (core === undefined) return
      for (const b of list) await core.ingest.ingest(b, source)
    },
    exportBytes: async () => {
      if (core === undefined) return []
      const c = core
      const out: Uint8Array[] = []
      for (const item of c.store.syncItems(nodeClock.now())) {
        const m = await c.store.get(item.id).catch(() => undefined)
        if (m !== undefined) out.push(m.envelope.bytes)
      }
      return out
    },
    bundles: () => core === undefined ? undefined : localBundleNode({ core, signer: init.nodeKey, org }),
    holds: digest => { try { return core?.store.holds(digest) ?? false } catch { return false } },
    queued: () => {
      let n = 0
      for (const s of peering?.sessions.values() ?? []) n += s.stats().queued
      for (const { radio } of radios) for (const s of radio.peering.sessions.values()) n += s.stats().queued
      return n
    },
    links: (): SimLink[] => network.linksOf(org),
    rosterVersion: () => core?.roster.version() ?? 0
  }
  return stack
}
