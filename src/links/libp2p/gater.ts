/**
 * The roster connection gater (docs/protocol/links.md §4): a peer whose Ed25519 key the
 * roster does not allow is refused in both directions — before dialling it, and on every
 * inbound or outbound connection as soon as Noise has authenticated its key. Peers whose
 * PeerId is not an Ed25519 key cannot be on the roster and are refused too.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import { C5Error } from '../../errors.js'
import { rawKeyOfPeer } from '../../identity/index.js'

/** Decides from a 32-byte Ed25519 key whether that peer may connect (roster lookup). */
export type AllowPeer = (key32: Uint8Array) => boolean

/** True when the peer has an Ed25519 key and `allowPeer` accepts it. A throwing predicate denies. */
export function isPeerAllowed (peer: PeerId, allowPeer: AllowPeer): boolean {
  const key = rawKeyOfPeer(peer)
  if (key === undefined) return false
  try {
    return allowPeer(key) === true
  } catch {
    return false
  }
}

export function rosterGater (allowPeer: AllowPeer): ConnectionGater {
  const deny = (peer: PeerId): boolean => !isPeerAllowed(peer, allowPeer)
  return {
    // Before any socket is opened to a known peer.
    denyDialPeer: deny,
    // After the Noise handshake, when the remote key is proven (both directions).
    denyInboundEncryptedConnection: deny,
    denyOutboundEncryptedConnection: deny,
    // Again once upgraded: the roster may have changed during the handshake.
    denyInboundUpgradedConnection: deny,
    denyOutboundUpgradedConnection: deny
  }
}

/** The smallest view of a libp2p node this needs (so tests and the daemon can pass any node). */
export interface ConnectionsView {
  getConnections: () => Array<{ remotePeer: PeerId, abort: (err: Error) => void }>
}

/**
 * Aborts open connections of peers that `allowPeer` now refuses — call it after a new
 * roster removes or revokes keys. An abort, not a graceful close: a revoked key gets no
 * grace period to push more frames. Returns the PeerId strings it cut.
 */
export function closeDisallowedConnections (node: ConnectionsView, allowPeer: AllowPeer): string[] {
  const cut = new Set<string>()
  for (const conn of node.getConnections()) {
    if (isPeerAllowed(conn.remotePeer, allowPeer)) continue
    cut.add(conn.remotePeer.toString())
    conn.abort(new C5Error('LINK_REFUSED', 'peer is no longer allowed by the roster'))
  }
  return [...cut]
}
