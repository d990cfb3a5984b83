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

/**
 * A batch travels as ONE transferred buffer (no structured clone of many small arrays):
 * per job keyLen(1) sigLen(1) dataLen(4, big-endian) key sig data. The answer is one byte
 * per job (1 = valid).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const keys = new Map()
function keyObject (raw) {
  const k = raw.toString('hex')
  let o = keys.get(k)
  if (o === undefined) {
    o = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
    if (keys.size > 4096) keys.clear()
    keys.set(k, o)
  }
  return o
}
parentPort.on('message', ({ id, count, buf }) => {
  const b = Buffer.from(buf)
  const out = new Uint8Array(count)
  let o = 0
  for (let i = 0; i < count; i++) {
    const kl = b[o], sl = b[o + 1], dl = b.readUInt32BE(o + 2)
    const key = b.subarray(o + 6, o + 6 + kl)
    const sig = b.subarray(o + 6 + kl, o + 6 + kl + sl)
    const data = b.subarray(o + 6 + kl + sl, o + 6 + kl + sl + dl)
    o += 6 + kl + sl + dl
    try { out[i] = sl === 64 && kl === 32 && verify(null, data, keyObject(key), sig) ? 1 : 0 } catch { out[i] = 0 }
  }
  parentPort.postMessage({ id, out }, [out.buffer])
})
`

/** Packs jobs for the worker (see WORKER_SOURCE); lengths over a byte's range can't be valid. */
function pack (jobs: Job[]): ArrayBuffer {
  let size = 0
  for (const j of jobs) size += 6 + Math.min(j.key.length, 255) + Math.min(j.sig.length, 255) + j.data.length
  const buf = new Uint8Array(size)
  const view = new DataView(buf.buffer)
  let o = 0
  for (const j of jobs) {
    const key = j.key.subarray(0, 255)
    const sig = j.sig.subarray(0, 255)
    buf[o] = key.length
    buf[o + 1] = sig.length
    view.setUint32(o + 2, j.data.length)
    buf.set(key, o + 6)
    buf.set(sig, o + 6 + key.length)
    buf.set(j.data, o + 6 + key.length + sig.length)
    o += 6 + key.length + sig.length + j.data.length
  }
  return buf.buffer
}

/**
 * Largest batch sent to one worker at once. Small enough that results stream back while
 * the worker goes on (the main thread stores the first while later ones are verified);
 * large enough that a message costs far less than the ~115 µs verification it carries.
 */
export const VERIFY_BATCH_MAX = 32

/**
 * Jobs waiting for the workers (per worker) beyond which a caller may verify inline: only
 * while the main thread has spare time (event-loop utilisation under INLINE_MAX_BUSY over
 * the last ELU_WINDOW_MS). Measured here (2 cores, one worker) the main thread is the
 * busier one during a burst, and verifying inline on every backlog made ingest 40% slower;
 * the utilisation check lets it help only when it would otherwise wait.
 */
export const INLINE_AFTER_PER_WORKER = 2 * VERIFY_BATCH_MAX
export const INLINE_MAX_BUSY = 0.8
const ELU_WINDOW_MS = 50

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
  /** Verify on the calling thread when the workers lag and it has spare time (default true). */
  inline?: boolean
  /** The calling thread's recent busy share, 0..1 (default: its event-loop utilisation). */
  mainUtilisation?: () => number
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
  let eluMark = performance.eventLoopUtilization()
  let eluAt = performance.now()
  let busy = 1

  function eventLoopBusy (): number {
    const now = performance.now()
    if (now - eluAt >= ELU_WINDOW_MS) {
      const mark = performance.eventLoopUtilization()
      busy = performance.eventLoopUtilization(mark, eluMark).utilization
      eluMark = mark
      eluAt = now
    }
    return busy
  }
  const mainUtilisation = options.mainUtilisation ?? eventLoopBusy
  const mainHasSpareTime = (): boolean => mainUtilisation() < INLINE_MAX_BUSY

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
      const buf = pack(batch)
      slot.worker.postMessage({ id, count: batch.length, buf }, [buf])
    }
    queue = []
  }

  return {
    verify: (key, data, sig) => {
      if (backlog >= inlineAfter && mainHasSpareTime()) {
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
