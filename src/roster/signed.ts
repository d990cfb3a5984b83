/**
 * The signed roster: document bytes plus signatures by trust anchors, each over
 * ROSTER_SIGNATURE_DOMAIN || document (docs/protocol/roster.md §Signatures, §k-of-n).
 * Signatures are gathered one at a time (`c5mesh roster sign` run by several authorities).
 */
import { C5Error } from '../errors.js'
import { sign, verify, toHex, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type KeyPair } from '../identity/index.js'
import { MAX_ROSTER_SIGNATURES, ROSTER_FORMAT_VERSION, ROSTER_SIGNATURE_DOMAIN } from './constants.js'
import { cborBytes, checkCanonical, decodeCbor, decodeRosterDocument, encodeRosterDocument } from './document.js'
import * as s from './schema.js'
import type { RosterDocument, RosterSignature, SignedRoster, TrustAnchors } from './types.js'

/** The exact bytes an anchor signs: domain tag, then the document bytes as they travel. */
export function rosterSigningPayload (document: Uint8Array): Uint8Array {
  const out = new Uint8Array(ROSTER_SIGNATURE_DOMAIN.length + document.length)
  out.set(ROSTER_SIGNATURE_DOMAIN, 0)
  out.set(document, ROSTER_SIGNATURE_DOMAIN.length)
  return out
}

export function encodeSignedRoster (signed: SignedRoster): Uint8Array {
  if (signed.signatures.length > MAX_ROSTER_SIGNATURES) throw s.malformed('signed.sigs', `at most ${MAX_ROSTER_SIGNATURES} signatures`)
  const wire = {
    v: ROSTER_FORMAT_VERSION,
    doc: signed.document,
    sigs: signed.signatures.map(x => ({ key: x.key, sig: x.signature }))
  }
  checkWire(wire)
  return cborBytes(wire)
}

function checkWire (v: unknown): SignedRoster {
  const w = s.map(v, 'signed', ['v', 'doc', 'sigs'])
  if (w.v !== ROSTER_FORMAT_VERSION) throw s.malformed('signed.v', `format version ${ROSTER_FORMAT_VERSION}`)
  if (!(w.doc instanceof Uint8Array)) throw s.malformed('signed.doc', 'bytes')
  const signatures = s.array(w.sigs, 'signed.sigs', MAX_ROSTER_SIGNATURES).map((x, i): RosterSignature => {
    const e = s.map(x, `signed.sigs[${i}]`, ['key', 'sig'])
    return { key: s.bytes(e.key, `signed.sigs[${i}].key`, PUBLIC_KEY_BYTES), signature: s.bytes(e.sig, `signed.sigs[${i}].sig`, SIGNATURE_BYTES) }
  })
  return { document: w.doc, signatures }
}

/** Decodes the wrapper only (schema and limits); the document inside is not yet checked. */
export function decodeSignedRoster (bytes: Uint8Array): SignedRoster {
  const wire = decodeCbor(bytes, 'signed')
  const signed = checkWire(wire)
  checkCanonical(bytes, wire, 'signed')
  return signed
}

/**
 * Adds this key pair's signature (replacing an earlier one by the same key). Accepts document
 * bytes, a SignedRoster or its encoding; the document is validated before it is signed.
 * Signatures are kept sorted by key so that the same set gives the same bytes.
 */
export function signRoster (input: Uint8Array | SignedRoster, keyPair: KeyPair): SignedRoster {
  let signed: SignedRoster
  if (input instanceof Uint8Array) {
    // Encoded SignedRoster or bare document bytes: a document never has the wrapper's `doc` field.
    signed = looksSigned(input) ? decodeSignedRoster(input) : { document: input, signatures: [] }
  } else {
    signed = input
  }
  decodeRosterDocument(signed.document)
  const signature = sign(keyPair.privateKey, rosterSigningPayload(signed.document))
  const others = signed.signatures.filter(x => !equalBytes(x.key, keyPair.publicKey))
  const signatures = [...others, { key: keyPair.publicKey, signature }]
    .sort((a, b) => compareBytes(a.key, b.key))
  if (signatures.length > MAX_ROSTER_SIGNATURES) throw s.malformed('signed.sigs', `at most ${MAX_ROSTER_SIGNATURES} signatures`)
  return { document: signed.document, signatures }
}

