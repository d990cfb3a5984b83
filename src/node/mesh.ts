/**
 * The networked node: a NodeCore plus a libp2p host, one sync session per connected roster
 * peer, pushes of every newly ingested message, reconnection with backoff to the roster's
 * nodes, and enforcement of roster changes and bans on open connections
 * (docs/PROTOCOL.md §7 "Node behaviour").
 *
 * Who opens the sync stream: of two connected peers, the one whose node key sorts lower.
 * One session per pair, whichever side dialled the connection.
 */
import type { Connection, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import type { EventEmitter } from 'node:events'
import { libp2pPrivateKey, peerIdOf, rawKeyOfPeer, toHex, type KeyPair } from '../identity/index.js'
import { createHost, handleLinks, openLink, closeDisallowedConnections, type C5Host } from '../links/libp2p/index.js'
import type { Link } from '../links/types.js'
import type { SyncSessionOptions, SyncStats } from '../sync/session-types.js'
import type { FrameType } from '../sync/frames.js'
import { timersOf } from '../util/clock.js'
import type { NodeCore } from './core.js'
import { createPeerGuard } from './peer-guard.js'
import { createPeering, type PeeringEvents } from './peering.js'
import { createReconnector, type DialOutcome } from './reconnect.js'

export { RECONNECT_INTERVAL_MS, RECONNECT_MIN_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS } from './reconnect.js'
export { BAN_DURATION_MS } from './peering.js'
/** A libp2p dial that has not connected by then has failed (libp2p runs on the wall clock). */
export const DIAL_TIMEOUT_MS = 10_000

export interface MeshOptions {
  core: NodeCore
  nodeKey: KeyPair
  listen: string[]
  announce?: string[]
  bootstrap?: string[]
  mdns?: boolean
  dht?: boolean
  sync?: Omit<SyncSessionOptions, 'nodeKey' | 'onEvent' | 'signal' | 'source'>
  reconnect?: { intervalMs?: number, minBackoffMs?: number, maxBackoffMs?: number }
  banMs?: number
  /**
   * Addresses (multiaddrs; ranges with /ipcidr) always admitted past libp2p's
   * pre-authentication limits, besides the roster peers' known addresses (config
   * connections.allow; docs/protocol/links.md §5.1).
   */
  allowInbound?: string[]
  /**
   * An extra admission rule on top of the roster (and bans): the simulator and partition
   * tests cut links with it. Call `reapplyFilter()` after changing what it answers.
   */
  linkFilter?: (key: Uint8Array) => boolean
  log?: (event: string, fields: Record<string, unknown>) => void
  /** Jitter of the reconnect backoff (default Math.random). */
  random?: () => number
}

export interface PeerView {
  peerId: string
  key: string
  org?: string
  name?: string
  state: 'connected' | 'disconnected' | 'banned'
  syncing: boolean
  addrs: string[]
  lastConnected?: number
  failures?: number
  sync?: Pick<SyncStats, 'messagesSent' | 'messagesReceived' | 'messagesRejected' | 'messagesKnown' | 'roundsCompleted' | 'penalty' | 'queued' | 'wantIgnored'> & {
    /**
     * Frames of each type sent and received on this session: how lazy push is doing
     * (msg against ihave/want, prune/graft) and how much reconciliation costs (recon).
     */
    framesSent: Record<FrameType, number>
    framesReceived: Record<FrameType, number>
  }
}

const frameCounts = (c: SyncStats['sent']): Record<FrameType, number> =>
  Object.fromEntries(Object.entries(c).map(([type, v]) => [type, v.frames])) as Record<FrameType, number>

export type MeshEvents = PeeringEvents

export interface MeshNode {
  host: C5Host
  peerId: string
  events: EventEmitter<MeshEvents>
  addrs: () => string[]
  peers: () => Promise<PeerView[]>
  /** Dials a multiaddr with /p2p/ (tests and `bootstrap`). */
  dial: (addr: string) => Promise<void>
  /** Starts a reconciliation round with every connected peer now. */
  syncNow: () => void
  sessionCount: () => number
  /** Closes connections that the roster, bans or linkFilter now refuse. */
  reapplyFilter: () => string[]
  stop: () => Promise<void>
}


export async function startMesh (options: MeshOptions): Promise<MeshNode> {
  const { core } = options
  const log = options.log ?? (() => {})
  const now = (): number => core.clock.now()
  const myKeyHex = toHex(options.nodeKey.publicKey)
  let host!: C5Host
  // Bans outlive a restart: they are kept in the store's meta book.
  const guard = createPeerGuard({ now, meta: core.store.meta, ...(options.banMs === undefined ? {} : { banMs: options.banMs }), onError: err => { log('peer.bans-not-saved', { error: String(err) }) } })
  await guard.restore()
  const peering = createPeering({
    core,
    guard,
    nodeKey: options.nodeKey.publicKey,
    ...(options.sync === undefined ? {} : { sync: options.sync }),
    ...(options.banMs === undefined ? {} : { banMs: options.banMs }),
    ...(options.linkFilter === undefined ? {} : { linkFilter: options.linkFilter }),
    onBanned: peer => { void host.hangUp(peerIdFromString(peer)).catch(() => {}) },
    log
  })
  const { allowPeer, isBanned, sessions, events } = peering

  // Where roster peers were last seen (the peer book) and the bootstrap list: their inbound
  // connections go past the pre-authentication limits that an outsider's sockets can fill.
  const rosterKeys = new Set(core.roster.state.nodes(now()).map(m => toHex(m.key)))
  const known = (await core.store.peers.list().catch(() => [])).filter(r => rosterKeys.has(r.key)).flatMap(r => r.addrs)
  host = await createHost({
    privateKey: await libp2pPrivateKey(options.nodeKey),
    allowInbound: [...(options.allowInbound ?? []), ...(options.bootstrap ?? []), ...known],
    listen: options.listen,
    ...(options.announce === undefined ? {} : { announce: options.announce }),
    bootstrap: options.bootstrap ?? [],
    mdns: options.mdns ?? false,
    dht: options.dht ?? true,
    allowPeer
  })
  let stopping = false
  const attach = (link: Link): void => { if (stopping) link.abort(); else peering.attach(link) }

  // Peers with an openLink in flight. Two connections to a peer (both sides dialled at once,
  // as after mutual mDNS discovery) would otherwise open two sessions; the peer may attach
  // them in the other order, keeping the one we replace, and the pair is left with none.
  const opening = new Set<string>()
  async function openSession (peer: PeerId): Promise<void> {
    const id = peer.toString()
    if (stopping || sessions.has(id) || opening.has(id)) return
    opening.add(id)
    try {
      attach(await openLink(host, peer))
    } catch (err) {
      log('session.open-failed', { peer: id, error: (err as Error).message })
    } finally {
      opening.delete(id)
    }
  }

  /** The lower key opens the sync stream, so a pair has one session. */
  const opensTo = (peer: PeerId): boolean => {
    const key = rawKeyOfPeer(peer)
    return key !== undefined && myKeyHex < toHex(key)
  }

  const unhandle = await handleLinks(host, attach)

  async function dial (peer: PeerId, keyHex: string): Promise<DialOutcome> {
    const rec = await core.store.peers.get(keyHex).catch(() => undefined)
    const addrs = (rec?.addrs ?? []).flatMap(a => { try { return [multiaddr(a)] } catch { return [] } })
    if (addrs.length > 0) await host.peerStore.merge(peer, { multiaddrs: addrs }).catch(() => {})
    if (addrs.length === 0 && (await host.peerStore.has(peer)) === false) return 'skipped'
    try {
      await host.dial(peer, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      return 'connected'
    } catch {
      return 'failed'
    }
  }
  const reconnector = createReconnector({
    clock: timersOf(core.clock, { unref: true }),
    random: options.random ?? Math.random,
    targets: () => core.roster.state.nodes(now())
      .filter(m => toHex(m.key) !== myKeyHex && allowPeer(m.key))
      .map(m => ({ id: peerIdOf(m.key).toString(), key: m.key })),
    connected: t => host.getConnections(peerIdFromString(t.id)).length > 0,
    whileConnected: t => {
      const peer = peerIdFromString(t.id)
      if (opensTo(peer) && !sessions.has(t.id)) void openSession(peer)
    },
    dial: async t => await dial(peerIdFromString(t.id), toHex(t.key))
  }, options.reconnect)

  host.addEventListener('connection:open', (evt: CustomEvent<Connection>) => {
    const peer = evt.detail.remotePeer
    reconnector.connected(peer.toString())
    const key = rawKeyOfPeer(peer)
    if (key !== undefined) {
      void core.store.peers.get(toHex(key)).then(rec => core.store.peers.put({ key: toHex(key), addrs: rec?.addrs ?? [], lastConnected: now(), lastSeen: now(), failures: 0 })).catch(() => {})
    }
    if (opensTo(peer)) void openSession(peer)
  })
  host.addEventListener('peer:identify', (evt) => {
    const key = rawKeyOfPeer(evt.detail.peerId)
    if (key === undefined || !allowPeer(key)) return
    const addrs = evt.detail.listenAddrs.map(a => a.toString()).filter(a => !a.includes('/p2p-circuit')).slice(0, 16)
    void core.store.peers.put({ key: toHex(key), addrs, lastSeen: now(), lastConnected: now(), failures: 0 }).catch(() => {})
  })
  host.addEventListener('peer:discovery', (evt) => {
    const key = rawKeyOfPeer(evt.detail.id)
    if (key !== undefined && allowPeer(key) && host.getConnections(evt.detail.id).length === 0) void host.dial(evt.detail.id).catch(() => {})
  })

  // A new roster or revocation may remove keys: cut their connections at once.
  peering.onRosterChange(() => {
    const cut = closeDisallowedConnections(host, allowPeer)
    if (cut.length > 0) log('roster.cut', { peers: cut })
  })
  reconnector.start()

  return {
    host,
    peerId: host.peerId.toString(),
    events,
    addrs: () => host.getMultiaddrs().map(a => a.toString()),
    dial: async addr => { await host.dial(multiaddr(addr)) },
    syncNow: () => { peering.syncNow() },
    sessionCount: () => sessions.size,
    reapplyFilter: () => closeDisallowedConnections(host, allowPeer),
    peers: async () => {
      const t = now()
      const out = new Map<string, PeerView>()
      const records = new Map((await core.store.peers.list().catch(() => [])).map(r => [r.key, r]))
      for (const m of core.roster.state.nodes(t)) {
        const keyHex = toHex(m.key)
        if (keyHex === myKeyHex) continue
        const peer = peerIdOf(m.key)
        const id = peer.toString()
        const s = sessions.get(id)
        const rec = records.get(keyHex)
        const stats = s?.stats()
        const failures = reconnector.failures(id)
        out.set(id, {
          peerId: id,
          key: keyHex,
          org: m.org,
          ...(m.name === undefined ? {} : { name: m.name }),
          state: isBanned(keyHex) ? 'banned' : host.getConnections(peer).length > 0 ? 'connected' : 'disconnected',
          syncing: s !== undefined,
          addrs: rec?.addrs ?? [],
          ...(rec?.lastConnected === undefined ? {} : { lastConnected: rec.lastConnected }),
          ...(failures === undefined ? {} : { failures }),
          ...(stats === undefined ? {} : { sync: { messagesSent: stats.messagesSent, messagesReceived: stats.messagesReceived, messagesRejected: stats.messagesRejected, messagesKnown: stats.messagesKnown, roundsCompleted: stats.roundsCompleted, penalty: stats.penalty, queued: stats.queued, wantIgnored: stats.wantIgnored, framesSent: frameCounts(stats.sent), framesReceived: frameCounts(stats.received) } })
        })
      }
      return [...out.values()]
    },
    stop: async () => {
      if (stopping) return
      stopping = true
      reconnector.stop()
      await peering.stop()
      await unhandle().catch(() => {})
      await host.stop()
      await guard.saved()
    }
  }
}
