/**
 * Expiry sweeping (docs/protocol/store.md §"Sweep"). An expired message (expires <= now)
 * is removed with all its index entries and replaced by a tombstone in the same atomic
 * batch, so dedup never has a gap; a tombstone is dropped once expires + grace <= now.
 */
import { C5Error } from '../errors.js'
import { SWEEP_BATCH_MESSAGES, SWEEP_INTERVAL_MS } from './constants.js'
import { splitTimeDigest, timeBytes, timeDigestKey } from './keys.js'
import { deleteOps } from './layout.js'
import type { Sublevels } from './layout.js'
import type { SyncCache } from './sync-cache.js'
import type { BatchOp, Clock, MessageStore, StoredMessage, SweepResult } from './types.js'

export interface SweepComponents {
  sublevels: Sublevels
  write: (ops: BatchOp[], sync: boolean) => Promise<void>
  /** undefined for absent or corrupt records. */
  load: (digest: Uint8Array) => Promise<StoredMessage | undefined>
  cache: SyncCache
  graceMs: number
}

const ZERO_DIGEST = new Uint8Array(32)
const EMPTY = new Uint8Array(0)

/** Keys of `sub` whose leading time is <= `upTo`, at most `max` of them. */
async function dueKeys (sub: Sublevels['byExpires'], upTo: number, max: number): Promise<Uint8Array[]> {
  if (upTo < 0) return []
  const keys: Uint8Array[] = []
  for await (const key of sub.keys({ lt: timeDigestKey(upTo + 1, ZERO_DIGEST), limit: max })) keys.push(key)
  return keys
}

async function expireBatch (c: SweepComponents, keys: Uint8Array[]): Promise<void> {
  const s = c.sublevels
  const ops: BatchOp[] = []
  const removed: Uint8Array[] = []
  for (const key of keys) {
    const { time: expires, digest } = splitTimeDigest(key)
    const m = await c.load(digest)
    if (m !== undefined) {
      ops.push(...deleteOps(s, m.envelope))
      removed.push(digest)
    } else {
      // Absent or corrupt record: drop what the key names; leftover index entries point
      // at nothing and queries skip them.
      ops.push({ type: 'del', sublevel: s.messages, key: digest }, { type: 'del', sublevel: s.byExpires, key })
      removed.push(digest)
    }
    ops.push({ type: 'put', sublevel: s.tombstones, key: digest, value: timeBytes(expires) })
    ops.push({ type: 'put', sublevel: s.tombstonesByExpires, key: timeDigestKey(expires, digest), value: EMPTY })
  }
  await c.write(ops, false)
  for (const digest of removed) c.cache.removeId(digest)
}

export async function sweepExpired (c: SweepComponents, now: number): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, tombstonesDropped: 0 }
  for (;;) {
    const keys = await dueKeys(c.sublevels.byExpires, now, SWEEP_BATCH_MESSAGES)
    if (keys.length === 0) break
    await expireBatch(c, keys)
    result.expired += keys.length
  }
  for (;;) {
    const keys = await dueKeys(c.sublevels.tombstonesByExpires, now - c.graceMs, SWEEP_BATCH_MESSAGES)
    if (keys.length === 0) break
    const ops: BatchOp[] = []
    for (const key of keys) {
      ops.push({ type: 'del', sublevel: c.sublevels.tombstonesByExpires, key })
      ops.push({ type: 'del', sublevel: c.sublevels.tombstones, key: splitTimeDigest(key).digest })
    }
    await c.write(ops, false)
    result.tombstonesDropped += keys.length
  }
  return result
}

/** Timer functions, injectable so tests drive the sweeper without real sleeps. */
export interface Scheduler {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export interface SweeperOptions {
  clock: Clock
  intervalMs?: number
  signal?: AbortSignal
  scheduler?: Scheduler
  /** Called with each sweep's result, or its error (a failed sweep is retried next period). */
  onSweep?: (result: SweepResult | undefined, error?: unknown) => void
}

export interface Sweeper {
  start: () => void
  stop: () => Promise<void>
  isStarted: () => boolean
  /** Runs one sweep now (also what each period does). */
  runOnce: () => Promise<SweepResult>
}

const defaultScheduler: Scheduler = {
  setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); t.unref(); return t },
  clearTimeout: (h) => { clearTimeout(h as NodeJS.Timeout) }
}

/** A Startable periodic sweeper: start() schedules, stop() cancels and waits for a running sweep. */
export function createSweeper (store: MessageStore, options: SweeperOptions): Sweeper {
  const intervalMs = options.intervalMs ?? SWEEP_INTERVAL_MS
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'intervalMs must be a positive integer')
  const scheduler = options.scheduler ?? defaultScheduler
  let handle: unknown
  let started = false
  let running: Promise<unknown> | undefined

  const runOnce = async (): Promise<SweepResult> => store.sweep(options.clock.now())
  const tick = (): void => {
    handle = undefined
    running = runOnce().then(
      (r) => { options.onSweep?.(r) },
      (err) => { options.onSweep?.(undefined, err) }
    ).finally(() => {
      running = undefined
      if (started) handle = scheduler.setTimeout(tick, intervalMs)
    })
  }
  const stopNow = (): void => {
    started = false
    if (handle !== undefined) scheduler.clearTimeout(handle)
    handle = undefined
  }
  options.signal?.addEventListener('abort', stopNow, { once: true })

  return {
    start () {
      if (started || options.signal?.aborted === true) return
      started = true
      handle = scheduler.setTimeout(tick, intervalMs)
    },
    async stop () {
      stopNow()
      await running
    },
    isStarted: () => started,
    runOnce
  }
}
