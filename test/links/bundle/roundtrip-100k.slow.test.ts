/**
 * A whole store of 100,000 messages crosses in one bundle file, between two real stores on
 * disk, streamed both ways: export (verified as it is written) and import (every message
 * through ingest) in bounded memory. (Slow: signing and ingesting 100,000 envelopes takes
 * tens of seconds on this machine.)
 */
import { describe, it, expect } from 'vitest'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileSource, importBundle, localBundleNode, saveBundle, RECORD_MAX_BYTES, READ_CHUNK_BYTES } from '../../../src/links/bundle/index.js'
import { createTestWorld, UNLIMITED_TEST_QUOTAS } from '../../helpers/world.js'
import { tempDir } from '../../helpers/tmp.js'
import { T0, ingestAll, messages, openNode } from './helpers.js'

const N = 100_000

describe('a 100,000-message bundle', () => {
  it('exports and imports a whole store: every message exactly once, memory bounded', async () => {
    const dir = await tempDir('c5mesh-bundle-100k-')
    const world = createTestWorld(['MX-YUC', 'MX-CMX'], T0 - 86_400_000, [], { quotas: UNLIMITED_TEST_QUOTAS })
    const clock = { now: () => T0 + 1000 }
    const a = await openNode(world, 0, dir.path, clock)
    const b = await openNode(world, 1, dir.path, clock)
    try {
      const envs = messages(world, 0, N, T0 - N * 1000 + 1000, 'big') // one a second, up to now
      for (let i = 0; i < N; i += 10_000) await ingestAll(a.core, envs.slice(i, i + 10_000))
      expect(a.core.store.count()).toBe(N + 1)

      const file = join(dir.path, 'all.bundle')
      const { view, body } = await localBundleNode({ core: a.core, signer: a.key, org: a.org }).export({})
      expect(view.count).toBe(N + 1)
      const saved = await saveBundle(body, file)
      expect(saved.records).toBe(N + 1)
      expect((await stat(file)).size).toBe(saved.bytes)

      const s = await importBundle(b.core, (await fileSource(file)).chunks, { name: 'all.bundle' })
      expect(s).toMatchObject({ records: N + 1, new: N, known: 1, rejected: 0, intact: true })
      expect(s.problem).toBeUndefined()
      expect(b.core.store.count()).toBe(N + 1)
      const held = new Set(b.core.store.syncItems(clock.now()).map(i => Buffer.from(i.id).toString('hex')))
      expect(held.size).toBe(N + 1)
      for (const e of envs) expect(held.has(Buffer.from(e.digest).toString('hex'))).toBe(true)
      // The reader held one record and a chunk or two, not the file (ingests in flight are
      // bounded by IMPORT_MAX_IN_FLIGHT and IMPORT_MAX_IN_FLIGHT_BYTES).
      expect(s.readerMaxBufferedBytes).toBeLessThanOrEqual(RECORD_MAX_BYTES + 2 * READ_CHUNK_BYTES)
    } finally {
      await a.close()
      await b.close()
      await dir.cleanup()
    }
  }, 600_000)
})
