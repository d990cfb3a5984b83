/** Real libp2p nodes on loopback TCP for the link tests (port 0: the OS picks). */
import { generateKeyPair, libp2pPrivateKey, type KeyPair } from '../../src/identity/index.js'
import { createHost, type C5Host } from '../../src/links/libp2p/index.js'
import type { Link } from '../../src/links/types.js'

export interface TestHost {
  node: C5Host
  key: KeyPair
  /** Hex keys this node allows; edit it to change the "roster". */
  allowed: Set<string>
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Keys first, so each node's allow-list can name the others before any starts. */
export function makeKeys (n: number): KeyPair[] {
  return Array.from({ length: n }, () => generateKeyPair())
}

export async function startHost (key: KeyPair, allowed: Iterable<Uint8Array>, opts: { dht?: boolean, bootstrap?: string[], listen?: string[], mdns?: boolean } = {}): Promise<TestHost> {
  const allow = new Set([...allowed].map(hex))
  const node = await createHost({
    privateKey: await libp2pPrivateKey(key),
    listen: opts.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: opts.bootstrap ?? [],
    mdns: opts.mdns ?? false,
    dht: opts.dht ?? false,
    allowPeer: k => allow.has(hex(k))
  })
  return { node, key, allowed: allow }
}

/** A queue of links delivered by handleLinks, awaited one at a time. */
export class LinkInbox {
  #links: Link[] = []
  #waiters: Array<(l: Link) => void> = []
  readonly delivered: Link[] = []

  push = (link: Link): void => {
    this.delivered.push(link)
    const w = this.#waiters.shift()
    if (w !== undefined) w(link)
    else this.#links.push(link)
  }

  async next (): Promise<Link> {
    const l = this.#links.shift()
    if (l !== undefined) return l
    return await new Promise(resolve => this.#waiters.push(resolve))
  }
}
