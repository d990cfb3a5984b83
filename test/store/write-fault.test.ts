/**
 * A full disk. A failed LevelDB write can leave a torn record at the end of its log, and
 * LevelDB goes on appending after it: without the store's write-fault handling, writes
 * acknowledged after the failure (synced ones too) were missing once the store reopened.
 * Here the store runs on a real tmpfs of 3 MiB (needs root, as CI runs), filled until a
 * write fails; it must then refuse writes until it could reopen LevelDB, resume by itself
 * once there is room, and after a restart hold every message it ever acknowledged.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore, type MessageStore } from '../../src/store/index.js'
import { WRITE_FAULT_RETRY_MS } from '../../src/store/constants.js'
import { isC5Error } from '../../src/errors.js'
import { makeEnvelope, T0_MS } from './helpers.js'

const FS_BYTES = 3 * 1024 * 1024
const FILLER_BYTES = 2 * 1024 * 1024

describe('store on a full disk', () => {
  it('refuses writes after a failed one until LevelDB is reopened, resumes by itself, and loses nothing it acknowledged', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root (CI does)')
    const mnt = await mkdtemp(join(tmpdir(), 'c5mesh-fullfs-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FS_BYTES}`, 'tmpfs', mnt])
    let store: MessageStore | undefined
    try {
      const filler = join(mnt, 'filler')
      await writeFile(filler, Buffer.alloc(FILLER_BYTES))
      let now = T0_MS
      const path = join(mnt, 'db')
      store = createStore({ path, clock: { now: () => now } })
      await store.open()
      const acknowledged: Uint8Array[] = []
      let seq = 0
      const put = async (): Promise<string> => {
        const env = makeEnvelope({ seq: seq++, ttlS: 3600 })
        try {
          await store!.put(env, { received: now, source: 'local' }, { sync: seq % 2 === 0 })
          acknowledged.push(env.digest)
          return 'ok'
        } catch (err) {
          if (!isC5Error(err)) throw err
          return err.code
        }
      }
      // Fill the disk until a write fails.
      let result = 'ok'
      while (result === 'ok' && seq < 20_000) result = await put()
      expect(result).toBe('STORE_WRITE_FAILED')
      expect(acknowledged.length).toBeGreaterThan(100)
      expect(store.stats()).toMatchObject({ writeFaults: 1, writeFault: { since: now } })
      // Room again, but the torn log must not be written to: refused until the retry time.
      await rm(filler)
      expect(await put()).toBe('STORE_WRITE_FAILED')
      now += WRITE_FAULT_RETRY_MS
      // The next write reopens LevelDB and goes through; so do the following ones.
      for (let i = 0; i < 20; i++) expect(await put()).toBe('ok')
      expect(store.stats().writeFault).toBeUndefined()
      expect(store.stats().writeFaultsCleared).toBe(1)
      // A restart finds every acknowledged message, readable.
      await store.close()
      store = createStore({ path, clock: { now: () => now } })
      await store.open()
      for (const d of acknowledged) expect(await store.status(d)).toBe('stored')
      expect(store.count()).toBe(acknowledged.length)
      expect((await store.get(acknowledged[acknowledged.length - 1]))?.envelope.digest).toEqual(acknowledged[acknowledged.length - 1])
      await store.close()
    } finally {
      // Closed first, and unmounted lazily if still busy: a failing run must show its own
      // assertion and leave no mount behind.
      await store?.close().catch(() => {})
      try { execFileSync('umount', [mnt]) } catch { execFileSync('umount', ['-l', mnt]) }
      await rm(mnt, { recursive: true, force: true })
    }
  })
})
