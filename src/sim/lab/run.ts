/**
 * `c5mesh lab SCENARIO`: a small scenario with real `c5mesh start` processes, one per node,
 * each in its own network namespace, joined by veth pairs (one per link) shaped by tc tbf;
 * cuts bring both ends of a link down, power loss is SIGKILL and a restart on the same data
 * folder. The messages are sent with `c5mesh send` inside each namespace, and delivery is
 * read from the daemons' real inboxes (`c5mesh inbox`), polled; the scenario's assertions
 * are judged on that, as in the simulator. Time is real, compressed by `speed` (the
 * scenario's times divided by it). Radio channels, couriers, skew, revocations, roster
 * updates and rogue members are simulator-only.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, mkdir, writeFile, rm, access } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { C5Error } from '../../errors.js'
import { digestFromId } from '../../envelope/index.js'
import { keyId, peerIdOf, toHex, writeKeyFile } from '../../identity/index.js'
import { openNodeCore } from '../../node/core.js'
import { dataPaths } from '../../node/paths.js'
import { projectPath } from '../../util/root.js'
import { evaluate, type AssertionResult } from '../assertions.js'
import { formatDuration } from '../duration.js'
import { Recorder } from '../metrics.js'
import { seededRandom } from '../random.js'
import type { RunResult } from '../run.js'
import type { Scenario } from '../scenario/load.js'
import { planMessages, type Planned } from '../workload.js'
import { createTestWorld, seededKeyPair } from '../world.js'
import { createLabNetwork, type LabNetwork } from './netns.js'

export const LAB_MAX_NODES = 8
/** How long a daemon may take to start (compile on first run, libp2p, API). */
export const LAB_START_TIMEOUT_MS = 60_000
export const LAB_POLL_MS = 2_000
const LAB_PORT = 4370
const SUPPORTED = new Set(['publish', 'cut', 'restore', 'degrade', 'power-off', 'power-on', 'at', 'note'])

export interface LabOptions { speed?: number, scale?: number, keep?: boolean, log?: (s: string) => void }
export interface LabResult { assertions: AssertionResult[], published: number, delivered: number, pairs: number, wallMs: number, recorder: Recorder }

function cli (run: string[], args: string[]): Promise<string> {
  const full = [...run, process.execPath, projectPath('bin', 'c5mesh.js'), ...args]
  return new Promise((resolve, reject) => {
    execFile(full[0], full.slice(1), { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout)
      else reject(new C5Error('SIM_LAB_FAILED', `c5mesh ${args.join(' ')}: ${stderr.trim() || err.message}`))
    })
  })
}

function check (sc: Scenario): void {
  const bad = (what: string): never => { throw new C5Error('SIM_LAB_FAILED', `${sc.file}: ${what} (the lab runs at most ${LAB_MAX_NODES} nodes on IP links; the rest is for c5mesh sim)`) }
  if (sc.nodes.length > LAB_MAX_NODES) bad(`${sc.nodes.length} nodes`)
  if (sc.channels.length > 0) bad('radio channels')
  sc.raw.timeline?.forEach((t, i) => { for (const k of Object.keys(t)) if (!SUPPORTED.has(k)) bad(`timeline.${i}: ${k} is not supported in the lab`) })
}

