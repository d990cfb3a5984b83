/** The node key as a libp2p private key, so that the node's PeerId is its roster key. */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey, PeerId } from '@libp2p/interface'
import type { KeyPair } from './keys.js'

export async function libp2pPrivateKey (pair: KeyPair): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', pair.seed)
}

/** The PeerId of a 32-byte Ed25519 public key (as a string, "12D3Koo…"). */
export function peerIdOf (publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey))
}

/** The raw 32-byte Ed25519 key of a PeerId, or undefined when it is not an Ed25519 PeerId. */
export function rawKeyOfPeer (peer: PeerId): Uint8Array | undefined {
  if (peer.type !== 'Ed25519' || peer.publicKey === undefined) return undefined
  return peer.publicKey.raw
}
