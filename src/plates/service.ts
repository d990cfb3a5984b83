/**
 * The node's hotlist service: the pure hotlist (hotlist.ts) kept current from the store.
 * `start()` subscribes to ingest, then rebuilds from every stored `vehicle` envelope
 * (apply is idempotent and order-independent, so a report ingested during the rebuild is
 * never lost or doubled); every message ingest stores from then on is applied as it lands.
 * Expired entries drop lazily at lookup and by a periodic prune.
 */
import type { Envelope } from '../envelope/types.js'
import { decodeTrustedFields } from '../envelope/index.js'
import type { MessageStore } from '../store/types.js'
import type { IngestService } from '../node/ingest.js'
import { timersOf, type Clock } from '../util/clock.js'
import { createHotlist, type CheckResult, type Hotlist, type HotlistEntry } from './hotlist.js'
import { reportMessageOf } from './report.js'

/** How often expired entries are dropped from memory (lookups never return them anyway). */
export const HOTLIST_PRUNE_INTERVAL_MS = 60_000

export interface PlatesServiceComponents {
  store: Pick<MessageStore, 'scanKindBatches'>
  ingest: Pick<IngestService, 'events'>
  clock: Clock
}

export interface HotlistStats {
  active: number
  /** Reports, Updates and Cancels applied since start (rebuild included). */
  applied: number
  /** The last rebuild: messages read and how long it took. */
  rebuild?: { messages: number, ms: number, skipped?: number }
}

export interface PlatesService {
  readonly hotlist: Hotlist
  /** Rebuilds from the store and follows ingest; resolves once the hotlist is complete. */
  start: () => Promise<{ messages: number, ms: number }>
  stop: () => void
  check: (plate: string) => CheckResult
  /** Active reports, newest change first. */
  list: (limit?: number) => HotlistEntry[]
  stats: () => HotlistStats
}

export function createPlatesService (components: PlatesServiceComponents): PlatesService {
  const { store, ingest, clock } = components
  const timers = timersOf(clock, { unref: true })
  const hotlist = createHotlist()
  let applied = 0
  let rebuild: HotlistStats['rebuild']
  let pruneTimer: unknown
  let running = false

  let skipped = 0
  const apply = (env: Pick<Envelope, 'kind' | 'id' | 'org' | 'created' | 'expires' | 'references' | 'vehicle'>): void => {
    if (env.kind !== 'vehicle') return
    // The envelope schema has checked the body: reportMessageOf cannot fail here.
    hotlist.apply(reportMessageOf(env), clock.now())
    applied++
  }
  const onMessage = ({ envelope }: { envelope: Envelope }): void => { apply(envelope) }

  const schedulePrune = (): void => {
    pruneTimer = timers.setTimeout(() => {
      if (!running) return
      hotlist.prune(clock.now())
      schedulePrune()
    }, HOTLIST_PRUNE_INTERVAL_MS)
  }

  return {
    hotlist,
    async start () {
      if (running) return rebuild ?? { messages: 0, ms: 0 }
      running = true
      ingest.events.on('message', onMessage)
      const t0 = performance.now()
      let messages = 0
      // The store's own records, validated by ingest when written: decoded without the
      // canonical re-check (decodeTrustedFields); one unreadable record is skipped, not fatal.
      // One batch of records per await; the signatures were verified at ingest, not again.
      for await (const batch of store.scanKindBatches('vehicle')) {
        for (const r of batch) {
          let env
          try { env = decodeTrustedFields(r.bytes, r.digest) } catch { skipped++; continue }
          apply(env)
          messages++
        }
      }
      rebuild = { messages, ms: Math.round(performance.now() - t0), ...(skipped > 0 ? { skipped } : {}) }
      schedulePrune()
      return rebuild
    },
    stop () {
      if (!running) return
      running = false
      ingest.events.off('message', onMessage)
      if (pruneTimer !== undefined) timers.clearTimeout(pruneTimer)
    },
    check: plate => hotlist.check(plate, clock.now()),
    list: limit => hotlist.list(clock.now(), limit),
    stats: () => ({ active: hotlist.size(), applied, ...(rebuild === undefined ? {} : { rebuild }) })
  }
}
