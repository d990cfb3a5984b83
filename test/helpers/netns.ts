/**
 * Two Linux network namespaces joined by a veth pair: a two-host LAN on one machine, for
 * tests that need real multicast between separate network stacks (mDNS). Needs root and
 * `ip` (iproute2). `run` is the launcher prefix that puts a command into a namespace.
 */
import { execFile } from 'node:child_process'

export interface NetnsHost {
  /** Namespace name. */
  ns: string
  /** Its end of the veth pair. */
  dev: string
  /** Its IPv4 address on the veth, without the prefix length. */
  addr: string
  /** Prefix for a command run in this namespace: ['ip', 'netns', 'exec', ns]. */
  run: string[]
}

export interface NetnsPair { a: NetnsHost, b: NetnsHost, cleanup: () => Promise<void> }

async function ip (args: string[]): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err === null) { resolve(stdout); return }
      const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the `ip` command is missing (apt-get install iproute2)' : (stderr.trim() || err.message)
      reject(new Error(`ip ${args.join(' ')}: ${why}`))
    })
  })
}

/**
 * Creates namespaces `<tag>a` and `<tag>b` (tag should hold process.pid so runs in parallel
 * do not collide), a veth pair between them with 10.203.0.1/24 and 10.203.0.2/24, lo up in
 * each, and the multicast range routed through the veth. Throws a clear error when the
 * machine cannot (not root, no `ip`). Call cleanup even if this throws part-way: it
 * removes whatever exists.
 */
export async function createNetnsPair (tag: string): Promise<NetnsPair> {
  const hosts: NetnsHost[] = ['a', 'b'].map((side, i) => {
    const ns = `${tag}${side}`
    return { ns, dev: `v${tag}${side}`.slice(-15), addr: `10.203.0.${i + 1}`, run: ['ip', 'netns', 'exec', ns] }
  })
  const [a, b] = hosts
  const cleanup = async (): Promise<void> => {
    // Deleting a namespace deletes the veth end inside it, and with it the peer.
    for (const h of hosts) await ip(['netns', 'delete', h.ns]).catch(() => {})
    await ip(['link', 'delete', a.dev]).catch(() => {})
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`network namespaces need root (uid is ${process.getuid()}); run this test as root`)
  }
  try {
    for (const h of hosts) await ip(['netns', 'add', h.ns])
    await ip(['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns])
    for (const h of hosts) {
      const inNs = ['-n', h.ns]
      await ip([...inNs, 'link', 'set', 'lo', 'up'])
      await ip([...inNs, 'addr', 'add', `${h.addr}/24`, 'dev', h.dev])
      await ip([...inNs, 'link', 'set', h.dev, 'multicast', 'on'])
      await ip([...inNs, 'link', 'set', h.dev, 'up'])
      await ip([...inNs, 'route', 'add', '224.0.0.0/4', 'dev', h.dev])
    }
    for (const h of hosts) {
      const route = await ip(['-n', h.ns, 'route', 'get', '224.0.0.251'])
      if (!route.includes(`dev ${h.dev}`)) throw new Error(`224.0.0.251 is not routed through ${h.dev} in ${h.ns}: ${route.trim()}`)
    }
  } catch (err) {
    await cleanup()
    throw new Error(`cannot set up two network namespaces joined by a veth pair: ${(err as Error).message}`, { cause: err })
  }
  return { a, b, cleanup }
}
