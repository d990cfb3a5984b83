/**
 * Ed25519 keys through node:crypto (measured 11–14× faster here than pure-JS libraries).
 * A node key is also the node's libp2p PeerId key; an operator key signs messages.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { C5Error } from '../errors.js'

export const PUBLIC_KEY_BYTES = 32
export const SEED_BYTES = 32
export const SIGNATURE_BYTES = 64
export const KEY_ID_BYTES = 8

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

export interface KeyPair {
  /** 32-byte raw Ed25519 public key. */
  publicKey: Uint8Array
  /** 32-byte raw seed (the private key). Keep secret. */
  seed: Uint8Array
  privateKey: KeyObject
}

export function generateKeyPair (): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  return keyPairFromSeed(new Uint8Array(der.subarray(der.length - SEED_BYTES)))
}

export function keyPairFromSeed (seed: Uint8Array): KeyPair {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new C5Error('IDENTITY_KEY_INVALID', `an Ed25519 seed is ${SEED_BYTES} bytes`)
  }
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  return { publicKey: new Uint8Array(spki.subarray(spki.length - PUBLIC_KEY_BYTES)), seed: Uint8Array.from(seed), privateKey }
}

// Importing a public key costs more than a verify; nodes verify the same few hundred
// roster keys over and over, so keep the imported objects (bounded).
const PUBLIC_KEY_CACHE_MAX = 4096
const publicKeyCache = new Map<string, KeyObject>()

export function publicKeyObject (publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new C5Error('IDENTITY_KEY_INVALID', `an Ed25519 public key is ${PUBLIC_KEY_BYTES} bytes`)
  const k = Buffer.from(publicKey).toString('hex')
  let obj = publicKeyCache.get(k)
  if (obj === undefined) {
    try {
      obj = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' })
    } catch (cause) {
      throw new C5Error('IDENTITY_KEY_INVALID', 'not a valid Ed25519 public key', { cause })
    }
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) publicKeyCache.delete(publicKeyCache.keys().next().value as string)
    publicKeyCache.set(k, obj)
  }
  return obj
}

export function sign (privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(cryptoSign(null, data, privateKey))
}

/** False (never throws) for a bad signature or a malformed key. */
export function verify (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false
  try {
    return cryptoVerify(null, data, publicKeyObject(publicKey), signature)
  } catch {
    return false
  }
}

/** The 8-byte key id: the first 8 bytes of sha2-256(public key). Compact author field on radio. */
export function keyId (publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(publicKey).digest().subarray(0, KEY_ID_BYTES))
}

/** Hex of the bytes (a view, no copy: roster look-ups call this for every message). */
export function toHex (b: Uint8Array): string { return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') }
export function fromHex (s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new C5Error('IDENTITY_KEY_INVALID', 'not a hex string')
  return new Uint8Array(Buffer.from(s, 'hex'))
}
