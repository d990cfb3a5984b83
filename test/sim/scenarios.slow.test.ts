/**
 * Every shipped scenario (config/scenarios/) in its short form — the scenario's own
 * `short.scale` of the workload, the whole timeline — with c5mesh, its assertions checked.
 * Slow (minutes of CPU in all: a simulated day costs seconds to a minute), so in the slow
 * project. Baselines are not run here (test/sim/cli.test.ts and determinism.test.ts do).
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
    const failed = main.assertions.filter(a => a.pass === false).map(a => `${a.name}: ${a.summary}; ${a.failures.slice(0, 3).map(f => `${f.node ?? ''} ${f.message ?? ''} ${f.detail}`).join(' | ')}`)
    expect(failed).toEqual([])
    expect(main.duplicates).toBe(0)
    expect(main.published).toBeGreaterThan(0)
  }, 600_000)
})
