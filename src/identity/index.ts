/**
 * Identity: Ed25519 node and operator keys, key files (0600), key ids, and the mapping
 * between a node key and its libp2p PeerId.
 *
 * @example
 * const pair = generateKeyPair()
 * await writeKeyFile('data/keys/operator.json', 'operator', pair)
 * const sig = sign(pair.privateKey, bytes); verify(pair.publicKey, bytes, sig) // true
 */
export * from './keys.js'
export * from './keyfile.js'
export * from './libp2p.js'
