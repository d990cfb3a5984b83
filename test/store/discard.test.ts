/** discard(): a revocation removes messages before their expiry; their tombstones keep them out. */
import { describe, it, expect } from 'vitest'
import { createStore } from '../../src/store/index.js'
import { makeEnvelope, tempDir, T0_MS, HOUR_MS } from './helpers.js'

describe('store.discard', () => {
  it('removes the message and every index entry, leaves a durable tombstone, skips unknown digests', async () => {
    const dir = await tempDir()
    const clock = { now: () => T0_MS }
    let store = createStore({ path: dir.path, clock })
    await store.open()
    try {
      const keep = makeEnvelope({ seq: 1 })
      const drop = makeEnvelope({ seq: 2 })
      for (const e of [keep, drop]) await store.put(e, { received: T0_MS, source: 'local' })
      expect(await store.discard([drop.digest, new Uint8Array(32).fill(9)])).toBe(1)
      expect(await store.status(drop.digest)).toBe('tombstone')
      expect(await store.get(drop.digest)).toBeUndefined()
      expect(store.count()).toBe(1)
      expect((await store.query({ limit: 100 })).map(m => m.envelope.id)).toEqual([keep.id])
      expect(store.syncItems(T0_MS).map(i => Buffer.from(i.id).toString('hex'))).toEqual([Buffer.from(keep.digest).toString('hex')])
      await store.close()
      store = createStore({ path: dir.path, clock })
      await store.open()
      expect(await store.status(drop.digest)).toBe('tombstone')
      expect(store.count()).toBe(1)
      // the tombstone is dropped like any other, after the message's expiry + grace
      await store.sweep(drop.expires + 31 * 24 * HOUR_MS)
      expect(await store.status(drop.digest)).toBeUndefined()
    } finally {
      await store.close(); await dir.cleanup()
    }
  })
})
