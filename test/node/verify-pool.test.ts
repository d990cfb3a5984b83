/**
 * The verification pool (real worker threads): it must give exactly the answers of an
 * inline verify — on workers and when it verifies inline under a backlog — and a lost
 * worker must fail its jobs closed and be replaced.
 */
import { describe, it, expect } from 'vitest'
import { createVerifyPool, INLINE_AFTER_PER_WORKER, INLINE_MAX_BUSY, VERIFY_BATCH_MAX } from '../../src/node/verify-pool.js'
import { generateKeyPair, sign, verify } from '../../src/identity/index.js'

interface Case { key: Uint8Array, data: Uint8Array, sig: Uint8Array }

/** Valid, tampered-data, wrong-key, short-signature and malformed-key cases, mixed. */
function cases (n: number): Case[] {
  const a = generateKeyPair()
  const b = generateKeyPair()
  const out: Case[] = []
  for (let i = 0; i < n; i++) {
    const data = new TextEncoder().encode(`message ${i}`)
    const sig = sign(a.privateKey, data)
    switch (i % 5) {
      case 0: out.push({ key: a.publicKey, data, sig }); break
      case 1: out.push({ key: a.publicKey, data: new TextEncoder().encode(`message ${i}!`), sig }); break
      case 2: out.push({ key: b.publicKey, data, sig }); break
      case 3: out.push({ key: a.publicKey, data, sig: sig.subarray(0, 63) }); break
      default: out.push({ key: new Uint8Array(31), data, sig })
    }
  }
  return out
}

describe('verify pool', () => {
  it('answers as inline verification does, on workers only (inline off)', async () => {
    const pool = createVerifyPool({ threads: 2, inline: false })
    try {
      const cs = cases(5 * VERIFY_BATCH_MAX + 3)
      const got = await Promise.all(cs.map(async c => pool.verify(c.key, c.data, c.sig)))
      expect(got).toEqual(cs.map(c => verify(c.key, c.data, c.sig)))
      expect(got.filter(Boolean).length).toBe(Math.ceil(cs.length / 5))
      expect(pool.stats()).toMatchObject({ offloaded: cs.length, inline: 0 })
    } finally {
      await pool.close()
    }
  })

  it('verifies inline when the workers have a backlog and the main thread has spare time, with the same answers', async () => {
    const pool = createVerifyPool({ threads: 1, mainUtilisation: () => 0 })
    try {
      const cs = cases(10 * VERIFY_BATCH_MAX)
      const got = await Promise.all(cs.map(async c => pool.verify(c.key, c.data, c.sig)))
      expect(got).toEqual(cs.map(c => verify(c.key, c.data, c.sig)))
      const s = pool.stats()
      expect(s.offloaded).toBe(INLINE_AFTER_PER_WORKER) // the backlog, then inline
      expect(s.inline).toBe(cs.length - INLINE_AFTER_PER_WORKER)
    } finally {
      await pool.close()
    }
  })

  it('never verifies inline while the main thread is busy, whatever the backlog', async () => {
    const pool = createVerifyPool({ threads: 1, mainUtilisation: () => INLINE_MAX_BUSY })
    try {
      const cs = cases(10 * VERIFY_BATCH_MAX)
      const got = await Promise.all(cs.map(async c => pool.verify(c.key, c.data, c.sig)))
      expect(got).toEqual(cs.map(c => verify(c.key, c.data, c.sig)))
      expect(pool.stats()).toMatchObject({ inline: 0, offloaded: cs.length })
    } finally {
      await pool.close()
    }
  })

  it('fails the jobs of a lost worker closed and replaces it', async () => {
    const pool = createVerifyPool({ threads: 1, inline: false })
    try {
      const cs = cases(40 * VERIFY_BATCH_MAX).filter((_, i) => i % 5 === 0) // all valid, ~30 ms of work
      const pending = cs.map(async c => pool.verify(c.key, c.data, c.sig))
      // The jobs go to the worker on the next turn; kill it once they are there.
      await new Promise<void>(resolve => setImmediate(resolve))
      const [worker] = pool.workers()
      await worker.terminate()
      const got = await Promise.all(pending)
      expect(got.some(ok => !ok)).toBe(true) // never true for a job the dead worker held
      expect(pool.stats().respawned).toBe(1)
      expect(pool.workers()[0]).not.toBe(worker)
      const again = await Promise.all(cs.map(async c => pool.verify(c.key, c.data, c.sig)))
      expect(again.every(Boolean)).toBe(true)
    } finally {
      await pool.close()
    }
  })
})
