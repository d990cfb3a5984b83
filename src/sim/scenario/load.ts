/**
 * Loading a scenario: read the file (YAML or JSON), validate it (schema.ts), load its
 * topology, and resolve every name — nodes, regions, link classes, channels — into the
 * network the simulator builds, so that a mistake is reported before anything runs, naming
 * the file, the field and what was expected.
 */
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path'
import { projectPath } from '../../util/root.js'
import { parseDocument } from 'yaml'
import { C5Error } from '../../errors.js'
import { BUILTIN_LINK_CLASSES, type LinkClass } from '../link-classes.js'
import { formatDuration } from '../duration.js'
import { parseTopology, type Topology } from '../topology.js'
import { fromZod, scenarioError } from './errors.js'
import { scenarioFileSchema, type LinkSelector, type NodeSelector, type ScenarioFile } from './schema.js'

/** Where shipped topologies and scenarios live. */
export const CONFIG_DIR = projectPath('config')
export const DEFAULT_TOPOLOGY = 'mx-32'
/** Scenario start when the file gives none (a fixed date keeps runs reproducible). */
export const DEFAULT_START_MS = Date.UTC(2024, 0, 1, 6, 0, 0)
export const DEFAULT_LINK_CLASS = 'internet'
/** Scenario files are small; anything larger is a mistake. */
export const MAX_SCENARIO_FILE_BYTES = 4 * 1024 * 1024

export interface EdgeSpec { a: string, b: string, cls: string, up: boolean, channel?: string }
export interface ChannelSpec { name: string, cls: string, members: string[], up: boolean }

/** A scenario with every name resolved: what the simulator runs. */
export interface Scenario {
  file: string
  raw: ScenarioFile
  name: string
  title: string
  description: string
  topologyName: string
  startMs: number
  durationMs: number
  seed: number
  nodes: Array<{ org: string, name: string }>
  regions: Map<string, string[]>
  classes: Map<string, LinkClass>
  /** IP edges first (topology, agencies, extra), then each channel's pair edges: the network's edge ids. */
  edges: EdgeSpec[]
  channels: ChannelSpec[]
  /** Resolves a group (org, region, list, "all") to org codes, in topology order. */
  group: (g: string | string[], field: string) => string[]
  /** The edges a selector names (before its `fraction`, which the run draws from its seed). */
  selectEdges: (s: LinkSelector, field: string) => number[]
  selectNodes: (s: NodeSelector, field: string) => { orgs: string[], fraction?: number }
}

/** Reads a YAML or JSON file into a value; CONFIG_NOT_FOUND / CONFIG_INVALID with the line. */
export async function readScenarioText (path: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') throw new C5Error('CONFIG_NOT_FOUND', `scenario file not found: ${path}`, { cause, details: { file: path } })
    throw new C5Error('CONFIG_INVALID', `cannot read ${path}: ${(cause as Error).message}`, { cause, details: { file: path } })
  }
  return parseScenarioText(text, path)
}

export function parseScenarioText (text: string, file: string): unknown {
  if (text.length > MAX_SCENARIO_FILE_BYTES) throw scenarioError(file, '', `expected at most ${MAX_SCENARIO_FILE_BYTES} bytes`)
  if (/\.json$/i.test(file)) {
    try { return JSON.parse(text) } catch (cause) { throw new C5Error('CONFIG_INVALID', `${file}: not valid JSON (${(cause as Error).message})`, { cause, details: { file, field: '' } }) }
  }
  // YAML (a superset of JSON): errors name the line and column.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  const err = doc.errors[0]
  if (err !== undefined) {
    const pos = err.linePos?.[0]
    throw new C5Error('CONFIG_INVALID', `${file}: ${pos === undefined ? '' : `line ${pos.line}, column ${pos.col}: `}not valid YAML (${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`, { details: { file, field: '', ...(pos === undefined ? {} : { line: pos.line }) } })
  }
  return doc.toJS({ maxAliasCount: 100 })
}

/** Finds a topology by name (config/topologies/NAME.json) or path (relative to the scenario). */
async function readTopology (ref: string, scenarioFile: string): Promise<{ topology: Topology, file: string }> {
  const file = /[/\\]|\.json$/.test(ref)
    ? (isAbsolute(ref) ? ref : resolvePath(dirname(scenarioFile), ref))
    : join(CONFIG_DIR, 'topologies', `${ref}.json`)
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (cause) {
    throw scenarioError(scenarioFile, 'topology', `expected a topology name (config/topologies/NAME.json) or file; ${file}: ${(cause as Error).message}`)
  }
  return { topology: parseTopology(value, file), file }
}

export async function loadScenario (path: string): Promise<Scenario> {
  const input = await readScenarioText(path)
  return await resolveScenario(input, path)
}

