/**
 * Honest catch-up under load (issue 13.1), with real parts: two nodes on real LevelDB, real
 * libp2p over loopback. Node A holds a large backlog; node B is empty and connects. While B
 * catches up, A publishes a flash alert every 500 ms. What a C5 depends on: the session
 * never aborts (a session that drops restarts the catch-up from a new reconciliation, and
 * every push in flight is lost), and a flash alert reaches B in seconds, not behind the
 * backlog.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { toHex } from '../../src/identity/index.js'
import { createTestWorld, type TestWorld, UNLIMITED_TEST_QUOTAS } from '../helpers/world.js'
import { startTestNode, connect, type TestNode } from '../helpers/mesh.js'

const BACKLOG = Number(process.env.C5MESH_CATCHUP_BACKLOG ?? 100_000)
const FLASH_EVERY_MS = 500

const nodes: TestNode[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map(async n => n.stop().catch(() => {})))
})

function bulletin (world: TestWorld, i: number, n: number, now: number): Envelope {
  return composeEnvelope({ kind: 'bulletin', org: world.members[0].org, precedence: 'routine', content: { msgType: 'Alert', headline: `boletín ${n}`, description: 'x'.repeat(200) } }, world.members[0].operator, { now: now - i })
}

describe('honest catch-up', () => {
  it(`an empty node catches up ${BACKLOG} messages with no session abort, and flash alerts sent meanwhile arrive in seconds`, async () => {
    const now = Date.now()
    const world = createTestWorld(['MX-GRO', 'MX-CMX'], now, [], { quotas: UNLIMITED_TEST_QUOTAS })
    const a = await startTestNode(world, world.members[0]); nodes.push(a)
    const b = await startTestNode(world, world.members[1]); nodes.push(b)
    for (let i = 0; i < BACKLOG; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, BACKLOG - i) }, (_, j) => bulletin(world, i + j, i + j, now))
      const results = await Promise.all(batch.map(async e => await a.core.ingest.ingest(e.bytes, 'local', { sync: false })))
      expect(results.every(r => r.ok)).toBe(true)
    }

    const ends: string[] = []
    b.mesh.events.on('session', e => { if (e.event === 'end') ends.push(`B:${e.reason ?? '?'}`) })
    a.mesh.events.on('session', e => { if (e.event === 'end') ends.push(`A:${e.reason ?? '?'}`) })
    const rejections: string[] = []
    b.core.ingest.events.on('rejected', (r: { code: string }) => { rejections.push(r.code) })
    const sentAt = new Map<string, number>()
    const latencies: number[] = []
    // Where a flash alert's time goes: A's own ingest (sent → admitted at A), the way to B
    // (admitted at A → admitted at B), B's write (admitted at B → stored at B).
    const phase = { aIngest: [] as number[], transit: [] as number[], bWrite: [] as number[] }
    const aAdmitted = new Map<string, number>()
    const bAdmitted = new Map<string, number>()
    a.core.ingest.events.on('admitted', ({ envelope }: { envelope: Envelope }) => {
      const k = toHex(envelope.digest); const t = sentAt.get(k)
      if (t !== undefined) { aAdmitted.set(k, Date.now()); phase.aIngest.push(Date.now() - t) }
    })
    b.core.ingest.events.on('admitted', ({ envelope }: { envelope: Envelope }) => {
      const k = toHex(envelope.digest); const t = aAdmitted.get(k)
      if (t !== undefined) { bAdmitted.set(k, Date.now()); phase.transit.push(Date.now() - t) }
    })
    let stored = 0
    const caughtUp = new Promise<void>(resolve => {
      b.core.ingest.events.on('message', ({ envelope }: { envelope: Envelope }) => {
        stored++
        const t = sentAt.get(toHex(envelope.digest))
        if (t !== undefined) {
          latencies.push(Date.now() - t)
          const ba = bAdmitted.get(toHex(envelope.digest))
          if (ba !== undefined) phase.bWrite.push(Date.now() - ba)
        }
        if (stored >= BACKLOG + sentAt.size && latencies.length === sentAt.size) resolve()
      })
    })
    const t0 = Date.now()
    await connect(b, a)
    let flashes = 0
    const timer = setInterval(() => {
      if (stored >= BACKLOG) return
      const e = composeEnvelope({ kind: 'alert', org: world.members[0].org, precedence: 'flash', content: { msgType: 'Alert', headline: `alerta ${flashes++}` } }, world.members[0].operator, { now: Date.now() })
      sentAt.set(toHex(e.digest), Date.now())
      void a.core.ingest.ingest(e.bytes, 'local')
    }, FLASH_EVERY_MS)
    const progress = process.env.C5MESH_CATCHUP_PROGRESS === undefined
      ? undefined
      : setInterval(() => {
        void (async () => {
          const pb = (await b.mesh.peers())[0]?.sync
          const pa = (await a.mesh.peers())[0]?.sync
          console.log(`t=${((Date.now() - t0) / 1000).toFixed(0)}s stored=${stored} flash=${latencies.length}/${sentAt.size} rejected=${rejections.length} B:${JSON.stringify(pb)} A:${JSON.stringify(pa)}`)
        })()
      }, 5000)
    try {
      await caughtUp
    } finally {
      clearInterval(timer)
      if (progress !== undefined) clearInterval(progress)
    }
    const wall = (Date.now() - t0) / 1000
    latencies.sort((x, y) => x - y)
    const p = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
    console.log(`catch-up of ${BACKLOG} in ${wall.toFixed(1)} s; ${latencies.length} flash alerts: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${latencies[latencies.length - 1]} ms; session ends: ${ends.join(", ") || "none"}`)
    const p99 = (xs: number[]): number => xs.sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(0.99 * xs.length))]
    console.log(`flash p99 by phase: A's ingest ${p99(phase.aIngest)} ms, A→B ${p99(phase.transit)} ms, B's write ${p99(phase.bWrite)} ms`)
    expect(rejections).toEqual([])
    expect(ends).toEqual([])
    expect(latencies.length).toBeGreaterThan(0)
    expect(p(0.99)).toBeLessThan(2_000)
  }, 600_000)
})
