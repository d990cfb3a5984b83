/**
 * libp2p links: the node's libp2p host (TCP, WebSockets, Noise, Yamux, identify, ping,
 * private Kad-DHT, bootstrap, mDNS) with the roster connection gater, and Links over
 * /c5mesh/sync/1.0.0 streams (unsigned-varint length-prefixed frames). Spec:
 * docs/protocol/links.md.
 *
 * @example
 * const node = await createHost({ privateKey: await libp2pPrivateKey(nodeKey), listen: ['/ip4/0.0.0.0/tcp/4370'],
 *   bootstrap: [], mdns: false, allowPeer: key => roster.isNode(key) })
 * await handleLinks(node, link => runSession(link))
 * const link = await openLink(node, multiaddr('/ip4/10.0.0.2/tcp/4370/p2p/12D3Koo…'))
 * // after a new roster:
 * closeDisallowedConnections(node, key => roster.isNode(key))
 */
export { createHost, MDNS_SERVICE_TAG, type HostOptions, type C5Host } from './host.js'
export { admissionAllowList } from './admission.js'
export { rosterGater, closeDisallowedConnections, isPeerAllowed, type AllowPeer, type ConnectionsView } from './gater.js'
export { openLink, handleLinks, type LinkHost, type OpenLinkOptions } from './protocol.js'
export { streamLink, type StreamLinkOptions } from './stream-link.js'
export { FrameDecoder } from './frame-decoder.js'
export { encodeVarint, varintLength } from './varint.js'
export * from './constants.js'
