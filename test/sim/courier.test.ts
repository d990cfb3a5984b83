/**
 * Couriers on real bundles (src/sim/courier.ts): two C5s joined by nothing but a courier
 * converge, each bundle carries what its manifests say is missing (its bytes ≈ the
 * difference's envelopes plus the bundle's framing), bytes are reported as the `courier`
 * link class, and two runs give the same trace.
 */
import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { loadScenario } from '../../src/sim/scenario/load.js'
import { runScenario } from '../../src/sim/run.js'
import { buildReport } from '../../src/sim/report/build.js'
import { renderHtml } from '../../src/sim/report/html.js'

const FILE = fileURLToPath(new URL('./fixtures/courier-only.yaml', import.meta.url))
/** A bundle's framing: header (with its signature and answers) and trailer, and per record its head. */
const BUNDLE_FIXED_MAX_BYTES = 1024
const RECORD_HEAD_MAX_BYTES = 48

describe('simulated couriers carry real bundles', () => {
  it('two nodes joined only by a courier converge; each bundle ≈ the difference; deterministic', async () => {
    const sc = await loadScenario(FILE)
    const one = await runScenario(sc, 'c5mesh', { keepTrace: true })
    const report = buildReport(sc, [one])
    const main = report.systems[0]
    expect(main.assertions.map(a => [a.kind, a.pass])).toEqual([['delivered', true], ['no-duplicates', true]])
    expect(main.delivery_ratio).toBe(1)

    const pubs = one.recorder.published
    const from = (org: string): typeof pubs => pubs.filter(p => p.origin === org)
    const sum = (list: typeof pubs): number => list.reduce((a, p) => a + p.bytes, 0)
    const gro = from('MX-GRO')
    const cmx = from('MX-CMX')
    expect(gro.length).toBeGreaterThan(5)
    expect(cmx.length).toBeGreaterThan(5)

    const [leave, capital, back] = main.couriers
    expect(main.couriers).toHaveLength(3)
    // Guerrero first: no manifest of Mexico City on the stick yet, so all it holds (its
    // messages and the roster, which travels first on every link).
    expect(leave).toMatchObject({ node: 'MX-GRO', bundles_imported: 0, method: 'everything', bundle_records: gro.length + 1 })
    expect(leave.bundle_bytes).toBeGreaterThan(sum(gro))
    // Mexico City: Guerrero's messages are new there, the roster known; its bundle answers
    // Guerrero's manifest with exactly Mexico City's own messages.
    expect(capital).toMatchObject({ node: 'MX-CMX', bundles_imported: 1, new: gro.length, known: 1, rejected: 0, method: 'manifests', bundle_records: cmx.length })
    expect(capital.bundle_bytes).toBeGreaterThan(sum(cmx))
    expect(capital.bundle_bytes).toBeLessThan(sum(cmx) + cmx.length * RECORD_HEAD_MAX_BYTES + BUNDLE_FIXED_MAX_BYTES)
    // Back in Guerrero: Mexico City's messages are new; the capital lacks nothing now.
    expect(back).toMatchObject({ node: 'MX-GRO', bundles_imported: 1, new: cmx.length, known: 0, bundle_records: 0, method: 'none' })
    // Delivered by courier, at the courier's arrival.
    const arrival = capital.t_ms
    for (const p of gro) expect(one.recorder.delivered.get(p.id)?.get('MX-CMX')).toBe(arrival)

    // The courier is a link class in the report, with the bytes written onto the stick.
    const bundles = leave.bundle_bytes + capital.bundle_bytes
    expect(main.bytes_by_class.courier).toEqual({ frames: 5, payload_bytes: bundles, wire_bytes: main.courier_bytes, retransmissions: 0 })
    expect(main.courier_bytes).toBe(bundles + leave.manifest_bytes + capital.manifest_bytes + back.manifest_bytes)
    expect(Object.keys(main.bytes_by_class)).toEqual(['courier']) // no other link at all
    expect(renderHtml(report)).toContain('Couriers (c5mesh)')

    const two = await runScenario(sc, 'c5mesh', { keepTrace: true })
    expect(two.traceHash).toBe(one.traceHash)
    expect(two.trace).toBe(one.trace)
    expect(buildReport(sc, [two]).systems[0].couriers).toEqual(main.couriers)
    expect(one.trace).toContain(' courier autopista in 1/')
  })

  it('a baseline without bundles keeps the plain model: what it still holds goes on the stick', async () => {
    const sc = await loadScenario(FILE)
    const g = buildReport(sc, [await runScenario(sc, 'gossip')]).systems[0]
    expect(g.couriers.map(c => c.method)).toEqual(['plain', 'plain', 'plain'])
    // Push gossip keeps seconds of history, not a store: an hour later it has nothing to hand over.
    expect(g.courier_bytes).toBe(0)
    expect(g.delivery_ratio).toBe(0.5)
  })
})
