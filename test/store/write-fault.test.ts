/**
 * A full disk. A failed LevelDB write can leave a torn record at the end of its log, and
 * LevelDB goes on appending after it: without the store's write-fault handling, writes
 * acknowledged after the failure (synced ones too) were missing once the store reopened.
 * Here the store runs on a real tmpfs of 3 MiB (needs root, as CI runs), filled until a
 * write fails. It must refuse writes until it could reopen LevelDB, recover by itself once
 * there is room (also when idle, after a reopen that failed), serve reads again from the
 * same instance, and after a restart hold every message it ever acknowledged.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore, type MessageStore } from '../../src/store/index.js'
import { isC5Error } from '../../src/errors.js'
import { makeEnvelope, T0_MS } from './helpers.js'

const FS_BYTES = 3 * 1024 * 1024
const FILLER_BYTES = 2 * 1024 * 1024
const RETRY_MS = 50

/** Polls `check` until true (the store's retry timer is real time), failing after `ms`. */
async function eventually (check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise(resolve => setTimeout(resolve, RETRY_MS))
  }
}

describe('store on a full disk', () => {
  it('refuses writes after a failed one until LevelDB is reopened, recovers by itself, and loses nothing it acknowledged', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root (CI does)')
    const mnt = await mkdtemp(join(tmpdir(), 'c5mesh-fullfs-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FS_BYTES}`, 'tmpfs', mnt])
    let store: MessageStore | undefined
    try {
      const filler = join(mnt, 'filler')
      await writeFile(filler, Buffer.alloc(FILLER_BYTES))
      let now = T0_MS
      const path = join(mnt, 'db')
      const open = async (): Promise<MessageStore> => {
        const s = createStore({ path, clock: { now: () => now }, options: { writeFaultRetryMs: RETRY_MS } })
        await s.open()
        return s
      }
      store = await open()
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
      // At once: refused without touching the torn log.
      expect(await put()).toBe('STORE_WRITE_FAILED')
      // After the wait, with the disk still full: the reopen fails, still refused.
      now += RETRY_MS
      expect(await put()).toBe('STORE_WRITE_FAILED')
      expect(store.stats().writeFault).toBeDefined()
      // Meanwhile LevelDB is closed: reads say why, with the same code (HTTP 503: retry later).
      await expect(store.get(acknowledged[0])).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' })
      // What is served from memory goes on (c5mesh status shows the fault, and the count).
      expect(store.count()).toBe(acknowledged.length)
      expect(store.holds(acknowledged[0])).toBe(true)
      // Room again, and no write comes: the store's own timer reopens LevelDB.
      await rm(filler)
      await eventually(() => store!.stats().writeFault === undefined)
      expect(store.stats().writeFaultsCleared).toBe(1)
      // Reads and writes work again on the same instance.
      expect(await store.status(acknowledged[0])).toBe('stored')
      for (let i = 0; i < 20; i++) expect(await put()).toBe('ok')
      const last = acknowledged[acknowledged.length - 1]
      expect((await store.get(last))?.envelope.digest).toEqual(last)
      expect((await store.query({ limit: 10_000 })).length).toBe(acknowledged.length)
      // A restart finds every acknowledged message, and nothing else.
      await store.close()
      store = await open()
      for (const d of acknowledged) expect(await store.status(d)).toBe('stored')
      expect(store.count()).toBe(acknowledged.length)
    } finally {
      // Closed first, and unmounted lazily if still busy: a failing run must show its own
      // assertion and leave no mount behind.
      await store?.close().catch(() => {})
      try { execFileSync('umount', [mnt]) } catch { execFileSync('umount', ['-l', mnt]) }
      await rm(mnt, { recursive: true, force: true })
    }
  })
})
