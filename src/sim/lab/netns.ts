/**
 * The lab's network: one Linux network namespace per node, one veth pair per link (its own
 * /30), rates shaped with tc's token bucket filter (tbf), cuts by bringing both ends down.
 * Needs root, `ip` (iproute2) and `tc`. netem (delay, jitter, loss) is not available on
 * these machines (no sch_netem module): the lab shapes rates only.
 */
import { execFile } from 'node:child_process'
import { C5Error } from '../../errors.js'

export interface LabHost { org: string, ns: string, run: string[] }
export interface LabLink { a: string, b: string, devA: string, devB: string, addrA: string, addrB: string, bytesPerSecond: number, up: boolean }

async function exec (cmd: string, args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err === null) { resolve(stdout); return }
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the \`${cmd}\` command is missing (apt-get install iproute2)` : (stderr.trim() || err.message)
      reject(new C5Error('SIM_LAB_FAILED', `${cmd} ${args.join(' ')}: ${why}`))
    })
  })
}
export const ip = async (args: string[]): Promise<string> => await exec('ip', args)
export const tc = async (args: string[]): Promise<string> => await exec('tc', args)

/** tbf for a rate in bytes/s: burst of at least one 1,500-byte packet, 400 ms of queue. */
function tbfArgs (bytesPerSecond: number): string[] {
  const bits = Math.max(8_000, Math.round(bytesPerSecond * 8))
  const burstBytes = Math.max(2_000, Math.round(bytesPerSecond / 50)) // 20 ms of rate, at least 2 kB
  return ['tbf', 'rate', `${bits}bit`, 'burst', String(burstBytes), 'latency', '400ms']
}

export interface LabNetwork {
  hosts: Map<string, LabHost>
  links: LabLink[]
  setUp: (l: LabLink, up: boolean) => Promise<void>
  setRate: (l: LabLink, bytesPerSecond: number) => Promise<void>
  cleanup: () => Promise<void>
}

/** Namespaces `<tag>n<i>` and veths `<tag>e<j>a/b`; `tag` holds the pid so parallel runs do not collide. */
export async function createLabNetwork (tag: string, orgs: string[], edges: Array<{ a: string, b: string, bytesPerSecond: number }>): Promise<LabNetwork> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new C5Error('SIM_LAB_FAILED', `the lab needs root for network namespaces (uid is ${process.getuid()})`)
  }
  const hosts = new Map(orgs.map((org, i) => { const ns = `${tag}n${i}`; return [org, { org, ns, run: ['ip', 'netns', 'exec', ns] }] }))
  const links: LabLink[] = edges.map((e, j) => ({
    a: e.a,
    b: e.b,
    devA: `${tag}e${j}a`.slice(-15),
    devB: `${tag}e${j}b`.slice(-15),
    addrA: `10.204.${j >> 6}.${(j & 63) * 4 + 1}`,
    addrB: `10.204.${j >> 6}.${(j & 63) * 4 + 2}`,
    bytesPerSecond: e.bytesPerSecond,
    up: true
  }))
  const cleanup = async (): Promise<void> => {
    // Deleting a namespace deletes the veth ends in it.
    for (const h of hosts.values()) await ip(['netns', 'delete', h.ns]).catch(() => {})
  }
  try {
    for (const h of hosts.values()) {
      await ip(['netns', 'add', h.ns])
      await ip(['-n', h.ns, 'link', 'set', 'lo', 'up'])
    }
    for (const l of links) {
      const na = hosts.get(l.a)!.ns
      const nb = hosts.get(l.b)!.ns
      await ip(['link', 'add', l.devA, 'netns', na, 'type', 'veth', 'peer', 'name', l.devB, 'netns', nb])
      for (const [ns, dev, addr] of [[na, l.devA, l.addrA], [nb, l.devB, l.addrB]]) {
        await ip(['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev])
        await ip(['-n', ns, 'link', 'set', dev, 'up'])
        await tc(['-n', ns, 'qdisc', 'add', 'dev', dev, 'root', ...tbfArgs(l.bytesPerSecond)])
      }
    }
  } catch (err) {
    await cleanup()
    throw err
  }
  return {
    hosts,
    links,
    setUp: async (l, up) => {
      for (const [org, dev] of [[l.a, l.devA], [l.b, l.devB]]) await ip(['-n', hosts.get(org)!.ns, 'link', 'set', dev, up ? 'up' : 'down'])
      l.up = up
    },
    setRate: async (l, bytesPerSecond) => {
      for (const [org, dev] of [[l.a, l.devA], [l.b, l.devB]]) await tc(['-n', hosts.get(org)!.ns, 'qdisc', 'change', 'dev', dev, 'root', ...tbfArgs(bytesPerSecond)])
      l.bytesPerSecond = bytesPerSecond
    },
    cleanup
  }
}
