/**
 * Expiry sweeping (docs/protocol/store.md §"Sweep"). An expired message (expires <= now)
 * is removed with all its index entries and replaced by a tombstone in the same atomic
 * batch, so dedup never has a gap; a tombstone is dropped once expires + grace <= now.
 */
import { C5Error } from '../errors.js'
import { timersOf } from '../util/clock.js'
import { SWEEP_BATCH_MESSAGES, SWEEP_INTERVAL_MS } from './constants.js'
import { splitTimeDigest, timeBytes, timeDigestKey } from './keys.js'
import type { Envelope } from '../envelope/types.js'
import { decodeSummary, deleteOps, fieldsOf } from './layout.js'
import type { IndexFields, Sublevels } from './layout.js'
import type { SyncCache } from './sync-cache.js'
import type { BatchOp, Clock, MessageStore, StoredMessage, SweepResult } from './types.js'

export interface SweepComponents {
  sublevels: Sublevels
  write: (ops: BatchOp[], sync: boolean) => Promise<void>
  /** Decodes a `msg` value; undefined if corrupt. */
  decode: (digest: Uint8Array, value: Uint8Array) => StoredMessage | undefined
  cache: SyncCache
  graceMs: number
  /** True once the store is closing: the sweep stops between batches. */
  stopped: () => boolean
}

const ZERO_DIGEST = new Uint8Array(32)
const EMPTY = new Uint8Array(0)

/**
 * Up to `max` entries of `sub` whose leading time is <= `upTo`, after `after`. Each batch
 * resumes after the previous one's last key: restarting from the beginning would walk over
 * the deletion markers of every earlier batch (quadratic on a large backlog).
 */
async function dueEntries (sub: Sublevels['byExpires'], upTo: number, after: Uint8Array | undefined, max: number): Promise<Array<[Uint8Array, Uint8Array]>> {
  if (upTo < 0) return []
  const out: Array<[Uint8Array, Uint8Array]> = []
  const range = after === undefined ? {} : { gt: after }
  for await (const [key, value] of sub.iterator({ ...range, lt: timeDigestKey(upTo + 1, ZERO_DIGEST), limit: max })) {
    out.push([new Uint8Array(key), value])
  }
  return out
}

/** The index fields of one expired message: from its summary, else from the message itself. */
async function fieldsFor (c: SweepComponents, digest: Uint8Array, expires: number, summary: Uint8Array): Promise<IndexFields | undefined> {
  try {
    return decodeSummary(digest, expires, summary)
  } catch {
    const value = await c.sublevels.messages.get(digest)
    const m = value === undefined ? undefined : c.decode(digest, value)
    return m === undefined ? undefined : fieldsOf(m.envelope)
  }
}

async function expireBatch (c: SweepComponents, entries: Array<[Uint8Array, Uint8Array]>): Promise<void> {
  const s = c.sublevels
  const ops: BatchOp[] = []
  const digests: Uint8Array[] = []
  for (const [key, summary] of entries) {
    const { time: expires, digest } = splitTimeDigest(key)
    digests.push(digest)
    const f = await fieldsFor(c, digest, expires, summary)
    if (f !== undefined) {
      ops.push(...deleteOps(s, f))
    } else {
      // Neither summary nor message readable: drop what the key names; leftover index
      // entries point at nothing and queries skip them.
      ops.push({ type: 'del', sublevel: s.messages, key: digest }, { type: 'del', sublevel: s.byExpires, key })
    }
    ops.push({ type: 'put', sublevel: s.tombstones, key: digest, value: timeBytes(expires) })
    ops.push({ type: 'put', sublevel: s.tombstonesByExpires, key: timeDigestKey(expires, digest), value: EMPTY })
  }
  await c.write(ops, false)
  for (const digest of digests) c.cache.removeId(digest)
}

/**
 * Ops that remove a stored message and leave its tombstone until `expires` + grace, as if it
 * had expired: it can never come back (used when a revocation invalidates it early).
 */
export function discardOps (s: Sublevels, env: Envelope): BatchOp[] {
  return [...deleteOps(s, fieldsOf(env)), ...tombstoneOps(s, env.digest, env.expires)]
}

/** A tombstone of a digest until `expires` (+ the sweeper's grace): exactly two operations. */
export function tombstoneOps (s: Sublevels, digest: Uint8Array, expires: number): BatchOp[] {
  return [
    { type: 'put', sublevel: s.tombstones, key: digest, value: timeBytes(expires) },
    { type: 'put', sublevel: s.tombstonesByExpires, key: timeDigestKey(expires, digest), value: EMPTY }
  ]
}

export async function sweepExpired (c: SweepComponents, now: number): Promise<SweepResult> {
  const result: SweepResult = { expired: 0, tombstonesDropped: 0 }
  let after: Uint8Array | undefined
  while (!c.stopped()) {
    const entries = await dueEntries(c.sublevels.byExpires, now, after, SWEEP_BATCH_MESSAGES)
    if (entries.length === 0) break
    await expireBatch(c, entries)
    result.expired += entries.length
    after = entries[entries.length - 1][0]
  }
  after = undefined
  while (!c.stopped()) {
    const entries = await dueEntries(c.sublevels.tombstonesByExpires, now - c.graceMs, after, SWEEP_BATCH_MESSAGES)
    if (entries.length === 0) break
    const ops: BatchOp[] = []
    for (const [key] of entries) {
      ops.push({ type: 'del', sublevel: c.sublevels.tombstonesByExpires, key })
      ops.push({ type: 'del', sublevel: c.sublevels.tombstones, key: splitTimeDigest(key).digest })
    }
    await c.write(ops, false)
    result.tombstonesDropped += entries.length
    after = entries[entries.length - 1][0]
  }
  return result
}

/** Timer functions, injectable so tests drive the sweeper without real sleeps. */
export interface Scheduler {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export interface SweeperOptions {
  /** Time; its timers (when it has them: a virtual clock) also schedule the periods. */
  clock: Clock
  intervalMs?: number
  signal?: AbortSignal
  /** Timers for the periods (default: the clock's, else Node's, not keeping the process alive). */
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


/** A Startable periodic sweeper: start() schedules, stop() cancels and waits for a running sweep. */
export function createSweeper (store: MessageStore, options: SweeperOptions): Sweeper {
  if (typeof store?.sweep !== 'function') throw new C5Error('STORE_INVALID_ARGUMENT', 'createSweeper needs a store')
  if (typeof options?.clock?.now !== 'function') throw new C5Error('STORE_INVALID_ARGUMENT', 'createSweeper needs a clock')
  const intervalMs = options.intervalMs ?? SWEEP_INTERVAL_MS
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'intervalMs must be a positive integer')
  const scheduler: Scheduler = options.scheduler ?? timersOf(options.clock, { unref: true })
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
