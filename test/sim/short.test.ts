/**
 * The short form's time compression (src/sim/scenario/short.ts): every time of the scenario
 * multiplied, none of the network's; what --short runs is that scenario.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { C5Error } from '../../src/errors.js'
import { CONFIG_DIR, loadScenario, resolveScenario } from '../../src/sim/scenario/load.js'
import { compressTime, shortFactors } from '../../src/sim/scenario/short.js'
import { planMessages } from '../../src/sim/workload.js'
import { seededRandom } from '../../src/sim/random.js'

const H = 3_600_000
const M = 60_000

describe('short form: compressed times', () => {
  it('multiplies the scenario\'s times, not the network\'s, nor the latency bounds', async () => {
    const sc = await resolveScenario({
      name: 'short-test',
      description: 'every kind of time a scenario has',
      topology: join(CONFIG_DIR, 'topologies', 'mx-32.json'),
      duration: '8h',
      sample: '20m',
      node: { reconcileInterval: '30s', maxClockSkew: '10m' },
      links: { classes: { slow: { base: 'internet', latency: '2s' } } },
      partition: { groups: [['MX-YUC'], ['MX-CMX']], at: '1h', heal: '3h' },
      workload: [{ from: 'all', count: 100, between: ['1h', '5h'], ttl: '6h' }],
      timeline: [
        { at: '2h', courier: { route: ['MX-GRO', 'MX-CMX'], travel: '4h', stop: '20m' } },
        { at: '2h', courier: { route: ['MX-GRO', 'MX-MOR', 'MX-CMX'], travel: ['1h', '2h'] } },
        { at: '3h', rogue: { node: 'MX-SLP', flood: 10, over: '40m' } },
        { at: '4h', skew: { node: 'MX-OAX', by: '+15m' } },
        { at: '4h', publish: { from: 'MX-GRO', ttl: '2h' } }
      ],
      assertions: [
        { delivered: { to: 'all', by: '8h', messages: { after: '1h', before: '6h' } } },
        { 'delivery-ratio': { min: 0.9, by: '4h' } },
        { 'p99-latency': { max: '10m', messages: { before: '2h' } } }
      ],
      short: { scale: 0.5, time: 0.25 }
    }, 'short-test.yaml')
    expect(shortFactors(sc)).toEqual({ scale: 0.5, time: 0.25 })
    const s = compressTime(sc, 0.25)
    expect(s.durationMs).toBe(2 * H)
    expect(s.raw.duration).toBe(2 * H)
    expect(s.raw.sample).toBe(5 * M)
    expect(s.raw.partition).toMatchObject({ at: 15 * M, heal: 45 * M })
    expect(s.raw.workload?.[0]).toMatchObject({ between: [15 * M, 75 * M], ttl: 6 * H })
    const t = s.raw.timeline!
    expect(t.map(x => x.at)).toEqual([30 * M, 30 * M, 45 * M, H, H])
    expect(t[0].courier).toMatchObject({ travel: H, stop: 5 * M })
    expect(t[1].courier?.travel).toEqual([15 * M, 30 * M])
    expect(t[2].rogue).toMatchObject({ over: 10 * M, flood: 10 })
    expect(t[3].skew?.by).toBe(15 * M) // a clock set wrong is not scenario time
    expect(t[4].publish?.ttl).toBe(2 * H) // lifetimes neither
    const a = s.raw.assertions!
    expect(a[0].delivered).toMatchObject({ by: 2 * H, messages: { after: 15 * M, before: 90 * M } })
    expect(a[1]['delivery-ratio']?.by).toBe(H)
    expect(a[2]['p99-latency']).toMatchObject({ max: 10 * M, messages: { before: 30 * M } })
    // The network is untouched.
    expect(s.raw.node).toEqual(sc.raw.node)
    expect(s.classes).toBe(sc.classes)
    // The original is not changed; the planned messages fall in the compressed window.
    expect(sc.durationMs).toBe(8 * H)
    const plan = planMessages(s, seededRandom(1), 0.5)
    expect(plan.filter(p => p.source === 'workload')).toHaveLength(50)
    for (const p of plan) expect(p.at).toBeLessThanOrEqual(75 * M)
    expect(compressTime(sc, 1)).toBe(sc)
    expect(() => compressTime(sc, 0)).toThrow(RangeError)
  })

  it('short.time is a fraction in (0, 1]', async () => {
    const bad = async (time: unknown): Promise<string> => {
      try {
        await resolveScenario({ name: 'x', description: 'x', duration: '1h', short: { scale: 0.1, time } }, 'x.yaml')
      } catch (err) { if (err instanceof C5Error) return String(err.details?.field); throw err }
      return 'accepted'
    }
    expect(await bad(0)).toBe('short.time')
    expect(await bad(2)).toBe('short.time')
    expect(await bad('1h')).toBe('short.time')
  })

  it('every shipped scenario\'s short form lasts at most 6 simulated hours (the CI budget)', async () => {
    const { readdirSync } = await import('node:fs')
    for (const f of readdirSync(join(CONFIG_DIR, 'scenarios')).filter(x => /\.(ya?ml|json)$/.test(x))) {
      const sc = await loadScenario(join(CONFIG_DIR, 'scenarios', f))
      const { time } = shortFactors(sc)
      expect(compressTime(sc, time).durationMs, f).toBeLessThanOrEqual(6 * H)
    }
  })
})