function looksSigned (bytes: Uint8Array): boolean {
  try {
    decodeSignedRoster(bytes)
    return true
  } catch {
    return false
  }
}

/** Checks trust anchors from config: 32-byte keys, 1 ≤ threshold ≤ number of distinct keys. */
export function checkAnchors (anchors: TrustAnchors): void {
  const fail = (why: string): never => { throw new C5Error('CONFIG_INVALID', `trust anchors: ${why}`, { details: { field: 'anchors' } }) }
  if (typeof anchors !== 'object' || anchors === null || !Array.isArray(anchors.keys)) fail('expected { keys, threshold }')
  for (const k of anchors.keys) if (!(k instanceof Uint8Array) || k.length !== PUBLIC_KEY_BYTES) fail(`each key is ${PUBLIC_KEY_BYTES} bytes`)
  const distinct = new Set(anchors.keys.map(toHex)).size
  if (!Number.isSafeInteger(anchors.threshold) || anchors.threshold < 1 || anchors.threshold > distinct) {
    fail(`threshold must be an integer from 1 to the number of distinct keys (${distinct})`)
  }
}

/** Anchor keys (hex) whose signatures on this signed roster verify; unknown signers and repeats don't count. */
export function validAnchorSigners (signed: SignedRoster, anchors: TrustAnchors): Set<string> {
  const anchorSet = new Set(anchors.keys.map(toHex))
  const payload = rosterSigningPayload(signed.document)
  const valid = new Set<string>()
  for (const x of signed.signatures) {
    const k = toHex(x.key)
    if (!anchorSet.has(k) || valid.has(k)) continue
    if (verify(x.key, payload, x.signature)) valid.add(k)
  }
  return valid
}

/**
 * k-of-n: the document is accepted when at least `threshold` distinct anchor keys have a valid
 * signature on it. A bad signature simply doesn't count (ROSTER_UNDER_THRESHOLD): one forged
 * entry must not mask enough good ones, and the count is what an operator needs to see.
 */
export function verifySignedRoster (bytes: Uint8Array, anchors: TrustAnchors): RosterDocument {
  checkAnchors(anchors)
  const signed = decodeSignedRoster(bytes)
  const document = decodeRosterDocument(signed.document)
  const valid = validAnchorSigners(signed, anchors)
  if (valid.size < anchors.threshold) {
    throw new C5Error('ROSTER_UNDER_THRESHOLD', `roster version ${document.version} has ${valid.size} valid anchor signature(s); ${anchors.threshold} needed`, {
      details: { version: document.version, valid: valid.size, threshold: anchors.threshold }
    })
  }
  return document
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

export interface RosterSignatureStatus {
  version: number
  /** Anchor keys (hex) whose signatures verify. */
  validSigners: string[]
  /** Signature entries by keys that are not anchors (ignored by verification). */
  unknownSigners: string[]
  /** Entries by anchor keys whose signature does not verify. */
  invalidSigners: string[]
  threshold: number
  /** validSigners.length ≥ threshold. */
  complete: boolean
}

/**
 * Where a signed roster stands in the k-of-n gathering (`c5mesh roster show|sign`): who has
 * signed and whether it is enough. Throws only for a malformed roster or bad anchors.
 */
export function rosterSignatureStatus (bytes: Uint8Array, anchors: TrustAnchors): RosterSignatureStatus {
  checkAnchors(anchors)
  const signed = decodeSignedRoster(bytes)
  const { version } = decodeRosterDocument(signed.document)
  const anchorSet = new Set(anchors.keys.map(toHex))
  const valid = validAnchorSigners(signed, anchors)
  const unknown = new Set<string>()
  const invalid = new Set<string>()
  for (const x of signed.signatures) {
    const k = toHex(x.key)
    if (!anchorSet.has(k)) unknown.add(k)
    else if (!valid.has(k)) invalid.add(k)
  }
  return { version, validSigners: [...valid], unknownSigners: [...unknown], invalidSigners: [...invalid], threshold: anchors.threshold, complete: valid.size >= anchors.threshold }
}
