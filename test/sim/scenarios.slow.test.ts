/**
 * Every shipped scenario (config/scenarios/) in its short form — the scenario's own
 * `short.scale` of the workload and its timeline compressed by `short.time` (every event,
 * in the same order, sooner; src/sim/scenario/short.ts) — with c5mesh, its assertions
 * checked. About a minute of CPU in all (a simulated hour of 32 nodes costs 1–3 s, more
 * with radio nets or a flood), so in the slow project. The full-length runs are
 * `c5mesh sim NAME` and the sim bench. Baselines are not run here (test/sim/cli.test.ts and
 * determinism.test.ts do; determinism.test.ts also runs its scenario twice).
 */
import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { CONFIG_DIR, loadScenario } from '../../src/sim/scenario/load.js'
import { runSimulation } from '../../src/sim/command.js'

const files = readdirSync(join(CONFIG_DIR, 'scenarios')).filter(f => /\.(ya?ml|json)$/.test(f)).sort()

describe('shipped scenarios, short form', () => {
  it.each(files)('%s: every assertion holds for c5mesh', async file => {
    const sc = await loadScenario(join(CONFIG_DIR, 'scenarios', file))
    const { report } = await runSimulation(sc, { short: true, baseline: 'none' })
    const main = report.systems[0]
    expect(report.time_scale).toBe(sc.raw.short?.time ?? 1)
    expect(report.scenario.duration_ms).toBe(Math.round(sc.durationMs * report.time_scale))
    const failed = main.assertions.filter(a => a.pass === false).map(a => `${a.name}: ${a.summary}; ${a.failures.slice(0, 3).map(f => `${f.node ?? ''} ${f.message ?? ''} ${f.detail}`).join(' | ')}`)
    expect(failed).toEqual([])
    expect(main.duplicates).toBe(0)
    expect(main.published).toBeGreaterThan(0)
  }, 600_000)
})
