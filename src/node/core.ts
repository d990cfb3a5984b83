/**
 * The node's core without networking: store + roster + the one ingest path. The CLI opens
 * this directly when no daemon is running; the daemon (daemon.ts) adds links and sync.
 */
import { createStore, createSweeper, type Sweeper } from '../store/index.js'
import type { MessageStore, StoreInit } from '../store/types.js'
import { systemClock, type Clock } from '../util/clock.js'
import { createRosterState } from '../roster/index.js'
import type { TrustAnchors } from '../roster/types.js'
import type { EnvelopeLimits } from '../envelope/index.js'
import { createQuotaBook } from './quota-book.js'
import { createIngest, type IngestService, type SignatureVerifier } from './ingest.js'
import { createRosterGuard, type RosterGuard } from './roster-guard.js'
import { decodeAnyEnvelope } from './roster-envelope.js'
import { openOutbox, type Outbox } from './outbox.js'

export interface NodeCoreOptions {
  storePath: string
  /** The store's database instead of LevelDB at storePath (the simulator: memory-level). */
  db?: StoreInit['db']
  anchors: TrustAnchors
  /**
   * Time for everything the core does; with timers (a virtual clock) the store and the
   * sweeper start no real timer either. Default: the wall clock.
   */
  clock?: Clock
  limits?: EnvelopeLimits
  maxClockSkewMs?: number
  tombstoneGraceMs?: number
  /** Sweep expired messages every this many ms (0 = never; the CLI's short-lived opens). */
  sweepIntervalMs?: number
  verifier?: SignatureVerifier
}

export interface NodeCore {
  store: MessageStore
  roster: RosterGuard
  ingest: IngestService
  clock: Clock
  /** What was composed here and has not yet been sent to any peer (outbox.ts). */
  outbox: Outbox
  close: () => Promise<void>
}

export async function openNodeCore (options: NodeCoreOptions): Promise<NodeCore> {
  const clock = options.clock ?? systemClock
  const store = createStore({ path: options.storePath, clock, ...(options.db === undefined ? {} : { db: options.db }), decode: bytes => decodeAnyEnvelope(bytes), options: { ...(options.tombstoneGraceMs === undefined ? {} : { tombstoneGraceMs: options.tombstoneGraceMs }) } })
  await store.open()
  try {
    const state = createRosterState({ anchors: options.anchors, now: clock.now })
    const roster = await createRosterGuard(state, store)
    const quotas = createQuotaBook({ store, document: () => state.document })
    const ingest = createIngest({ store, roster, clock, quotas, ...(options.verifier === undefined ? {} : { verifier: options.verifier }) }, {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.maxClockSkewMs === undefined ? {} : { maxClockSkewMs: options.maxClockSkewMs })
    })
    const outbox = await openOutbox({ store, ingest, clock })
    let sweeper: Sweeper | undefined
    if ((options.sweepIntervalMs ?? 0) > 0) {
      sweeper = createSweeper(store, { clock, intervalMs: options.sweepIntervalMs! })
      sweeper.start()
    }
    return {
      store,
      roster,
      ingest,
      clock,
      outbox,
      close: async () => {
        outbox.close()
        await sweeper?.stop()
        await store.close()
      }
    }
  } catch (err) {
    await store.close()
    throw err
  }
}
