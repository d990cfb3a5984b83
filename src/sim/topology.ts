/**
 * (src/sim: shared by tests, benchmarks and the partition simulator.)
 * Topologies (config/topologies/*.json: which orgs' nodes are linked) and scenarios
 * (config/scenarios/*.json: e.g. a partition into groups), validated with zod. A bad file
 * throws C5Error CONFIG_INVALID with `details.field` naming the offending field (a JSON
 * path such as `links.3.b`) and `details.file`.
 *
 * Example:
 *   const topo = await loadTopology('config/topologies/mx-32.json')
 *   const scen = await loadScenario('config/scenarios/southeast-cut.json', topo)
 *   const cut = crossingLinks(topo, scen.partition.groups) // the links the partition takes down
 */
import { readConfigFile } from '../config/load.js'
import { z } from 'zod'
import { C5Error } from '../errors.js'
import { ORG_CODE_PATTERN } from '../envelope/index.js'

/** Largest topology accepted: well above the ~32 states + federal bodies it is written for. */
export const MAX_TOPOLOGY_NODES = 4096
export const MAX_TOPOLOGY_LINKS = 65_536
/** Topology and scenario files are small JSON; anything larger is a mistake. */

const org = z.string().regex(ORG_CODE_PATTERN, 'an org code such as MX-YUC or CNI')

export const topologySchema = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(4096).optional(),
  nodes: z.array(z.object({ org, name: z.string().min(1).max(256).optional() }).strict()).min(1).max(MAX_TOPOLOGY_NODES),
  links: z.array(z.object({ a: org, b: org, kind: z.enum(['neighbour', 'backbone']).optional() }).strict()).max(MAX_TOPOLOGY_LINKS)
}).strict()

export type Topology = z.infer<typeof topologySchema>
export type TopologyLink = Topology['links'][number]

export const scenarioSchema = z.object({
  name: z.string().min(1).max(128),
  topology: z.string().min(1).max(128),
  description: z.string().max(4096).optional(),
  partition: z.object({ groups: z.array(z.array(org).min(1)).min(2).max(MAX_TOPOLOGY_NODES) }).loose()
}).loose() // the simulator's fields (src/sim/scenario, docs/SIMULATOR.md) are checked by its own loader

export type Scenario = z.infer<typeof scenarioSchema>

function invalid (file: string, field: string, expected: string): C5Error {
  return new C5Error('CONFIG_INVALID', `${file}: ${field === '' ? '(root)' : field}: ${expected}`, { details: { file, field } })
}

function parseWith<T> (schema: z.ZodType<T>, input: unknown, file: string): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]
  throw invalid(file, issue.path.join('.'), issue.message)
}

/**
 * Validates a parsed topology: the schema, then the graph rules — node orgs unique, every
 * link names two different known nodes, no link twice (either direction).
 */
export function parseTopology (input: unknown, file = 'topology'): Topology {
  const t = parseWith(topologySchema, input, file)
  const known = new Map<string, number>()
  t.nodes.forEach((n, i) => {
    if (known.has(n.org)) throw invalid(file, `nodes.${i}.org`, `duplicate node ${n.org}`)
    known.set(n.org, i)
  })
  const seen = new Set<string>()
  t.links.forEach((l, i) => {
    if (!known.has(l.a)) throw invalid(file, `links.${i}.a`, `unknown node ${l.a}`)
    if (!known.has(l.b)) throw invalid(file, `links.${i}.b`, `unknown node ${l.b}`)
    if (l.a === l.b) throw invalid(file, `links.${i}.b`, 'a link joins two different nodes')
    const key = l.a < l.b ? `${l.a} ${l.b}` : `${l.b} ${l.a}`
    if (seen.has(key)) throw invalid(file, `links.${i}`, `duplicate link ${l.a}–${l.b}`)
    seen.add(key)
  })
  return t
}

/**
 * Validates a parsed scenario against its topology (when given): the name matches, every
 * group member is a node, no node is in two groups, and the groups cover every node.
 */
export function parseScenario (input: unknown, topology?: Topology, file = 'scenario'): Scenario {
  const s = parseWith(scenarioSchema, input, file)
  if (topology === undefined) return s
  if (s.topology !== topology.name) throw invalid(file, 'topology', `scenario is for ${s.topology}, not ${topology.name}`)
  const nodes = new Set(topology.nodes.map(n => n.org))
  const placed = new Set<string>()
  s.partition.groups.forEach((g, gi) => g.forEach((o, i) => {
    if (!nodes.has(o)) throw invalid(file, `partition.groups.${gi}.${i}`, `unknown node ${o}`)
    if (placed.has(o)) throw invalid(file, `partition.groups.${gi}.${i}`, `${o} is in two groups`)
    placed.add(o)
  }))
  const left = [...nodes].filter(o => !placed.has(o))
  if (left.length > 0) throw invalid(file, 'partition.groups', `every node in a group; missing ${left.join(', ')}`)
  return s
}

export async function loadTopology (path: string): Promise<Topology> {
  return parseTopology(await readConfigFile(path), path)
}

export async function loadScenario (path: string, topology?: Topology): Promise<Scenario> {
  return parseScenario(await readConfigFile(path), topology, path)
}

/** Neighbours of each node (undirected). */
export function adjacency (t: Topology): Map<string, Set<string>> {
  const adj = new Map(t.nodes.map(n => [n.org, new Set<string>()]))
  for (const l of t.links) { adj.get(l.a)!.add(l.b); adj.get(l.b)!.add(l.a) }
  return adj
}

/** Number of connected components, counting only links not in `without`. */
export function componentCount (t: Topology, without: TopologyLink[] = []): number {
  const cut = new Set(without)
  const adj = new Map(t.nodes.map(n => [n.org, [] as string[]]))
  for (const l of t.links) if (!cut.has(l)) { adj.get(l.a)!.push(l.b); adj.get(l.b)!.push(l.a) }
  const seen = new Set<string>()
  let count = 0
  for (const start of adj.keys()) {
    if (seen.has(start)) continue
    count++
    const stack = [start]
    seen.add(start)
    while (stack.length > 0) for (const n of adj.get(stack.pop()!)!) if (!seen.has(n)) { seen.add(n); stack.push(n) }
  }
  return count
}

/** Largest shortest-path length (hops) between two nodes; Infinity when disconnected. */
export function diameter (t: Topology): number {
  const adj = adjacency(t)
  let max = 0
  for (const src of adj.keys()) {
    const dist = new Map([[src, 0]])
    const queue = [src]
    for (let i = 0; i < queue.length; i++) for (const n of adj.get(queue[i])!) if (!dist.has(n)) { dist.set(n, dist.get(queue[i])! + 1); queue.push(n) }
    if (dist.size < adj.size) return Infinity
    for (const d of dist.values()) max = Math.max(max, d)
  }
  return max
}

/** The links whose ends lie in different groups: what a partition takes down. */
export function crossingLinks (t: Topology, groups: string[][]): TopologyLink[] {
  const groupOf = new Map<string, number>()
  groups.forEach((g, i) => { for (const o of g) groupOf.set(o, i) })
  return t.links.filter(l => groupOf.get(l.a) !== groupOf.get(l.b))
}
