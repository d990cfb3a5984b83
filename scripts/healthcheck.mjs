#!/usr/bin/env node
// Health of the node running on a data folder (Docker HEALTHCHECK, a monitoring probe):
// exit 0 when its API answers GET /healthz, 1 otherwise, with one line saying why.
//   node scripts/healthcheck.mjs [DATA_DIR]     (default: $C5MESH_DATA, else ./data)
// Plain JavaScript with no imports of the project: it runs every 30 s and must cost little.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const TIMEOUT_MS = 4_000
const dir = resolve(process.argv[2] ?? process.env.C5MESH_DATA ?? 'data')
let api
try {
  api = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')).api
} catch {
  console.error(`unhealthy: no node running on ${dir} (no daemon.json)`)
  process.exit(1)
}
try {
  const res = await fetch(`${api}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) })
  await res.body?.cancel()
  if (!res.ok) {
    console.error(`unhealthy: ${api}/healthz answered ${res.status}`)
    process.exit(1)
  }
  console.log(`healthy: ${api}`)
} catch (err) {
  console.error(`unhealthy: ${api}/healthz: ${err.cause?.code ?? err.message}`)
  process.exit(1)
}