export async function resolveScenario (input: unknown, file: string): Promise<Scenario> {
  const parsed = scenarioFileSchema.safeParse(input)
  if (!parsed.success) throw fromZod(file, parsed.error, input)
  const s = parsed.data
  const bad = (field: string, expected: string): never => { throw scenarioError(file, field, expected) }
  const { topology } = await readTopology(s.topology ?? DEFAULT_TOPOLOGY, file)

  // Nodes: the topology's, then agencies.
  const nodes = topology.nodes.map(n => ({ org: n.org, name: n.name ?? n.org }))
  const known = new Set(nodes.map(n => n.org))
  for (const [i, a] of (s.agencies ?? []).entries()) {
    if (known.has(a.org)) bad(`agencies.${i}.org`, `${a.org} is already a node`)
    nodes.push({ org: a.org, name: a.name ?? a.org })
    known.add(a.org)
  }
  const order = new Map(nodes.map((n, i) => [n.org, i]))
  const sortOrgs = (orgs: Iterable<string>): string[] => [...new Set(orgs)].sort((x, y) => order.get(x)! - order.get(y)!)
  const needOrg = (o: string, field: string): string => known.has(o) ? o : bad(field, `unknown node ${o} (not in topology ${topology.name} nor in agencies)`)

  // Regions.
  const regions = new Map<string, string[]>()
  for (const [name, members] of Object.entries(s.regions ?? {})) {
    if (known.has(name.toUpperCase())) bad(`regions.${name}`, 'a region name must not be a node code')
    regions.set(name, sortOrgs(members.map((o, i) => needOrg(o, `regions.${name}.${i}`))))
  }
  const group = (g: string | string[], field: string): string[] => {
    const one = (x: string, f: string): string[] => {
      if (x === 'all') return nodes.map(n => n.org)
      if (regions.has(x)) return regions.get(x)!
      if (known.has(x)) return [x]
      return bad(f, `unknown node or region "${x}" (regions: ${[...regions.keys()].join(', ') || 'none defined'})`)
    }
    if (!Array.isArray(g)) return one(g, field)
    // A list adds in order; an item "-X" takes X (a node or region) out: [all, -MX-CMX].
    const acc = new Set<string>()
    g.forEach((x, i) => {
      if (x.startsWith('-')) for (const o of one(x.slice(1), `${field}.${i}`)) acc.delete(o)
      else for (const o of one(x, `${field}.${i}`)) acc.add(o)
    })
    return sortOrgs(acc)
  }

  // Link classes: built-in, then the scenario's own (each on a base).
  const classes = new Map<string, LinkClass>(Object.entries(BUILTIN_LINK_CLASSES))
  for (const [name, c] of Object.entries(s.links?.classes ?? {})) {
    const base = classes.get(c.base) ?? bad(`links.classes.${name}.base`, `unknown link class "${c.base}" (known: ${[...classes.keys()].join(', ')})`)
    classes.set(name, {
      ...base,
      name,
      description: c.description ?? `${base.description} (modified)`,
      ...(c.latency === undefined ? {} : { latencyMs: c.latency }),
      ...(c.jitter === undefined ? {} : { jitterMs: c.jitter }),
      ...(c.bandwidth === undefined ? {} : { bytesPerSecond: c.bandwidth }),
      ...(c.loss === undefined ? {} : { loss: c.loss }),
      ...(c.mtu === undefined ? {} : { mtuBytes: c.mtu }),
      ...(c.header === undefined ? {} : { headerBytes: c.header }),
      ...(c.duplex === undefined ? {} : { duplex: c.duplex }),
      ...(c.keyup === undefined ? {} : { keyupMs: c.keyup }),
      ...(c.retry === undefined ? {} : { retryMs: c.retry }),
      ...(c.buffer === undefined ? {} : { bufferBytes: c.buffer })
    })
  }
  const needClass = (name: string, field: string, kind?: 'ip' | 'radio'): string => {
    const c = classes.get(name) ?? bad(field, `unknown link class "${name}" (known: ${[...classes.keys()].join(', ')})`)
    if (kind !== undefined && c.kind !== kind) bad(field, kind === 'radio' ? `"${name}" is not a radio class (a channel needs radio-1200, radio-9600 or one based on them)` : `"${name}" is a radio class: radio stations share a channel (channels:), not a link`)
    return name
  }

  // Edges: topology links, agency links, extra links (all IP), then channels.
  const defaultClass = needClass(s.links?.default ?? DEFAULT_LINK_CLASS, 'links.default', 'ip')
  const edges: EdgeSpec[] = topology.links.map(l => ({ a: l.a, b: l.b, cls: defaultClass, up: true }))
  for (const [i, a] of (s.agencies ?? []).entries()) {
    for (const [j, l] of a.links.entries()) edges.push({ a: a.org, b: needOrg(l.to, `agencies.${i}.links.${j}.to`), cls: needClass(l.class, `agencies.${i}.links.${j}.class`, 'ip'), up: true })
  }
  for (const [i, x] of (s.links?.extra ?? []).entries()) {
    if (x.a === x.b) bad(`links.extra.${i}.b`, 'a link joins two different nodes')
    edges.push({ a: needOrg(x.a, `links.extra.${i}.a`), b: needOrg(x.b, `links.extra.${i}.b`), cls: needClass(x.class, `links.extra.${i}.class`, 'ip'), up: x.up ?? true })
  }
  const channels: ChannelSpec[] = []
  for (const [i, c] of (s.channels ?? []).entries()) {
    if (channels.some(o => o.name === c.name)) bad(`channels.${i}.name`, `duplicate channel ${c.name}`)
    const members = group(c.members, `channels.${i}.members`)
    if (members.length < 2) bad(`channels.${i}.members`, 'expected at least two stations on a channel')
    channels.push({ name: c.name, cls: needClass(c.class, `channels.${i}.class`, 'radio'), members, up: c.up ?? true })
    for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) edges.push({ a: members[x], b: members[y], cls: c.class, up: c.up ?? true, channel: c.name })
  }

  const inGroup = (g: string[]): ((o: string) => boolean) => { const set = new Set(g); return o => set.has(o) }
  const selectEdges = (sel: LinkSelector, field: string): number[] => {
    const picked = new Set<number>()
    const ip = edges.map((e, i) => ({ e, i })).filter(x => x.e.channel === undefined)
    const add = (pred: (e: EdgeSpec) => boolean): void => { for (const { e, i } of ip) if (pred(e)) picked.add(i) }
    const pair = (a: string, b: string, f: string): void => {
      needOrg(a, `${f}.0`); needOrg(b, `${f}.1`)
      const before = picked.size
      add(e => (e.a === a && e.b === b) || (e.a === b && e.b === a))
      if (picked.size === before) bad(f, `no link joins ${a} and ${b}`)
    }
    if (sel.link !== undefined) pair(sel.link[0], sel.link[1], `${field}.link`)
    sel.links?.forEach((l, i) => { pair(l[0], l[1], `${field}.links.${i}`) })
    if (sel.node !== undefined) { const o = needOrg(sel.node, `${field}.node`); add(e => e.a === o || e.b === o) }
    if (sel.region !== undefined) { const r = inGroup(group(sel.region, `${field}.region`)); add(e => r(e.a) !== r(e.b)) }
    if (sel.within !== undefined) { const r = inGroup(group(sel.within, `${field}.within`)); add(e => r(e.a) && r(e.b)) }
    if (sel.between !== undefined) {
      const [g1, g2] = sel.between
      const rest = (other: string[]): string[] => nodes.map(n => n.org).filter(o => !other.includes(o))
      const x = g1 === 'rest' ? undefined : group(g1, `${field}.between.0`)
      const y = g2 === 'rest' ? undefined : group(g2, `${field}.between.1`)
      if (x === undefined && y === undefined) bad(`${field}.between`, 'only one side may be "rest"')
      const inX = inGroup(x ?? rest(y!))
      const inY = inGroup(y ?? rest(x!))
      add(e => (inX(e.a) && inY(e.b)) || (inX(e.b) && inY(e.a)))
    }
    if (sel.all === true) add(() => true)
    if (sel.channel !== undefined) {
      if (!channels.some(c => c.name === sel.channel)) bad(`${field}.channel`, `unknown channel "${sel.channel}" (channels: ${channels.map(c => c.name).join(', ') || 'none'})`)
      edges.forEach((e, i) => { if (e.channel === sel.channel) picked.add(i) })
    }
    if ([sel.link, sel.links, sel.node, sel.region, sel.within, sel.between, sel.all, sel.channel].every(v => v === undefined)) {
      bad(field, 'expected which links: link, links, node, region, within, between, channel or all')
    }
    let out = [...picked].sort((x, y) => x - y)
    if (sel.only !== undefined) { needClass(sel.only, `${field}.only`); out = out.filter(i => edges[i].cls === sel.only) }
    if (out.length === 0) bad(field, 'no link matches')
    return out
  }
  const selectNodes = (sel: NodeSelector, field: string): { orgs: string[], fraction?: number } => {
    if (typeof sel === 'string' || Array.isArray(sel)) return { orgs: group(sel, field) }
    const from = sel.nodes !== undefined ? group(sel.nodes, `${field}.nodes`) : sel.region !== undefined ? group(sel.region, `${field}.region`) : sel.all === true ? nodes.map(n => n.org) : bad(field, 'expected nodes, region or all')
    return { orgs: from, ...(sel.fraction === undefined ? {} : { fraction: sel.fraction }) }
  }

  const scenario: Scenario = {
    file,
    raw: s,
    name: s.name,
    title: s.title ?? s.name,
    description: s.description,
    topologyName: topology.name,
    startMs: s.start === undefined ? DEFAULT_START_MS : Date.parse(s.start),
    durationMs: s.duration,
    seed: s.seed ?? 1,
    nodes,
    regions,
    classes,
    edges,
    channels,
    group,
    selectEdges,
    selectNodes
  }
  if (s.duration <= 0) bad('duration', 'expected a duration above 0')
  validateReferences(scenario, bad)
  return scenario
}

