/**
 * The transport-agnostic half of a networked node (docs/PROTOCOL.md §7 "Node behaviour"):
 * one sync session per linked roster peer, every newly admitted message pushed to every
 * session, bans of peers that sent invalid messages, and the links that a roster change or
 * a ban now refuses cut. The libp2p mesh (mesh.ts) and the simulator (src/sim) both build
 * on it, so the simulator runs the node's own session management, not a copy of it.
 *
 * Time comes from the core's clock: with a virtual clock, sessions run on virtual time.
 */
import { EventEmitter } from 'node:events'
import { toHex } from '../identity/index.js'
import type { Link } from '../links/types.js'
import { createSyncSession } from '../sync/session.js'
import type { PushMessage, SyncSession, SyncSessionOptions } from '../sync/session-types.js'
import type { NodeCore } from './core.js'
import { syncComponentsFor } from './sync-components.js'
import { createPeerGuard, POINTS_PER_VIOLATION, VIOLATION_CODES, type PeerGuard } from './peer-guard.js'

export { BAN_DURATION_MS } from './peer-guard.js'

/** Admitted, not yet written messages kept for sessions that open meanwhile (writes are quick; this bounds a stuck disk). */
export const MAX_UNWRITTEN_PUSHES = 4096

export interface PeeringEvents {
  session: [{ peerId: string, event: 'open' | 'end', reason?: string }]
  banned: [{ peerId: string }]
}

export interface PeeringOptions {
  core: NodeCore
  /** This node's 32-byte public key (HELLO). */
  nodeKey: Uint8Array
  sync?: Omit<SyncSessionOptions, 'nodeKey' | 'onEvent' | 'signal' | 'source'>
  banMs?: number
  /** An extra admission rule on top of the roster and bans (partitions in tests and the simulator). */
  linkFilter?: (key: Uint8Array) => boolean
  /** HELLO nonces (default: crypto random); the simulator draws them from its seed. */
  nonce?: () => Uint8Array
  /** A session banned its peer: the transport should hang up on it. */
  onBanned?: (peer: string) => void
  /** Per-key scores, bans and budgets (default: in memory, bans not persisted). */
  guard?: PeerGuard
  log?: (event: string, fields: Record<string, unknown>) => void
}

export interface Peering {
  events: EventEmitter<PeeringEvents>
  /** Open sessions by the link's `remote` label. */
  sessions: ReadonlyMap<string, SyncSession>
  /** Whether a link with this node key may exist now: on the roster, not banned, not filtered. */
  allowPeer: (key: Uint8Array) => boolean
  isBanned: (keyHex: string) => boolean
  guard: PeerGuard
  /** Runs a sync session on a new link (replacing an older one with the same peer). */
  attach: (link: Link) => void
  /** A reconciliation round with every linked peer now. */
  syncNow: () => void
  /** Calls `cut` whenever the roster changes (the transport closes links allowPeer now refuses). */
  onRosterChange: (cut: () => void) => void
  stop: () => Promise<void>
}

