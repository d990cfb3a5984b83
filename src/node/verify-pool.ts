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

interface Job { key: Uint8Array, data: Uint8Array, sig: Uint8Array, resolve: (ok: boolean) => void }
interface Slot { worker: Worker, pending: Map<number, Job[]>, load: number }

export interface VerifyPool extends SignatureVerifier {
  close: () => Promise<void>
}

export function createVerifyPool (options: { threads?: number } = {}): VerifyPool {
  // One core stays with the main thread (decode, store); the rest verify.
  const threads = Math.max(1, options.threads ?? availableParallelism() - 1)
  const slots: Slot[] = []
  let nextId = 0
  let queue: Job[] = []
  let scheduled = false

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true })
    worker.unref()
    const slot: Slot = { worker, pending: new Map(), load: 0 }
    worker.on('message', ({ id, out }: { id: number, out: Uint8Array }) => {
      const jobs = slot.pending.get(id)
      if (jobs === undefined) return
      slot.pending.delete(id)
      slot.load -= jobs.length
      for (let k = 0; k < jobs.length; k++) jobs[k].resolve(out[k] === 1)
    })
    // A crashed worker fails its jobs closed (not verified), never open.
    worker.on('error', () => { for (const jobs of slot.pending.values()) for (const j of jobs) j.resolve(false); slot.pending.clear(); slot.load = 0 })
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
    verify: async (key, data, sig) => new Promise<boolean>(resolve => {
      queue.push({ key, data, sig, resolve })
      if (!scheduled) { scheduled = true; setImmediate(flush) }
    }),
    close: async () => { await Promise.all(slots.map(async s => s.worker.terminate())) }
  }
}