export async function runLab (sc: Scenario, options: LabOptions = {}): Promise<LabResult> {
  check(sc)
  const log = options.log ?? (() => {})
  const speed = options.speed ?? 1
  const wall0 = Date.now()
  const orgs = sc.nodes.map(n => n.org)
  const world = createTestWorld(orgs, Date.now(), [], { keyPair: seededKeyPair })
  const edges = sc.edges.map(e => ({ a: e.a, b: e.b, bytesPerSecond: sc.classes.get(e.cls)!.bytesPerSecond }))
  const tag = `c5l${process.pid % 100_000}`
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-lab-'))
  const daemons = new Map<string, ChildProcess>()
  let net: LabNetwork | undefined
  const simNow = (): number => sc.startMs + (Date.now() - wall0) * speed
  const rec = new Recorder(simNow, sc.startMs)
  try {
    net = await createLabNetwork(tag, orgs, edges)
    log(`lab: ${orgs.length} namespaces, ${edges.length} veth links (tbf rates; netem is not available here, so no added delay or loss)`)
    // Data folders: keys, config (neighbours as bootstrap peers), the roster in the store.
    for (const m of world.members) {
      const p = dataPaths(join(dir, m.org))
      await mkdir(p.dir, { recursive: true })
      await writeKeyFile(p.nodeKey, 'node', m.node)
      await writeKeyFile(p.operatorKey, 'operator', m.operator)
      const bootstrap = net.links.flatMap(l => {
        const other = l.a === m.org ? { org: l.b, addr: l.addrB } : l.b === m.org ? { org: l.a, addr: l.addrA } : undefined
        return other === undefined ? [] : [`/ip4/${other.addr}/tcp/${LAB_PORT}/p2p/${peerIdOf(world.members.find(x => x.org === other.org)!.node.publicKey).toString()}`]
      })
      await writeFile(p.config, JSON.stringify({
        org: m.org,
        trustAnchors: { keys: world.anchors.keys.map(toHex), threshold: 1 },
        listen: [`/ip4/0.0.0.0/tcp/${LAB_PORT}`],
        bootstrap,
        mdns: false,
        dht: false,
        api: { host: '127.0.0.1', port: 4380 },
        reconnect: { minBackoffMs: 500, maxBackoffMs: 5_000 },
        log: { level: 'warn' }
      }))
      const core = await openNodeCore({ storePath: p.db, anchors: world.anchors })
      try { await core.ingest.ingest(world.rosterEnvelope.bytes, 'local') } finally { await core.close() }
    }
    const start = async (org: string): Promise<void> => {
      const p = dataPaths(join(dir, org))
      await rm(p.daemon, { force: true })
      const child = spawn('ip', ['netns', 'exec', net!.hosts.get(org)!.ns, process.execPath, projectPath('bin', 'c5mesh.js'), '--data', p.dir, 'start'], { stdio: ['ignore', 'ignore', 'ignore'] })
      daemons.set(org, child)
      const until = Date.now() + LAB_START_TIMEOUT_MS
      for (;;) {
        if (child.exitCode !== null) throw new C5Error('SIM_LAB_FAILED', `c5mesh start for ${org} exited with ${child.exitCode}`)
        if (await access(p.daemon).then(() => true, () => false)) return
        if (Date.now() > until) throw new C5Error('SIM_LAB_FAILED', `c5mesh start for ${org} did not come up within ${LAB_START_TIMEOUT_MS} ms`)
        await new Promise(resolve => setTimeout(resolve, 200))
      }
    }
    const kill = async (org: string): Promise<void> => {
      const c = daemons.get(org)
      daemons.delete(org)
      if (c === undefined || c.exitCode !== null) return
      const gone = new Promise(resolve => c.once('exit', resolve))
      c.kill('SIGKILL')
      await gone
    }
    await Promise.all(orgs.map(start))
    log(`lab: ${orgs.length} c5mesh daemons running`)

    // The scenario's events on real time, compressed by `speed`.
    const plan = planMessages(sc, seededRandom(sc.seed), options.scale ?? 1)
    type Step = { at: number, run: () => Promise<void> }
    const steps: Step[] = plan.map(p => ({ at: p.at, run: async () => { await publish(p) } }))
    const publish = async (p: Planned): Promise<void> => {
      if (!daemons.has(p.origin)) return
      const out = JSON.parse(await cli(net!.hosts.get(p.origin)!.run, ['--data', join(dir, p.origin), 'send', '--headline', p.headline, '--precedence', p.precedence, '--kind', p.kind, '--json'])) as { id: string }
      const digest = digestFromId(out.id)
      const operator = world.members.find(m => m.org === p.origin)!.operator
      rec.publish(p, { digest, author: keyId(operator.publicKey), created: simNow() } as never)
      rec.deliver(p.origin, toHex(digest))
    }
    sc.raw.timeline?.forEach((t, i) => {
      if (t.publish !== undefined) return
      steps.push({
        at: t.at,
        run: async () => {
          if (t.note !== undefined) rec.mark(t.note)
          for (const [sel, up] of [[t.cut, false], [t.restore, true]] as const) {
            if (sel === undefined) continue
            for (const e of sc.selectEdges(sel, `timeline.${i}`)) { await net!.setUp(net!.links[e], up); rec.outage('link', `${net!.links[e].a}–${net!.links[e].b}`, !up) }
          }
          if (t.degrade !== undefined) {
            const { to, ...sel } = t.degrade
            for (const e of sc.selectEdges(sel, `timeline.${i}`)) await net!.setRate(net!.links[e], sc.classes.get(to)!.bytesPerSecond)
          }
          if (t['power-off'] !== undefined) for (const o of sc.selectNodes(t['power-off'], `timeline.${i}`).orgs) { rec.outage('node', o, true); await kill(o) }
          if (t['power-on'] !== undefined) for (const o of sc.selectNodes(t['power-on'], `timeline.${i}`).orgs) { if (!daemons.has(o)) { await start(o); rec.outage('node', o, false) } }
        }
      })
    })
    steps.sort((a, b) => a.at - b.at)
    const poll = async (): Promise<void> => {
      await Promise.all([...daemons.keys()].map(async org => {
        const list = JSON.parse(await cli(net!.hosts.get(org)!.run, ['--data', join(dir, org), 'inbox', '--json', '--limit', '200']).catch(() => '[]')) as Array<{ id: string }>
        const seen = new Set<string>()
        for (const m of Array.isArray(list) ? list : []) {
          const hex = toHex(digestFromId(m.id))
          if (seen.has(hex)) rec.duplicates.push({ node: org, id: hex, t: rec.t() })
          seen.add(hex)
          // Each poll lists the inbox again: only a first sighting is a delivery.
          if (rec.delivered.get(hex)?.has(org) === false) rec.deliver(org, hex)
        }
      }))
    }
    const endReal = wall0 + sc.durationMs / speed
    let lastPoll = 0
    for (const s of steps) {
      while (Date.now() < wall0 + s.at / speed) {
        if (Date.now() - lastPoll >= LAB_POLL_MS) { lastPoll = Date.now(); await poll() }
        await new Promise(resolve => setTimeout(resolve, Math.max(10, Math.min(200, wall0 + s.at / speed - Date.now()))))
      }
      await s.run()
    }
    while (Date.now() < endReal) {
      await poll()
      lastPoll = Date.now()
      await new Promise(resolve => setTimeout(resolve, Math.max(10, Math.min(LAB_POLL_MS, endReal - Date.now()))))
    }
    await poll()
    const result = { system: 'c5mesh', recorder: rec, nodes: orgs, revokedHeld: [], rosterVersions: {}, latestRosterVersion: 0, runningAtEnd: [...daemons.keys()] } as unknown as RunResult
    const assertions = evaluate(sc, result)
    const delivered = [...rec.delivered.values()].reduce((a, m) => a + m.size, 0)
    log(`lab: ${rec.published.length} messages, ${delivered}/${rec.published.length * orgs.length} (message, node) pairs delivered in ${formatDuration(Date.now() - wall0)}`)
    return { assertions, published: rec.published.length, delivered, pairs: rec.published.length * orgs.length, wallMs: Date.now() - wall0, recorder: rec }
  } finally {
    for (const org of [...daemons.keys()]) {
      const c = daemons.get(org)!
      if (c.exitCode === null) { const gone = new Promise(resolve => c.once('exit', resolve)); c.kill('SIGTERM'); await Promise.race([gone, new Promise(resolve => setTimeout(resolve, 5_000))]); if (c.exitCode === null) c.kill('SIGKILL') }
    }
    await net?.cleanup()
    if (options.keep !== true) await rm(dir, { recursive: true, force: true })
    else log(`lab: data folders kept in ${dir}`)
  }
}
