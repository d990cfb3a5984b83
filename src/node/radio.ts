/**
 * A node on a radio channel (docs/protocol/links.md §7.9): one radio station on a RadioPort
 * (a KISS TNC, or the in-memory channel in tests and the simulator), a sync session on the
 * link with every neighbour the roster allows — the same sessions, the same ingest and the
 * same peering (bans, pushes, roster cuts) as on libp2p — plus the node's intake of shared
 * frames heard outside any link.
 *
 * Sessions on radio links run with radio settings (RADIO_SYNC_DEFAULTS): no lazy push (the
 * channel already carries each message once for everyone), recent-first reconciliation
 * (src/sync/reconcile/recent.ts), longer timeouts and a longer period between rounds.
 */
import type { KeyPair } from '../identity/index.js'
import type { RadioPort } from '../links/types.js'
import { createRadioStation, type NeighbourView, type RadioStation, type RadioStationOptions, type RadioStationStats, type StationInfo } from '../links/radio/index.js'
import { decodeFrame } from '../sync/frames.js'
import { createRecentReconciler } from '../sync/reconcile/recent.js'
import type { SyncSessionOptions, SyncStats } from '../sync/session-types.js'
import type { NodeCore } from './core.js'
import { createPeering, type Peering, type PeeringOptions } from './peering.js'
import type { FrameType } from '../sync/frames.js'

/** Between periodic reconciliation rounds on a radio link (a round in sync costs ~100 bytes of air). */
export const RADIO_RECONCILE_INTERVAL_MS = 15 * 60_000

/** Session settings for radio links (each can be overridden). */
export const RADIO_SYNC_DEFAULTS: NonNullable<PeeringOptions['sync']> = {
  lazyPush: false,
  createReconciler: items => createRecentReconciler(items),
  reconcileIntervalMs: RADIO_RECONCILE_INTERVAL_MS,
  // At 1,200 bit/s a HELLO or a round's reply can wait behind minutes of repair.
  helloTimeoutMs: 5 * 60_000,
  roundTimeoutMs: 10 * 60_000
}

export interface RadioNodeOptions {
  core: NodeCore
  nodeKey: KeyPair
  port: RadioPort
  /** The station id sent in hellos (a call sign, or a name such as C5-YUC). */
  stationId: string
  /** Radio frame size (default 256). */
  frameBytes?: number
  sync?: Omit<SyncSessionOptions, 'nodeKey' | 'onEvent' | 'signal' | 'source'>
  banMs?: number
  linkFilter?: (key: Uint8Array) => boolean
  /** Station options for tests and the simulator (random, epoch, timers). */
  station?: Partial<Omit<RadioStationOptions, 'port' | 'nodeKey' | 'stationId' | 'allowKey' | 'onLink' | 'onShared'>>
  log?: (event: string, fields: Record<string, unknown>) => void
}

/** What `c5mesh peers` and GET /v1/peers show of a radio link (docs/protocol/node.md). */
export interface RadioView {
  port: string
  station: RadioStationStats
  neighbours: Array<NeighbourView & {
    org?: string
    sync?: Pick<SyncStats, 'messagesSent' | 'messagesReceived' | 'messagesRejected' | 'roundsCompleted' | 'penalty'> & { framesSent: Record<FrameType, number>, framesReceived: Record<FrameType, number> }
  }>
  /** Messages taken from shared frames heard outside any link. */
  sharedIngested: number
}

export interface RadioNode {
  station: RadioStation
  peering: Peering
  view: () => RadioView
  stop: () => Promise<void>
}

const counts = (c: SyncStats['sent']): Record<FrameType, number> =>
  Object.fromEntries(Object.entries(c).map(([t, v]) => [t, v.frames])) as Record<FrameType, number>

export function startRadio (o: RadioNodeOptions): RadioNode {
  const log = o.log ?? (() => {})
  let sharedIngested = 0
  let station!: RadioStation
  const peering = createPeering({
    core: o.core,
    nodeKey: o.nodeKey.publicKey,
    sync: { ...RADIO_SYNC_DEFAULTS, ...o.sync },
    ...(o.banMs === undefined ? {} : { banMs: o.banMs }),
    ...(o.linkFilter === undefined ? {} : { linkFilter: o.linkFilter }),
    // A banned neighbour's link is cut by the recheck (allowKey asks the peering).
    onBanned: () => { station.recheck() },
    log
  })

  /** A MSG or ROSTER heard from an authenticated neighbour with no link that takes it. */
  async function onShared (frame: Uint8Array, from: StationInfo): Promise<void> {
    let f
    try {
      f = decodeFrame(frame, { maxFrameBytes: frame.length })
    } catch {
      return
    }
    if (f.type !== 'msg' && f.type !== 'roster') return
    const r = await o.core.ingest.ingest(f.envelope, `radio:${from.stationId}`)
    if (r.ok) sharedIngested++
  }

  station = createRadioStation({
    ...o.station,
    port: o.port,
    nodeKey: o.nodeKey,
    stationId: o.stationId,
    ...(o.frameBytes === undefined ? {} : { frameBytes: o.frameBytes }),
    clock: o.station?.clock ?? o.core.clock,
    allowKey: key => peering.allowPeer(key),
    onLink: link => { peering.attach(link) },
    onShared: (frame, from) => { void onShared(frame, from).catch(err => { log('radio.shared-ingest-failed', { error: String(err) }) }) },
    rosterVersion: () => o.core.roster.version(),
    log
  })
  peering.onRosterChange(() => { station.recheck() })
  station.start()

  return {
    station,
    peering,
    view: () => {
      const t = o.core.clock.now()
      const orgs = new Map(o.core.roster.state.nodes(t).map(m => [Buffer.from(m.key).toString('hex'), m.org]))
      return {
        port: o.port.label,
        station: station.stats(),
        sharedIngested,
        neighbours: station.neighbours().map(n => {
          const s = n.stationId === undefined ? undefined : peering.sessions.get(`radio:${n.stationId}`)?.stats()
          const org = n.key === undefined ? undefined : orgs.get(n.key)
          return {
            ...n,
            ...(org === undefined ? {} : { org }),
            ...(s === undefined ? {} : { sync: { messagesSent: s.messagesSent, messagesReceived: s.messagesReceived, messagesRejected: s.messagesRejected, roundsCompleted: s.roundsCompleted, penalty: s.penalty, framesSent: counts(s.sent), framesReceived: counts(s.received) } })
          }
        })
      }
    },
    stop: async () => {
      await peering.stop()
      await station.stop()
    }
  }
}
