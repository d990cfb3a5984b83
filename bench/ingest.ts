/**
 * `npm run bench -- ingest`: the raw node:crypto Ed25519 verify rate (one core, the
 * baseline) against the full ingest rate — decode + verify + roster authority + batched
 * LevelDB writes — of 300-byte alerts, measured in the same run. ratio = ingest / verify.
 * Also ingest with verification on worker threads (`ingest_workers_per_s`, ratio_workers).
 */
import { join } from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { composeEnvelope, envelopeOverhead, sampleAlert, signingPayload, decodeEnvelope, signEnvelope } from '../src/envelope/index.js'
import { generateKeyPair, keyId, verify } from '../src/identity/index.js'
import { openNodeCore } from '../src/node/core.js'
import { createVerifyPool, type VerifyPool } from '../src/node/verify-pool.js'
import { createTestWorld } from '../src/sim/world.js'
import { MAX_INGESTS_IN_FLIGHT } from '../src/sync/constants.js'
import type { Envelope } from '../src/envelope/types.js'

const N = Number(process.env.BENCH_N ?? 20_000)
/**
 * Ingests in flight: a node taking a backlog from 8 peers, each session ingesting up to
 * MAX_INGESTS_IN_FLIGHT (64) at once. Fewer leave the main thread idle while a group commit
 * is written (every in-flight ingest waits for the same batch).
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8 * MAX_INGESTS_IN_FLIGHT)

function makeAlerts (world: ReturnType<typeof createTestWorld>, n: number, now: number): Envelope[] {
  const op = world.members[0].operator
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const u = sampleAlert({ author: keyId(op.publicKey), created: now - 1000, seq: i, descriptionChars: 200 - String(i).length })
    const { version: _v, author: _a, created: _c, ...fields } = u
    out.push(composeEnvelope({ ...fields, org: world.members[0].org, ttlS: 86_400 }, op, { now: now - 1000 }))
  }
  return out
}

function verifyRate (alerts: Envelope[], key: Uint8Array): number {
  const payloads = alerts.map(a => signingPayload(a))
  const t0 = performance.now()
  let ok = 0
  for (let i = 0; i < alerts.length; i++) if (verify(key, payloads[i], alerts[i].signature)) ok++
  const s = (performance.now() - t0) / 1000
  if (ok !== alerts.length) throw new Error('verify failed')
  return alerts.length / s
}

let lastPoolStats: ReturnType<VerifyPool['stats']> | undefined

async function ingestRate (alerts: Envelope[], world: ReturnType<typeof createTestWorld>, now: number, workers: boolean): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-'))
  const pool = workers ? createVerifyPool() : undefined
  const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors, clock: { now: () => now }, ...(pool === undefined ? {} : { verifier: pool }) })
  try {
    await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
    const t0 = performance.now()
    let next = 0
    let accepted = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < alerts.length) {
        const a = alerts[next++]
        const r = await core.ingest.ingest(a.bytes, 'peer:bench')
        if (r.ok) accepted++
        else throw new Error(`refused: ${r.code}`)
      }
    }))
    const s = (performance.now() - t0) / 1000
    if (accepted !== alerts.length) throw new Error('not all accepted')
    return alerts.length / s
  } finally {
    await core.close()
    lastPoolStats = pool?.stats()
    await pool?.close()
    await rm(dir, { recursive: true, force: true })
  }
}

export async function run (): Promise<Record<string, unknown>> {
  const now = Date.now()
  const world = createTestWorld(['MX-YUC'], now)
  const alerts = makeAlerts(world, N, now)
  const key = world.members[0].operator.publicKey
  const decodeT0 = performance.now()
  for (const a of alerts.slice(0, 5000)) decodeEnvelope(a.bytes)
  const decodeUs = (performance.now() - decodeT0) * 1000 / Math.min(5000, alerts.length)
  // Interleave to share the machine's noise: verify, ingest, verify, ingest(workers).
  const v1 = verifyRate(alerts, key)
  const ingest = await ingestRate(alerts, world, now, false)
  const v2 = verifyRate(alerts, key)
  const ingestWorkers = await ingestRate(alerts, world, now, true)
  const verifyPerS = (v1 + v2) / 2
  const sample = alerts[0]
  console.log(`n=${N} alerts of ${sample.bytes.length} B; decode ${decodeUs.toFixed(1)} µs; verify ${verifyPerS.toFixed(0)}/s; ingest ${ingest.toFixed(0)}/s; ingest+workers ${ingestWorkers.toFixed(0)}/s`)
  const refKey = generateKeyPair()
  const reference = signEnvelope(sampleAlert({ author: keyId(refKey.publicKey) }), refKey.privateKey)
  return {
    bench: 'ingest',
    n: N,
    concurrency: CONCURRENCY,
    verify_per_s: Math.round(verifyPerS),
    ingest_per_s: Math.round(ingest),
    ratio: Number((ingest / verifyPerS).toFixed(3)),
    ingest_workers_per_s: Math.round(ingestWorkers),
    ratio_workers: Number((ingestWorkers / verifyPerS).toFixed(3)),
    decode_us: Number(decodeUs.toFixed(1)),
    // What one message costs beyond its signature check (decode, authority, store, glue):
    // the budget for ratio 0.7 is 0.43 × 1e6 / verify_per_s.
    non_verify_us: Number((1e6 / ingest - 1e6 / verifyPerS).toFixed(1)),
    workers_inline_share: lastPoolStats === undefined ? null : Number((lastPoolStats.inline / Math.max(1, lastPoolStats.inline + lastPoolStats.offloaded)).toFixed(3)),
    alert_bytes: reference.bytes.length,
    overhead_bytes: envelopeOverhead(reference)
  }
}
