/**
 * status(digest, { expires }): the ingest path's tombstone check answered from memory for
 * messages past every sweep. It must never miss a tombstone: discarded messages (open and
 * after restart), swept ones, and swept ones seen again after the clock went back.
 */
import { describe, it, expect } from 'vitest'
import { createStore } from '../../src/store/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { makeEnvelope, tempDir, T0_MS, HOUR_MS } from './helpers.js'

const meta = { received: T0_MS, source: 'local' }
const hinted = (e: Envelope): { expires: number } => ({ expires: e.expires })

describe('store.status with an expiry hint', () => {
  it('finds tombstones of discarded messages, before and after a restart; unknown ids cost no read', async () => {
    const dir = await tempDir()
    let now = T0_MS
    const clock = { now: () => now }
    let store = createStore({ path: dir.path, clock })
    await store.open()
    try {
      const keep = makeEnvelope({ seq: 1, ttlS: 10 * 3600 })
      const drop = makeEnvelope({ seq: 2, ttlS: 10 * 3600 })
      const unknown = makeEnvelope({ seq: 3, ttlS: 10 * 3600 })
      for (const e of [keep, drop]) await store.put(e, meta)
      expect(await store.discard([drop.digest])).toBe(1)
      expect(await store.status(drop.digest, hinted(drop))).toBe('tombstone')
      expect(await store.status(keep.digest, hinted(keep))).toBe('stored')
      expect(await store.status(unknown.digest, hinted(unknown))).toBeUndefined()
      await store.close()
      now = T0_MS + HOUR_MS
      store = createStore({ path: dir.path, clock })
      await store.open()
      expect(await store.status(drop.digest, hinted(drop))).toBe('tombstone')
      // After a sweep past its expiry the tombstone is found by a read (still there: grace).
      await store.sweep(drop.expires)
      expect(await store.status(drop.digest, hinted(drop))).toBe('tombstone')
    } finally {
      await store.close(); await dir.cleanup()
    }
  })

  it('finds tombstones of swept messages, also when the clock went back before a restart', async () => {
    const dir = await tempDir()
    let now = T0_MS
    const clock = { now: () => now }
    let store = createStore({ path: dir.path, clock })
    await store.open()
    try {
      const expired = makeEnvelope({ seq: 4, ttlS: 3600 })
      await store.put(expired, meta)
      now = expired.expires
      expect((await store.sweep()).expired).toBe(1)
      expect(await store.status(expired.digest, hinted(expired))).toBe('tombstone')
      await store.close()
      // The machine's clock is set back an hour: the message looks unexpired again.
      now = expired.expires - HOUR_MS
      store = createStore({ path: dir.path, clock })
      await store.open()
      expect(await store.status(expired.digest, hinted(expired))).toBe('tombstone')
      expect(await store.status(expired.digest)).toBe('tombstone')
    } finally {
      await store.close(); await dir.cleanup()
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
