/**
 * Ed25519 verification spread over worker threads, so that a sync burst uses every core
 * while the main thread decodes and writes (issue 2 benchmark). Requests made in the same
 * tick are batched into one message per worker; the workers use node:crypto.
 *
 * The worker is a short CommonJS source evaluated in the thread (no build step, no tsx in
 * the worker): it only needs node:crypto.
 */
import { Worker } from 'node:worker_threads'
import { availableParallelism } from 'node:os'
import type { SignatureVerifier } from './ingest.js'
import { verify as verifyInline } from '../identity/index.js'

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map()
function keyObject (raw) {
  const k = Buffer.from(raw).toString('hex')
  let o = keys.get(k)
  if (o === undefined) {
    o = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
    if (keys.size > 4096) keys.clear()
    keys.set(k, o)
  }
  return o
}
parentPort.on('message', ({ id, jobs }) => {
  const out = new Uint8Array(jobs.length)
  for (let i = 0; i < jobs.length; i++) {
    const j = jobs[i]
    try { out[i] = j.sig.length === 64 && verify(null, j.data, keyObject(j.key), j.sig) ? 1 : 0 } catch { out[i] = 0 }
  }
  parentPort.postMessage({ id, out })
})
`

/**
 * Largest batch sent to one worker at once. Small enough that results stream back while
 * the worker goes on (the main thread stores the first while later ones are verified);
 * large enough that a message costs far less than the ~115 µs verification it carries.
 */
export const VERIFY_BATCH_MAX = 32

/**
 * Jobs waiting for the workers (per worker) beyond which a caller verifies inline instead.
 * When the workers are the bottleneck the main thread has spare time and both cores
 * verify; when the main thread is the busy one the backlog stays short and it never does.
 */
export const INLINE_AFTER_PER_WORKER = 2 * VERIFY_BATCH_MAX

interface Job { key: Uint8Array, data: Uint8Array, sig: Uint8Array, resolve: (ok: boolean) => void }
interface Slot { worker: Worker, pending: Map<number, Job[]>, load: number }

export interface VerifyPoolStats {
  /** Verified on a worker thread. */
  offloaded: number
  /** Verified on the calling thread because the workers had a backlog. */
  inline: number
  /** Workers that exited or failed and were replaced (their jobs failed closed). */
  respawned: number
}

export interface VerifyPool extends SignatureVerifier {
  stats: () => VerifyPoolStats
  /** The worker threads now (tests use it to kill one). */
  workers: () => Worker[]
  close: () => Promise<void>
}

export interface VerifyPoolOptions {
  /** Worker threads; default one per core but one (the main thread keeps a core). */
  threads?: number
  /** Verify on the calling thread when the workers lag (default true). */
  inline?: boolean
}

export function createVerifyPool (options: VerifyPoolOptions = {}): VerifyPool {
  const threads = Math.max(1, options.threads ?? availableParallelism() - 1)
  const inlineAfter = options.inline === false ? Infinity : INLINE_AFTER_PER_WORKER * threads
  const slots: Slot[] = []
  const stats: VerifyPoolStats = { offloaded: 0, inline: 0, respawned: 0 }
  let nextId = 0
  let queue: Job[] = []
  /** Jobs queued or on a worker. */
  let backlog = 0
  let scheduled = false
  let closing = false

  function failClosed (slot: Slot): void {
    for (const jobs of slot.pending.values()) {
      for (const j of jobs) j.resolve(false)
      backlog -= jobs.length
    }
    slot.pending.clear()
    slot.load = 0
  }

  function spawn (slot: Slot): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true })
    worker.unref()
    slot.worker = worker
    worker.on('message', ({ id, out }: { id: number, out: Uint8Array }) => {
      const jobs = slot.pending.get(id)
      if (jobs === undefined) return
      slot.pending.delete(id)
      slot.load -= jobs.length
      backlog -= jobs.length
      stats.offloaded += jobs.length
      for (let k = 0; k < jobs.length; k++) jobs[k].resolve(out[k] === 1)
    })
    // A worker that fails or exits fails its jobs closed (not verified), never open, and
    // is replaced: a daemon runs for months.
    const lost = (): void => {
      if (slot.worker !== worker) return
      failClosed(slot)
      if (closing) return
      stats.respawned++
      spawn(slot)
    }
    worker.on('error', lost)
    worker.on('exit', lost)
  }

  for (let i = 0; i < threads; i++) {
    const slot = { pending: new Map(), load: 0 } as unknown as Slot
    spawn(slot)
    slots.push(slot)
  }

  function flush (): void {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.splice(0, VERIFY_BATCH_MAX)
      const slot = slots.reduce((a, b) => (b.load < a.load ? b : a))
      const id = nextId++
      slot.pending.set(id, batch)
      slot.load += batch.length
      slot.worker.postMessage({ id, jobs: batch.map(j => ({ key: j.key, data: j.data, sig: j.sig })) })
    }
    queue = []
  }

  return {
    verify: (key, data, sig) => {
      if (backlog >= inlineAfter) {
        stats.inline++
        return verifyInline(key, data, sig)
      }
      backlog++
      return new Promise<boolean>(resolve => {
        queue.push({ key, data, sig, resolve })
        if (!scheduled) { scheduled = true; setImmediate(flush) }
      })
    },
    stats: () => ({ ...stats }),
    workers: () => slots.map(s => s.worker),
    close: async () => {
      closing = true
      await Promise.all(slots.map(async s => s.worker.terminate()))
    }
  }
}