export function createPeering (options: PeeringOptions): Peering {
  const { core } = options
  const log = options.log ?? (() => {})
  const now = (): number => core.clock.now()
  const guard = options.guard ?? createPeerGuard({ now, ...(options.banMs === undefined ? {} : { banMs: options.banMs }) })
  const events = new EventEmitter<PeeringEvents>()
  const sessions = new Map<string, SyncSession>()
  const components = syncComponentsFor(core)
  const rosterListeners: Array<() => void> = []
  let stopping = false

  const isBanned = (keyHex: string): boolean => guard.isBanned(keyHex)
  const allowPeer = (key: Uint8Array): boolean => core.roster.state.isNodeAllowed(key, now()) && !isBanned(toHex(key)) && (options.linkFilter?.(key) ?? true)

  /** Records a ban (once) and hangs up: every session of the key ends. */
  function banned (peer: string, keyHex: string, ban: { until: number, code: string } | undefined, points: number): void {
    if (ban === undefined) return
    log('peer.banned', { peer, code: ban.code, score: points, until: new Date(ban.until).toISOString() })
    events.emit('banned', { peerId: peer })
    options.onBanned?.(peer)
    void sessions.get(peer)?.stop()
  }

  function attach (link: Link): void {
    const peer = link.remote
    if (stopping || link.remoteKey === undefined || !allowPeer(link.remoteKey)) { link.abort(); return }
    const keyHex = toHex(link.remoteKey)
    // Each session would start its limits afresh: opens are budgeted per key.
    if (!guard.mayOpenSession(keyHex)) {
      link.abort(new Error('sessions opened too often'))
      return
    }
    const old = sessions.get(peer)
    if (old !== undefined) void old.stop()
    const session = createSyncSession(link, components, {
      ...options.sync,
      nodeKey: options.nodeKey,
      budgets: guard.budgetsFor(keyHex),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce() }),
      onEvent: ev => {
        if (ev.type === 'fault') banned(peer, keyHex, guard.penalise(keyHex, ev.points, ev.code), guard.score(keyHex))
        else if (ev.type === 'banned') banned(peer, keyHex, guard.ban(keyHex, ev.lastCode), ev.penalty)
      }
    })
    sessions.set(peer, session)
    session.start()
    for (const m of unwritten.values()) session.notifyNew(m)
    events.emit('session', { peerId: peer, event: 'open' })
    log('session.open', { peer })
    void session.done.then(end => {
      if (sessions.get(peer) === session) sessions.delete(peer)
      // A protocol violation we detected (not the peer's ERROR, not our own failure) counts.
      if (end.reason === 'error' && end.code !== undefined && VIOLATION_CODES.has(end.code)) {
        banned(peer, keyHex, guard.penalise(keyHex, POINTS_PER_VIOLATION, end.code), guard.score(keyHex))
      }
      log('session.end', { peer, reason: end.reason, code: end.code })
      events.emit('session', { peerId: peer, event: 'end', reason: end.reason })
    })
  }

  // Push every newly admitted message to every session at once — as soon as it is verified
  // and authorised, without waiting for its write (forwarding does not depend on our disk; a
  // hop costs one verify, not one verify + one LevelDB batch). The session skips peers known
  // to have it (e.g. the one it came from).
  //
  // A message admitted but not yet written is in no session's reconciliation set: a session
  // that opens in between would miss it both ways (seen: a push lost until the next periodic
  // round). Those messages are kept until written and pushed to every session that opens.
  const unwritten = new Map<string, PushMessage>()
  const onMessage = ({ envelope: e }: { envelope: { id: string, digest: Uint8Array, bytes: Uint8Array, precedence: any, created: number, kind: any } }): void => {
    const m: PushMessage = { digest: e.digest, bytes: e.bytes, precedence: e.precedence, created: e.created, kind: e.kind }
    if (unwritten.size < MAX_UNWRITTEN_PUSHES) unwritten.set(e.id, m)
    for (const s of sessions.values()) s.notifyNew(m)
  }
  const onWritten = ({ envelope: e }: { envelope: { id: string } }): void => { unwritten.delete(e.id) }
  // A write that failed is reported with the message's id.
  const onRefused = (r: { id?: string }): void => { if (r.id !== undefined) unwritten.delete(r.id) }
  core.ingest.events.on('admitted', onMessage)
  core.ingest.events.on('message', onWritten)
  core.ingest.events.on('rejected', onRefused)
  // A new roster or revocation may remove keys: the transport cuts their links at once.
  const offRoster = core.roster.state.onChange(() => { for (const cut of rosterListeners) cut() })

  return {
    events,
    sessions,
    allowPeer,
    isBanned,
    guard,
    attach,
    syncNow: () => { for (const s of sessions.values()) s.resync() },
    onRosterChange: cut => { rosterListeners.push(cut) },
    stop: async () => {
      if (stopping) return
      stopping = true
      core.ingest.events.off('admitted', onMessage)
      core.ingest.events.off('message', onWritten)
      core.ingest.events.off('rejected', onRefused)
      offRoster()
      await Promise.all([...sessions.values()].map(async s => s.stop()))
    }
  }
}
