/** The topology and scenario loader (src/sim/topology.ts) against the shipped config files and broken copies. */
import { describe, it, expect, afterEach } from 'vitest'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isC5Error } from '../../src/errors.js'
import { adjacency, componentCount, crossingLinks, diameter, loadScenario, loadTopology, parseScenario, parseTopology, type Topology } from '../../src/sim/topology.js'
import { tempDir } from '../helpers/tmp.js'

const MX32 = 'config/topologies/mx-32.json'
const SOUTHEAST = 'config/scenarios/southeast-cut.json'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { await Promise.all(cleanups.splice(0).map(async c => c())) })

/** Runs fn and returns the C5Error it throws (fails the test if it throws anything else or nothing). */
async function thrown (fn: () => unknown): Promise<{ code: string, field: unknown }> {
  try {
    await fn()
  } catch (err) {
    if (!isC5Error(err)) throw err
    return { code: err.code, field: err.details?.field }
  }
  throw new Error('expected a C5Error')
}

const clone = (t: Topology): any => structuredClone(t)

describe('topology loader', () => {
  it('mx-32: 32 distinct nodes, every link names known nodes, connected, small diameter', async () => {
    const t = await loadTopology(MX32)
    expect(t.nodes).toHaveLength(32)
    expect(new Set(t.nodes.map(n => n.org)).size).toBe(32)
    const orgs = new Set(t.nodes.map(n => n.org))
    for (const l of t.links) { expect(orgs.has(l.a)).toBe(true); expect(orgs.has(l.b)).toBe(true) }
    expect(componentCount(t)).toBe(1)
    for (const [org, peers] of adjacency(t)) expect(peers.size, org).toBeGreaterThan(0)
    expect(diameter(t)).toBeLessThanOrEqual(8)
  })

  it('southeast-cut: two groups covering mx-32; removing the crossing links disconnects exactly them', async () => {
    const t = await loadTopology(MX32)
    const s = await loadScenario(SOUTHEAST, t)
    expect(s.partition.groups.map(g => g.length).sort((a, b) => a - b)).toEqual([5, 27])
    const cut = crossingLinks(t, s.partition.groups)
    expect(cut.length).toBeGreaterThan(0)
    expect(componentCount(t, cut)).toBe(2)
    const south = new Set(s.partition.groups[0])
    for (const l of cut) expect(south.has(l.a) !== south.has(l.b)).toBe(true)
  })

  it('a link to an unknown node is CONFIG_INVALID naming links.N.b', async () => {
    const t = clone(await loadTopology(MX32))
    t.links[3].b = 'MX-XXX'
    expect(await thrown(() => parseTopology(t))).toEqual({ code: 'CONFIG_INVALID', field: 'links.3.b' })
  })

  it('schema faults name the field: bad org code, wrong type, unknown key, missing nodes', async () => {
    const base = await loadTopology(MX32)
    const badOrg = clone(base); badOrg.nodes[5].org = 'mx chp'
    expect(await thrown(() => parseTopology(badOrg))).toEqual({ code: 'CONFIG_INVALID', field: 'nodes.5.org' })
    const badKind = clone(base); badKind.links[0].kind = 'satellite'
    expect(await thrown(() => parseTopology(badKind))).toEqual({ code: 'CONFIG_INVALID', field: 'links.0.kind' })
    const extra = clone(base); extra.links[1].weight = 3
    expect((await thrown(() => parseTopology(extra))).code).toBe('CONFIG_INVALID')
    const { nodes: _n, ...noNodes } = clone(base)
    expect(await thrown(() => parseTopology(noNodes))).toEqual({ code: 'CONFIG_INVALID', field: 'nodes' })
  })

  it('graph faults: duplicate node, self link, duplicate link in either direction', async () => {
    const base = await loadTopology(MX32)
    const dupNode = clone(base); dupNode.nodes.push({ org: 'MX-YUC' })
    expect(await thrown(() => parseTopology(dupNode))).toEqual({ code: 'CONFIG_INVALID', field: 'nodes.32.org' })
    const self = clone(base); self.links[2].b = self.links[2].a
    expect(await thrown(() => parseTopology(self))).toEqual({ code: 'CONFIG_INVALID', field: 'links.2.b' })
    const dup = clone(base); dup.links.push({ a: base.links[0].b, b: base.links[0].a })
    expect(await thrown(() => parseTopology(dup))).toEqual({ code: 'CONFIG_INVALID', field: `links.${base.links.length}` })
  })

  it('scenario faults: unknown member, node in two groups, node in none, wrong topology', async () => {
    const t = await loadTopology(MX32)
    const s = await loadScenario(SOUTHEAST)
    const unknown = structuredClone(s) as any; unknown.partition.groups[0][1] = 'MX-ZZZ'
    expect(await thrown(() => parseScenario(unknown, t))).toEqual({ code: 'CONFIG_INVALID', field: 'partition.groups.0.1' })
    const twice = structuredClone(s) as any; twice.partition.groups[1].push('MX-CHP')
    expect(await thrown(() => parseScenario(twice, t))).toEqual({ code: 'CONFIG_INVALID', field: `partition.groups.1.${s.partition.groups[1].length}` })
    const missing = structuredClone(s) as any; missing.partition.groups[1].pop()
    expect(await thrown(() => parseScenario(missing, t))).toEqual({ code: 'CONFIG_INVALID', field: 'partition.groups' })
    const other = structuredClone(s) as any; other.topology = 'mx-31'
    expect(await thrown(() => parseScenario(other, t))).toEqual({ code: 'CONFIG_INVALID', field: 'topology' })
  })

  it('files: not JSON is CONFIG_INVALID, a missing file CONFIG_NOT_FOUND, a bad file names its field', async () => {
    const dir = await tempDir('c5mesh-topo-')
    cleanups.push(dir.cleanup)
    const notJson = join(dir.path, 'a.json')
    await writeFile(notJson, '{"name": "x", ')
    expect((await thrown(async () => loadTopology(notJson))).code).toBe('CONFIG_INVALID')
    expect((await thrown(async () => loadTopology(join(dir.path, 'none.json')))).code).toBe('CONFIG_NOT_FOUND')
    const bad = join(dir.path, 'b.json')
    await writeFile(bad, JSON.stringify({ name: 'x', nodes: [{ org: 'MX-YUC' }], links: [{ a: 'MX-YUC', b: 7 }] }))
    expect(await thrown(async () => loadTopology(bad))).toEqual({ code: 'CONFIG_INVALID', field: 'links.0.b' })
  })
})
