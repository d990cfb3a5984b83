import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore, createSweeper, SUBLEVEL_NAMES } from '../../src/store/index.js'
import type { MessageStore, Scheduler, SweepResult } from '../../src/store/index.js'
import { HOUR_MS, hex, makeEnvelope, T0_MS, tempDir } from './helpers.js'

const DAY_MS = 24 * HOUR_MS
const GRACE_MS = 2 * DAY_MS
const meta = { received: T0_MS, source: 'local' }

/** Every raw key on disk whose sublevel is not msg/tomb/meta and that ends with `digest`. */
async function indexKeysOf (path: string, digest: Uint8Array): Promise<string[]> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  const out: string[] = []
  for await (const key of db.keys()) {
    const k = Buffer.from(key)
    if (k.subarray(k.length - 32).equals(digest)) out.push(k.subarray(0, k.indexOf('!', 1) + 1).toString())
  }
  await db.close()
  return out.sort()
}

function manualScheduler (): Scheduler & { fire: () => void, pending: () => number[] } {
  const timers = new Map<number, { fn: () => void, ms: number }>()
  let next = 0
  return {
    setTimeout: (fn, ms) => { timers.set(++next, { fn, ms }); return next },
    clearTimeout: (h) => { timers.delete(h as number) },
    pending: () => [...timers.values()].map(t => t.ms),
    fire: () => {
      const [id, t] = [...timers.entries()][0]
      timers.delete(id)
      t.fn()
    }
  }
}

