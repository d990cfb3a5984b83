/**
 * Who gets past libp2p's pre-authentication limits first (docs/protocol/links.md §5.1).
 * Before Noise has proven a remote key, libp2p knows only the remote IP address; the
 * connection manager's allow list exempts addresses from the pending-connection cap, the
 * per-host rate and maxConnections. The node puts there the addresses where roster peers
 * are known to be (bootstrap, the peer book) and what the administrator configures (the
 * national network's ranges), so an outsider's idle sockets cannot keep roster peers out.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { getNetConfig } from '@libp2p/utils'

const UNSPECIFIED = new Set(['0.0.0.0', '::'])

/**
 * The IP part of each multiaddr, as libp2p's allow list wants it: `/ip4/H` or `/ip6/H`, or
 * `/ip4/N/ipcidr/B` for a range. Addresses without an IP (DNS names: resolving them here
 * would trust the resolver), unspecified addresses and unparsable text are left out;
 * duplicates once.
 */
export function admissionAllowList (addrs: Iterable<string>): string[] {
  const out = new Set<string>()
  for (const a of addrs) {
    let c: ReturnType<typeof getNetConfig>
    try { c = getNetConfig(multiaddr(a)) } catch { continue }
    if ((c.type !== 'ip4' && c.type !== 'ip6') || UNSPECIFIED.has(c.host)) continue
    const cidr = 'cidr' in c && typeof c.cidr === 'number' ? `/ipcidr/${c.cidr}` : ''
    out.add(`/${c.type}/${c.host}${cidr}`)
  }
  return [...out]
}
