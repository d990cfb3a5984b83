/**
 * Determinism: the same scenario and seed give a byte-identical event trace (run twice in
 * the suite); another seed changes timings and losses, not the assertions' outcome. The
 * scenario uses every kind of timeline event, and its assertions check what they must.
 */
import { describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { loadScenario } from '../../src/sim/scenario/load.js'
import { runScenario } from '../../src/sim/run.js'
import { evaluate } from '../../src/sim/assertions.js'

const FILE = fileURLToPath(new URL('./fixtures/everything.yaml', import.meta.url))

describe('simulator determinism', () => {
  it('same seed → same trace bytes; another seed → another trace, same outcome', async () => {
    const sc = await loadScenario(FILE)
    const one = await runScenario(sc, 'c5mesh', { keepTrace: true })
    const two = await runScenario(sc, 'c5mesh', { keepTrace: true })
    expect(two.traceHash).toBe(one.traceHash)
    expect(two.trace).toBe(one.trace)
    expect(one.traceEvents).toBeGreaterThan(200)
    // Every kind of event happened.
    for (const e of [' cut ', ' restore ', ' degrade ', ' power-off', ' power-on', ' courier ', ' skew ', ' revoke ', ' roster-update ', ' rogue-forged ', ' rogue-oversized ', ' rogue-flood ', ' banned ', ' deliver ']) expect(one.trace).toContain(e)
    const other = await runScenario(sc, 'c5mesh', { seed: 6 })
    expect(other.traceHash).not.toBe(one.traceHash)
    const a = evaluate(sc, one)
    expect(a.map(x => [x.kind, x.pass])).toEqual([['delivered', true], ['no-duplicates', true], ['revoked-refused', true], ['roster-converged', true]])
    expect(evaluate(sc, other).map(x => x.pass)).toEqual(a.map(x => x.pass))
    // The revocation did bite: the revoked operator's later messages were published, then refused.
    expect(one.recorder.revocations).toHaveLength(1)
    expect(one.recorder.published.filter(p => p.origin === 'MX-OAX' && p.created >= one.recorder.revocations[0].effective).length).toBeGreaterThan(0)
    expect(one.latestRosterVersion).toBe(2)
  })

  it('the baselines run the same workload and timeline', async () => {
    const sc = await loadScenario(FILE)
    const g = await runScenario(sc, 'gossip')
    const f = await runScenario(sc, 'flood')
    const c = await runScenario(sc, 'c5mesh')
    const ids = (r: typeof g): string[] => r.recorder.published.filter(p => p.source === 'workload').map(p => `${p.origin} ${p.at} ${p.precedence}`)
    expect(ids(g)).toEqual(ids(c))
    expect(ids(f)).toEqual(ids(c))
    expect(evaluate(sc, g).find(x => x.kind === 'revoked-refused')?.pass).toBeNull()
  })
})
