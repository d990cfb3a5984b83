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
import { EventEmitter } from 'node:events'
import { libp2pPrivateKey, peerIdOf, rawKeyOfPeer, toHex, type KeyPair } from '../identity/index.js'
import { createHost, handleLinks, openLink, closeDisallowedConnections, type C5Host } from '../links/libp2p/index.js'
import type { Link } from '../links/types.js'
import { createSyncSession } from '../sync/session.js'
import type { SyncSession, SyncSessionOptions, SyncStats } from '../sync/session-types.js'
import type { FrameType } from '../sync/frames.js'
import type { NodeCore } from './core.js'
import { syncComponentsFor } from './sync-components.js'

export const RECONNECT_INTERVAL_MS = 5_000
export const RECONNECT_MIN_BACKOFF_MS = 1_000
export const RECONNECT_MAX_BACKOFF_MS = 5 * 60_000
/** How long a peer that was banned for invalid messages stays refused. */
export const BAN_DURATION_MS = 10 * 60_000

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
   * An extra admission rule on top of the roster (and bans): the simulator and partition
   * tests cut links with it. Call `reapplyFilter()` after changing what it answers.
   */
  linkFilter?: (key: Uint8Array) => boolean
  log?: (event: string, fields: Record<string, unknown>) => void
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
  sync?: Pick<SyncStats, 'messagesSent' | 'messagesReceived' | 'messagesRejected' | 'roundsCompleted' | 'penalty'> & {
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

export interface MeshEvents {
  session: [{ peerId: string, event: 'open' | 'end', reason?: string }]
  banned: [{ peerId: string }]
}

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

interface Backoff { failures: number, next: number }

export async function startMesh (options: MeshOptions): Promise<MeshNode> {
  const { core } = options
  const log = options.log ?? (() => {})
  const now = (): number => core.clock.now()
  const myKeyHex = toHex(options.nodeKey.publicKey)
  const banned = new Map<string, number>() // key hex → until
  const banMs = options.banMs ?? BAN_DURATION_MS
  const isBanned = (keyHex: string): boolean => {
    const until = banned.get(keyHex)
    if (until === undefined) return false
    if (until > now()) return true
    banned.delete(keyHex)
    return false
  }
  const allowPeer = (key: Uint8Array): boolean => core.roster.state.isNodeAllowed(key, now()) && !isBanned(toHex(key)) && (options.linkFilter?.(key) ?? true)

  const host = await createHost({
    privateKey: await libp2pPrivateKey(options.nodeKey),
    listen: options.listen,
    ...(options.announce === undefined ? {} : { announce: options.announce }),
    bootstrap: options.bootstrap ?? [],
    mdns: options.mdns ?? false,
    dht: options.dht ?? true,
    allowPeer
  })
  const events = new EventEmitter<MeshEvents>()
  const sessions = new Map<string, SyncSession>()
  const backoff = new Map<string, Backoff>()
  let stopping = false
  const components = syncComponentsFor(core)

  function attach (link: Link): void {
    const peer = link.remote
    if (stopping || link.remoteKey === undefined || !allowPeer(link.remoteKey)) { link.abort(); return }
    const old = sessions.get(peer)
    if (old !== undefined) void old.stop()
    const session = createSyncSession(link, components, {
      ...options.sync,
      nodeKey: options.nodeKey.publicKey,
      onEvent: ev => {
        if (ev.type === 'banned') {
          banned.set(toHex(ev.remoteKey ?? new Uint8Array()), now() + banMs)
          log('peer.banned', { peer, code: ev.lastCode, penalty: ev.penalty })
          events.emit('banned', { peerId: peer })
          void host.hangUp(peerIdFromString(peer)).catch(() => {})
        }
      }
    })
    sessions.set(peer, session)
    session.start()
    events.emit('session', { peerId: peer, event: 'open' })
    log('session.open', { peer })
    void session.done.then(end => {
      if (sessions.get(peer) === session) sessions.delete(peer)
      log('session.end', { peer, reason: end.reason, code: end.code })
      events.emit('session', { peerId: peer, event: 'end', reason: end.reason })
    })
  }

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

  host.addEventListener('connection:open', (evt: CustomEvent<Connection>) => {
    const peer = evt.detail.remotePeer
    backoff.delete(peer.toString())
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

  // Push every newly admitted message to every session at once — as soon as it is verified
  // and authorised, without waiting for its write (forwarding does not depend on our disk; a
  // hop costs one verify, not one verify + one LevelDB batch). The session skips peers known
  // to have it (e.g. the one it came from).
  const onMessage = ({ envelope: e }: { envelope: { digest: Uint8Array, bytes: Uint8Array, precedence: any, created: number, kind: any } }): void => {
    for (const s of sessions.values()) s.notifyNew({ digest: e.digest, bytes: e.bytes, precedence: e.precedence, created: e.created, kind: e.kind })
  }
  core.ingest.events.on('admitted', onMessage)
  // A new roster or revocation may remove keys: cut their connections at once.
  const offRoster = core.roster.state.onChange(() => {
    const cut = closeDisallowedConnections(host, allowPeer)
    if (cut.length > 0) log('roster.cut', { peers: cut })
  })

  async function reconnect (): Promise<void> {
    const t = now()
    for (const m of core.roster.state.nodes(t)) {
      const keyHex = toHex(m.key)
      // Refused peers (banned, or cut by the link filter during a partition) are not dialled:
      // a refusal is not a failure and must not grow the backoff that delays the heal.
      if (keyHex === myKeyHex || !allowPeer(m.key)) continue
      const peer = peerIdOf(m.key)
      const id = peer.toString()
      if (host.getConnections(peer).length > 0) {
        if (opensTo(peer) && !sessions.has(id)) void openSession(peer)
        continue
      }
      const b = backoff.get(id) ?? { failures: 0, next: 0 }
      if (b.next > t) continue
      const rec = await core.store.peers.get(keyHex).catch(() => undefined)
      const addrs = (rec?.addrs ?? []).flatMap(a => { try { return [multiaddr(a)] } catch { return [] } })
      if (addrs.length > 0) await host.peerStore.merge(peer, { multiaddrs: addrs }).catch(() => {})
      if (addrs.length === 0 && (await host.peerStore.has(peer)) === false) continue
      try {
        await host.dial(peer, { signal: AbortSignal.timeout(10_000) })
      } catch {
        b.failures++
        const min = options.reconnect?.minBackoffMs ?? RECONNECT_MIN_BACKOFF_MS
        const max = options.reconnect?.maxBackoffMs ?? RECONNECT_MAX_BACKOFF_MS
        b.next = t + Math.min(max, min * 2 ** Math.min(b.failures, 20)) * (0.75 + Math.random() * 0.5)
        backoff.set(id, b)
      }
    }
  }
  let reconnecting = false
  const timer = setInterval(() => {
    if (reconnecting || stopping) return
    reconnecting = true
    void reconnect().finally(() => { reconnecting = false })
  }, options.reconnect?.intervalMs ?? RECONNECT_INTERVAL_MS)
  timer.unref()
  void reconnect()

  return {
    host,
    peerId: host.peerId.toString(),
    events,
    addrs: () => host.getMultiaddrs().map(a => a.toString()),
    dial: async addr => { await host.dial(multiaddr(addr)) },
    syncNow: () => { for (const s of sessions.values()) s.resync() },
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
        out.set(id, {
          peerId: id,
          key: keyHex,
          org: m.org,
          ...(m.name === undefined ? {} : { name: m.name }),
          state: isBanned(keyHex) ? 'banned' : host.getConnections(peer).length > 0 ? 'connected' : 'disconnected',
          syncing: s !== undefined,
          addrs: rec?.addrs ?? [],
          ...(rec?.lastConnected === undefined ? {} : { lastConnected: rec.lastConnected }),
          ...(backoff.get(id) === undefined ? {} : { failures: backoff.get(id)!.failures }),
          ...(stats === undefined ? {} : { sync: { messagesSent: stats.messagesSent, messagesReceived: stats.messagesReceived, messagesRejected: stats.messagesRejected, roundsCompleted: stats.roundsCompleted, penalty: stats.penalty, framesSent: frameCounts(stats.sent), framesReceived: frameCounts(stats.received) } })
        })
      }
      return [...out.values()]
    },
    stop: async () => {
      if (stopping) return
      stopping = true
      clearInterval(timer)
      core.ingest.events.off('admitted', onMessage)
      offRoster()
      await Promise.all([...sessions.values()].map(async s => s.stop()))
      await unhandle().catch(() => {})
      await host.stop()
    }
  }
}
