/**
 * status(digest, { expires }) and peekStatus(digest, expires): the ingest path's tombstone check answered from memory for
 * messages past every sweep. It must never miss a tombstone: discarded messages (open and
 * after restart), swept ones, and swept ones seen again after the clock went back.
 */
import { describe, it, expect } from 'vitest'
import { createStore, type MessageStore } from '../../src/store/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { makeEnvelope, tempDir, T0_MS, HOUR_MS } from './helpers.js'

const meta = { received: T0_MS, source: 'local' }
const hinted = (e: Envelope): { expires: number } => ({ expires: e.expires })

/** A store on a temp folder whose clock the test sets; `reopen(at)` restarts it at time `at`. */
async function openWithClock (): Promise<{ store: () => MessageStore, reopen: (at: number) => Promise<void>, setNow: (at: number) => void, done: () => Promise<void> }> {
  const dir = await tempDir()
  let now = T0_MS
  const clock = { now: () => now }
  let store = createStore({ path: dir.path, clock })
  await store.open()
  return {
    store: () => store,
    setNow: (at) => { now = at },
    reopen: async (at) => {
      await store.close()
      now = at
      store = createStore({ path: dir.path, clock })
      await store.open()
    },
    done: async () => { await store.close(); await dir.cleanup() }
  }
}

describe('store.status with an expiry hint', () => {
  it('finds tombstones of discarded messages, before and after a restart, and nothing for unknown ids', async () => {
    const t = await openWithClock()
    try {
      const keep = makeEnvelope({ seq: 1, ttlS: 10 * 3600 })
      const drop = makeEnvelope({ seq: 2, ttlS: 10 * 3600 })
      const unknown = makeEnvelope({ seq: 3, ttlS: 10 * 3600 })
      for (const e of [keep, drop]) await t.store().put(e, meta)
      expect(await t.store().discard([drop.digest])).toBe(1)
      expect(await t.store().status(drop.digest, hinted(drop))).toBe('tombstone')
      expect(await t.store().status(keep.digest, hinted(keep))).toBe('stored')
      expect(await t.store().status(unknown.digest, hinted(unknown))).toBeUndefined()
      // peekStatus: the same answers, synchronously (what ingest asks first).
      expect(t.store().peekStatus(drop.digest, drop.expires)).toBe('tombstone')
      expect(t.store().peekStatus(keep.digest, keep.expires)).toBe('stored')
      expect(t.store().peekStatus(unknown.digest, unknown.expires)).toBeUndefined()
      // Without an expiry memory cannot rule out an old tombstone: a read is needed.
      expect(t.store().peekStatus(unknown.digest)).toBe('unknown')
      await t.reopen(T0_MS + HOUR_MS)
      expect(await t.store().status(drop.digest, hinted(drop))).toBe('tombstone')
      // After a sweep past its expiry the tombstone is found by a read (still there: grace).
      await t.store().sweep(drop.expires)
      expect(t.store().peekStatus(drop.digest, drop.expires)).toBe('unknown')
      expect(await t.store().status(drop.digest, hinted(drop))).toBe('tombstone')
    } finally {
      await t.done()
    }
  })

  it('finds tombstones of swept messages, also when the clock went back before a restart', async () => {
    const t = await openWithClock()
    try {
      const expired = makeEnvelope({ seq: 4, ttlS: 3600 })
      await t.store().put(expired, meta)
      t.setNow(expired.expires)
      expect((await t.store().sweep()).expired).toBe(1)
      expect(await t.store().status(expired.digest, hinted(expired))).toBe('tombstone')
      // The machine's clock is set back an hour: the message looks unexpired again.
      await t.reopen(expired.expires - HOUR_MS)
      expect(await t.store().status(expired.digest, hinted(expired))).toBe('tombstone')
      expect(await t.store().status(expired.digest)).toBe('tombstone')
    } finally {
      await t.done()
    }
  })

  it('a sweep run with a later time than the clock also counts (its tombstones are found)', async () => {
    const dir = await tempDir()
    const store = createStore({ path: dir.path, clock: { now: () => T0_MS } })
    await store.open()
    try {
      const m = makeEnvelope({ seq: 5, ttlS: 3600 })
      await store.put(m, meta)
      expect((await store.sweep(m.expires + 1)).expired).toBe(1)
      expect(await store.status(m.digest, hinted(m))).toBe('tombstone')
    } finally {
      await store.close(); await dir.cleanup()
    }
  })
})