describe('store sweep and tombstones', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: MessageStore
  const open = async (): Promise<void> => {
    store = createStore({ path: dir.path, options: { tombstoneGraceMs: GRACE_MS } })
    await store.open()
  }

  beforeEach(async () => { dir = await tempDir(); await open() })
  afterEach(async () => { await store.close(); await dir.cleanup() })

  it('removes an expired message with every index entry, leaves a tombstone that survives restart, drops it after the grace', async () => {
    const target = makeEnvelope({ seq: 1, ttlS: 3600, references: [makeEnvelope({ seq: 9 }).digest] })
    const keep = makeEnvelope({ seq: 2, ttlS: 10 * 3600 })
    await store.put(target, meta)
    await store.put(keep, meta)
    await store.close()
    const n = SUBLEVEL_NAMES
    expect(await indexKeysOf(dir.path, target.digest)).toEqual([n.messages, n.byAuthor, n.byCreated, n.byExpires, n.byKind, n.byOrg, n.byPrecedence, n.byReference].map(s => `!${s}!`).sort())
    await open()

    expect(await store.sweep(target.expires - 1)).toEqual({ expired: 0, tombstonesDropped: 0 })
    expect(await store.sweep(target.expires)).toEqual({ expired: 1, tombstonesDropped: 0 })
    expect(await store.status(target.digest)).toBe('tombstone')
    expect(await store.get(target.id)).toBeUndefined()
    expect((await store.query({})).map(m => m.envelope.id)).toEqual([keep.id])
    expect(store.syncItems(0).map(i => hex(i.id))).toEqual([hex(keep.digest)])
    expect(store.count()).toBe(1)

    await store.close()
    expect(await indexKeysOf(dir.path, target.digest)).toEqual([`!${n.tombstones}!`, `!${n.tombstonesByExpires}!`])
    await open()
    expect(await store.status(target.digest)).toBe('tombstone')
    expect(store.count()).toBe(1)

    expect(await store.sweep(target.expires + GRACE_MS - 1)).toEqual({ expired: 1, tombstonesDropped: 0 })
    expect(await store.status(keep.digest)).toBe('tombstone')
    expect(await store.status(target.digest)).toBe('tombstone')
    expect(await store.sweep(target.expires + GRACE_MS)).toEqual({ expired: 0, tombstonesDropped: 1 })
    expect(await store.status(target.digest)).toBeUndefined()
    expect(await store.status(keep.digest)).toBe('tombstone')
    expect(store.stats()).toMatchObject({ swept: 1, tombstonesDropped: 1, messages: 0 })
  })

  it('removes every index entry of an expired message whose record is corrupt (from the idx-expires summary)', async () => {
    const target = makeEnvelope({ seq: 5, ttlS: 60, references: [makeEnvelope({ seq: 6 }).digest] })
    await store.put(target, meta)
    await store.close()
    const db = new Level<Uint8Array, Uint8Array>(dir.path, { keyEncoding: 'view', valueEncoding: 'view' })
    await db.put(Buffer.concat([Buffer.from('!msg!'), target.digest]), new Uint8Array([7, 7, 7]))
    await db.close()
    await open()
    expect(await store.sweep(target.expires)).toEqual({ expired: 1, tombstonesDropped: 0 })
    await store.close()
    expect(await indexKeysOf(dir.path, target.digest)).toEqual(['!tomb!', '!tomb-expires!'])
    await open()
  })

  it('sweeps many messages in several batches', async () => {
    const envs = Array.from({ length: 600 }, (_, i) => makeEnvelope({ seq: i, ttlS: 60 + (i % 7) }))
    await Promise.all(envs.map(async (e) => { await store.put(e, meta) }))
    expect(store.count()).toBe(600)
    expect(await store.sweep(T0_MS + DAY_MS)).toEqual({ expired: 600, tombstonesDropped: 0 })
    expect(store.count()).toBe(0)
    expect(store.syncItems(0)).toEqual([])
    for (const e of envs.slice(0, 20)) expect(await store.status(e.digest)).toBe('tombstone')
  })

  it('runs periodically with an injected clock and scheduler, and stops on stop() or abort', async () => {
    const env = makeEnvelope({ seq: 3, ttlS: 3600 })
    await store.put(env, meta)
    let now = T0_MS
    const scheduler = manualScheduler()
    const results: SweepResult[] = []
    let notify = (): void => {}
    const sweeper = createSweeper(store, {
      clock: { now: () => now },
      intervalMs: 60_000,
      scheduler,
      onSweep: (r) => { if (r !== undefined) results.push(r); notify() }
    })
    const nextSweep = async (): Promise<void> => {
      const done = new Promise<void>((resolve) => { notify = resolve })
      scheduler.fire()
      await done
    }
    expect(scheduler.pending()).toEqual([])
    sweeper.start()
    sweeper.start() // idempotent
    expect(scheduler.pending()).toEqual([60_000])

    await nextSweep()
    expect(results).toEqual([{ expired: 0, tombstonesDropped: 0 }])
    expect(await store.status(env.digest)).toBe('stored')

    now = env.expires
    await nextSweep()
    expect(results[1]).toEqual({ expired: 1, tombstonesDropped: 0 })
    expect(await store.status(env.digest)).toBe('tombstone')
    expect(scheduler.pending()).toEqual([60_000])

    await sweeper.stop()
    expect(sweeper.isStarted()).toBe(false)
    expect(scheduler.pending()).toEqual([])

    // A failing sweep is reported and the sweeper keeps its schedule.
    const errors: unknown[] = []
    const failing = createSweeper({ ...store, sweep: async () => { throw new Error('disk full') } }, {
      clock: { now: () => now }, intervalMs: 500, scheduler, onSweep: (_r, err) => { errors.push(err); notify() }
    })
    failing.start()
    await nextSweep()
    expect(errors).toHaveLength(1)
    expect(scheduler.pending()).toEqual([500])
    await failing.stop()

    const controller = new AbortController()
    const aborted = createSweeper(store, { clock: { now: () => now }, intervalMs: 1000, scheduler, signal: controller.signal })
    aborted.start()
    expect(scheduler.pending()).toEqual([1000])
    controller.abort()
    expect(scheduler.pending()).toEqual([])
    expect(aborted.isStarted()).toBe(false)
  })
})
