/** What `c5mesh id`, a join request and a welcome file give as this node's addresses (src/node/addresses.ts). */
import { describe, it, expect } from 'vitest'
import type { NetworkInterfaceInfo } from 'node:os'
import { shareableAddrs } from '../../src/node/addresses.js'

const P = '12D3KooWRnTbKR9jac4F2vyna7VLjUMTNfjVgTZ9ztMNXyWu9bHB'
const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) }) as NetworkInterfaceInfo
const interfaces = { lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)], eth0: [iface('10.20.0.5', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::5', 'IPv6')] }

describe('shareable addresses', () => {
  it('config listen on 0.0.0.0 / :: becomes each interface address (not loopback, not link-local), each ending in /p2p/PeerId', () => {
    expect(shareableAddrs({ peerId: P, listen: ['/ip4/0.0.0.0/tcp/4370', '/ip6/::/tcp/4370'], announce: [], interfaces }))
      .toEqual([`/ip4/10.20.0.5/tcp/4370/p2p/${P}`, `/ip6/2001:db8::5/tcp/4370/p2p/${P}`])
  })

  it('announce wins over listen; port 0 is never shared; loopback comes last; the running node\'s own addresses win over config', () => {
    expect(shareableAddrs({ peerId: P, listen: ['/ip4/0.0.0.0/tcp/4370'], announce: ['/dns4/c5.yucatan.gob.mx/tcp/4370'], interfaces }))
      .toEqual([`/dns4/c5.yucatan.gob.mx/tcp/4370/p2p/${P}`])
    expect(shareableAddrs({ peerId: P, listen: ['/ip4/127.0.0.1/tcp/4370', '/ip4/0.0.0.0/tcp/0', '/ip4/10.20.0.5/tcp/4370'], announce: [], interfaces }))
      .toEqual([`/ip4/10.20.0.5/tcp/4370/p2p/${P}`, `/ip4/127.0.0.1/tcp/4370/p2p/${P}`])
    expect(shareableAddrs({ peerId: P, listen: ['/ip4/0.0.0.0/tcp/0'], announce: [], running: [`/ip4/10.20.0.5/tcp/41234/p2p/${P}`, '/ip4/10.20.0.5/tcp/41234'], interfaces }))
      .toEqual([`/ip4/10.20.0.5/tcp/41234/p2p/${P}`])
  })
})
