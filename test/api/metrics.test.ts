/**
 * /metrics of a node with a live sync session (two real libp2p nodes): Prometheus text that
 * `promtool check metrics` (Debian's prometheus package) accepts, with the series an
 * administrator watches.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { composeEnvelope } from '../../src/envelope/index.js'
import { writeKeyFile } from '../../src/identity/index.js'
import { createApi } from '../../src/api/server.js'
import { dataPaths } from '../../src/node/paths.js'
import { createOperatorDirectory, DEFAULT_OPERATOR, ensureToken, operatorFiles } from '../../src/operators/index.js'
import { createTestWorld } from '../helpers/world.js'
import { startTestNode, connect, waitForIds, type TestNode } from '../helpers/mesh.js'

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find(p => existsSync(p))
const nodes: TestNode[] = []
afterAll(async () => { await Promise.all(nodes.map(async n => n.stop())) })

async function promtool (text: string): Promise<{ code: number | null, out: string }> {
  return await new Promise(resolve => {
    const p = spawn(PROMTOOL!, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', d => { out += d }); p.stderr.on('data', d => { out += d })
    p.on('close', code => resolve({ code, out }))
    p.stdin.end(text)
  })
}

describe('/metrics', { timeout: 60_000 }, () => {
  it.skipIf(PROMTOOL === undefined)('passes promtool check metrics and carries the node\'s series', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const [a, b] = await Promise.all(world.members.map(async m => startTestNode(world, m, { receipts: { batchMs: 50 } })))
    nodes.push(a, b)
    await connect(a, b)
    const paths = dataPaths(a.dir)
    await writeKeyFile(paths.operatorKey, 'operator', world.members[0].operator)
    const token = await ensureToken(operatorFiles(paths, DEFAULT_OPERATOR))
    const app = await createApi({ core: a.core, mesh: a.mesh, org: 'MX-YUC', operators: createOperatorDirectory(paths), receipts: () => ({ ...a.receipts!.stats(), pending: a.receipts!.pending() }) })
    try {
      await app.listen({ host: '127.0.0.1', port: 0 })
      const env = composeEnvelope({ kind: 'alert', org: 'MX-CAM', precedence: 'flash', content: { msgType: 'Alert', headline: 'sismo' } }, world.members[1].operator, { now: Date.now() })
      expect((await b.core.ingest.ingest(env.bytes, 'local')).ok).toBe(true)
      await waitForIds(a, [env.digest])
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = await res.text()
      const check = await promtool(text)
      expect(check.out).toBe('')
      expect(check.code).toBe(0)
      for (const series of [
        /^c5mesh_ingest_total\{code="ACCEPTED",source="peer"\} [1-9]/m,
        /^c5mesh_messages_stored_total\{kind="alert",precedence="flash"\} 1/m,
        /^c5mesh_delivery_latency_seconds_count\{precedence="flash"\} 1/m,
        /^c5mesh_peers_connected 1/m,
        /^c5mesh_sync_frames_total\{peer="[^"]+",org="MX-CAM",direction="received",type="msg"\} [1-9]/m,
        /^c5mesh_store_messages [1-9]/m,
        /^c5mesh_store_write_failing 0/m,
        /^c5mesh_receipts_sent_total /m,
        /^c5mesh_process_resident_memory_bytes /m
      ]) expect(text).toMatch(series)
    } finally { await app.close() }
  })
})
