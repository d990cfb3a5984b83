/**
 * The libp2p host of a c5mesh node (docs/protocol/links.md §4–5): TCP and WebSockets,
 * Noise, Yamux, identify, ping, Kad-DHT in the private namespace /c5mesh/kad/1.0.0,
 * bootstrap peers and mDNS when configured, and the roster connection gater.
 * The node key is the PeerId (src/identity libp2pPrivateKey).
 */
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { bootstrap } from '@libp2p/bootstrap'
import { mdns } from '@libp2p/mdns'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerDiscovery, PrivateKey } from '@libp2p/interface'
import { C5Error } from '../../errors.js'
import { rosterGater, type AllowPeer } from './gater.js'
import { DHT_PROTOCOL, YAMUX_MAX_STREAM_WINDOW_BYTES, MAX_PENDING_INBOUND_CONNECTIONS, INBOUND_UPGRADE_TIMEOUT_MS, INBOUND_CONNECTIONS_PER_S_PER_HOST } from './constants.js'
import { admissionAllowList } from './admission.js'

/** mDNS service name, so c5mesh nodes on a LAN find each other and not every libp2p app. */
export const MDNS_SERVICE_TAG = '_c5mesh-discovery._udp.local'

export interface HostOptions {
  /** The node key as a libp2p key: `await libp2pPrivateKey(nodeKeyPair)`. */
  privateKey: PrivateKey
  /** Multiaddrs to listen on, e.g. '/ip4/0.0.0.0/tcp/4370', '/ip4/0.0.0.0/tcp/4371/ws'. */
  listen: string[]
  /** Multiaddrs to announce instead of the listen addresses (behind NAT or a proxy). */
  announce?: string[]
  /** Peers to dial at start, each with /p2p/<PeerId>. Empty: no bootstrap module. */
  bootstrap: string[]
  /** Discover peers on the LAN by multicast DNS. */
  mdns: boolean
  /** The roster check: may the peer with this 32-byte Ed25519 key connect? */
  allowPeer: AllowPeer
  /** Run the private Kad-DHT for peer routing (default true). */
  dht?: boolean
  /**
   * Addresses (multiaddrs: a host, or a range with /ipcidr) whose inbound connections are
   * exempt from the pre-authentication limits below: roster peers' known addresses and the
   * configured national ranges (admission.ts). Noise and the roster gater still apply.
   */
  allowInbound?: string[]
  /**
   * libp2p connection-manager limits (§5.1). Defaults: 300 connections,
   * MAX_PENDING_INBOUND_CONNECTIONS pending, INBOUND_UPGRADE_TIMEOUT_MS to finish the
   * upgrade, INBOUND_CONNECTIONS_PER_S_PER_HOST new connections per second per remote
   * address (many nodes on one loopback address in a test may need more).
   */
  connectionManager?: { maxConnections?: number, inboundConnectionThreshold?: number, maxIncomingPendingConnections?: number, inboundUpgradeTimeout?: number }
}

/** Everything the multiaddr parser refuses is reported with the address and the field. */
function checkAddrs (field: string, addrs: unknown, needPeerId = false): string[] {
  if (!Array.isArray(addrs)) throw new C5Error('LINK_BAD_ARGUMENT', `${field}: expected an array of multiaddrs`)
  return addrs.map((a, i) => {
    if (typeof a !== 'string') throw new C5Error('LINK_BAD_ARGUMENT', `${field}[${i}]: expected a multiaddr string`)
    try {
      multiaddr(a)
    } catch (cause) {
      throw new C5Error('LINK_BAD_ARGUMENT', `${field}[${i}]: not a multiaddr: ${a}`, { cause })
    }
    if (needPeerId && !a.includes('/p2p/')) throw new C5Error('LINK_BAD_ARGUMENT', `${field}[${i}]: a bootstrap address needs /p2p/<PeerId>: ${a}`)
    return a
  })
}

/**
 * @libp2p/websockets dials with the global WebSocket, which Node has only from 22 on. On
 * Node 20 outbound /ws dials fail with "WebSocket is not defined"; the `ws` package (which
 * the transport already uses for its listener) provides a compatible client.
 */
async function ensureWebSocketGlobal (): Promise<void> {
  const g = globalThis as { WebSocket?: unknown }
  if (typeof g.WebSocket === 'function') return
  // No @types/ws in the tree; only the constructor is needed.
  const specifier: string = 'ws'
  const ws = await import(specifier) as { WebSocket: unknown }
  g.WebSocket = ws.WebSocket
}

export async function createHost (options: HostOptions) {
  if (options?.privateKey?.type !== 'Ed25519') throw new C5Error('LINK_BAD_ARGUMENT', 'privateKey: expected the node\'s Ed25519 libp2p key')
  if (typeof options.allowPeer !== 'function') throw new C5Error('LINK_BAD_ARGUMENT', 'allowPeer: expected a function (key32) => boolean')
  const listen = checkAddrs('listen', options.listen)
  const announce = checkAddrs('announce', options.announce ?? [])
  const bootstrapList = checkAddrs('bootstrap', options.bootstrap, true)
  if (options.allowInbound !== undefined && !Array.isArray(options.allowInbound)) throw new C5Error('LINK_BAD_ARGUMENT', 'allowInbound: expected an array of multiaddrs')
  // Entries come from the peer book too: what does not parse as an IP address is left out.
  const allowInbound = admissionAllowList((options.allowInbound ?? []).filter(a => typeof a === 'string'))
  await ensureWebSocketGlobal()

  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  if (bootstrapList.length > 0) peerDiscovery.push(bootstrap({ list: bootstrapList }))
  if (options.mdns) peerDiscovery.push(mdns({ serviceTag: MDNS_SERVICE_TAG }))

  const base = {
    identify: identify(),
    ping: ping()
  }
  const services = options.dht === false
    ? base
    : {
        ...base,
        // Private namespace; keep private and loopback addresses (the default mapper strips
        // them, which empties routing tables on a private network or in a test).
        dht: kadDHT({ protocol: DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper })
      }

  return await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen, ...(announce.length > 0 ? { announce } : {}) },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: YAMUX_MAX_STREAM_WINDOW_BYTES } })],
    peerDiscovery,
    connectionGater: rosterGater(options.allowPeer),
    connectionManager: {
      maxIncomingPendingConnections: MAX_PENDING_INBOUND_CONNECTIONS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      inboundConnectionThreshold: INBOUND_CONNECTIONS_PER_S_PER_HOST,
      ...options.connectionManager,
      allow: allowInbound
    },
    services
  })
}

export type C5Host = Awaited<ReturnType<typeof createHost>>
