/**
 * The lab (src/sim/lab): four real `c5mesh start` daemons in network namespaces joined by
 * veth pairs shaped with tc tbf; Guerrero's links are brought down, both sides publish,
 * the links come back, and every daemon's real inbox ends with every message exactly once.
 * Needs root, iproute2 and tc (CI has them); fails, not skips, without. About 80 s.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { CONFIG_DIR, loadScenario } from '../../src/sim/scenario/load.js'
import { runLab } from '../../src/sim/lab/run.js'

describe('the lab: real daemons in network namespaces', () => {
  it('partition-heal: a cut, both sides publishing, a heal — every message at every daemon once', async () => {
    const sc = await loadScenario(join(CONFIG_DIR, 'scenarios', 'lab', 'partition-heal.yaml'))
    const lines: string[] = []
    const r = await runLab(sc, { log: s => { lines.push(s) } })
    expect(r.published).toBe(6)
    expect(r.delivered).toBe(r.pairs)
    expect(r.assertions.map(a => [a.name, a.pass])).toEqual([['every message at every daemon by the end', true], ['no duplicates in any inbox', true]])
    expect(lines.join('\n')).toContain('netem is not available')
    // The cut held: what Mexico City sent during it reached Guerrero only after the heal (40 s).
    const during = r.recorder.published.find(p => p.origin === 'MX-CMX' && p.headline.startsWith('durante'))!
    expect(r.recorder.delivered.get(during.id)!.get('MX-GRO')).toBeGreaterThanOrEqual(40_000)
    expect(r.recorder.delivered.get(during.id)!.get('MX-PUE')).toBeLessThan(40_000)
  }, 240_000)
})
