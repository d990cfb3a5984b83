/**
 * The addresses at which other nodes can reach this one, as multiaddrs ending in
 * /p2p/<PeerId> (what `c5mesh id` prints, a join request carries and a welcome file names as
 * bootstrap). A running node knows the addresses it really listens on; otherwise they are
 * derived from config: `announce` when set, else `listen` with 0.0.0.0 / :: replaced by this
 * machine's interface addresses. Port 0 (any free port) is not shareable; loopback
 * addresses come last (they reach only another node on the same machine).
 * Pure: the caller passes the machine's interfaces (os.networkInterfaces()).
 */
import type { NetworkInterfaceInfo } from 'node:os'

export interface AddressSource {
  peerId: string
  listen: string[]
  announce: string[]
  /** Addresses a running node reports (daemon.json), preferred over config. */
  running?: string[]
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>
}

const LOOPBACK = /^\/(ip4\/127\.|ip6\/::1\/|dns4\/localhost\/|dns6\/localhost\/)/

function withPeer (addr: string, peerId: string): string {
  const base = addr.replace(/\/p2p\/[^/]+$/, '')
  return `${base}/p2p/${peerId}`
}

/** Shareable multiaddrs: duplicates removed, order kept, loopback ones last. */
export function shareableAddrs (src: AddressSource): string[] {
  const out: string[] = []
  const loop: string[] = []
  const add = (a: string): void => {
    if (/\/(tcp|udp)\/0(\/|$)/.test(a)) return
    const full = withPeer(a, src.peerId)
    const list = LOOPBACK.test(a) ? loop : out
    if (!list.includes(full)) list.push(full)
  }
  if (src.running !== undefined && src.running.length > 0) {
    for (const a of src.running) add(a)
    return [...out, ...loop]
  }
  const configured = src.announce.length > 0 ? src.announce : src.listen
  const v4: string[] = []
  const v6: string[] = []
  for (const list of Object.values(src.interfaces)) {
    for (const i of list ?? []) {
      if (i.internal) continue
      if (i.family === 'IPv4') v4.push(i.address)
      else if (!i.address.startsWith('fe80')) v6.push(i.address) // link-local needs a zone: not shareable
    }
  }
  for (const a of configured) {
    if (a.startsWith('/ip4/0.0.0.0/')) for (const ip of v4) add(a.replace('/ip4/0.0.0.0/', `/ip4/${ip}/`))
    else if (a.startsWith('/ip6/::/')) for (const ip of v6) add(a.replace('/ip6/::/', `/ip6/${ip}/`))
    else add(a)
  }
  return [...out, ...loop]
}