/** Every name in workload, timeline and assertions resolves, and times fall in the run. */
function validateReferences (sc: Scenario, bad: (field: string, expected: string) => never): void {
  const s = sc.raw
  const end = sc.durationMs
  const needTime = (ms: number, field: string): void => { if (ms > end) bad(field, `after the end of the run (${formatDuration(ms)} > duration ${formatDuration(end)})`) }
  const needOrg = (o: string, field: string): void => { sc.group(o, field) }
  s.workload?.forEach((w, i) => {
    sc.group(w.from, `workload.${i}.from`)
    if (w.between !== undefined) {
      if (w.between[1] < w.between[0]) bad(`workload.${i}.between`, 'expected [from, to] with from ≤ to')
      needTime(w.between[1], `workload.${i}.between.1`)
    }
    if (typeof w.precedence === 'object' && Object.values(w.precedence).reduce((a, b) => a + (b ?? 0), 0) <= 0) bad(`workload.${i}.precedence`, 'expected at least one precedence with a share above 0')
  })
  if (s.partition !== undefined) {
    const placed = new Set<string>()
    s.partition.groups.forEach((g, gi) => g.forEach((o, j) => {
      needOrg(o, `partition.groups.${gi}.${j}`)
      if (placed.has(o)) bad(`partition.groups.${gi}.${j}`, `${o} is in two groups`)
      placed.add(o)
    }))
  }
  s.timeline?.forEach((t, i) => {
    const f = `timeline.${i}`
    needTime(t.at, `${f}.at`)
    if (t.publish !== undefined) sc.group(t.publish.from, `${f}.publish.from`)
    if (t.cut !== undefined) sc.selectEdges(t.cut, `${f}.cut`)
    if (t.restore !== undefined) sc.selectEdges(t.restore, `${f}.restore`)
    if (t.degrade !== undefined) {
      const { to, ...sel } = t.degrade
      sc.selectEdges(sel, `${f}.degrade`)
      const c = sc.classes.get(to)
      if (c === undefined) bad(`${f}.degrade.to`, `unknown link class "${to}" (known: ${[...sc.classes.keys()].join(', ')})`)
      if (c.kind !== 'ip') bad(`${f}.degrade.to`, 'a link can only change to another IP class')
    }
    if (t['power-off'] !== undefined) sc.selectNodes(t['power-off'], `${f}.power-off`)
    if (t['power-on'] !== undefined) sc.selectNodes(t['power-on'], `${f}.power-on`)
    if (t.courier !== undefined) {
      t.courier.route.forEach((o, j) => { needOrg(o, `${f}.courier.route.${j}`) })
      if (Array.isArray(t.courier.travel) && t.courier.travel.length !== t.courier.route.length - 1) bad(`${f}.courier.travel`, `expected one road time per leg (${t.courier.route.length - 1}), or one for all`)
    }
    if (t.skew !== undefined) needOrg(t.skew.node, `${f}.skew.node`)
    if (t.revoke !== undefined) { needOrg(t.revoke.org, `${f}.revoke.org`); if (t.revoke.via !== undefined) needOrg(t.revoke.via, `${f}.revoke.via`) }
    if (t['roster-update'] !== undefined) { t['roster-update'].rotate.forEach((o, j) => { needOrg(o, `${f}.roster-update.rotate.${j}`) }); if (t['roster-update'].via !== undefined) needOrg(t['roster-update'].via, `${f}.roster-update.via`) }
    if (t.rogue !== undefined) needOrg(t.rogue.node, `${f}.rogue.node`)
  })
  s.assertions?.forEach((a, i) => {
    const f = `assertions.${i}`
    for (const [k, v] of Object.entries(a)) {
      if (v === null || typeof v !== 'object') continue
      const o = v as { to?: string | string[], by?: number, messages?: { from?: string | string[] } }
      if (o.to !== undefined) sc.group(o.to, `${f}.${k}.to`)
      if (o.messages?.from !== undefined) sc.group(o.messages.from, `${f}.${k}.messages.from`)
      if (o.by !== undefined) needTime(o.by, `${f}.${k}.by`)
    }
  })
}
