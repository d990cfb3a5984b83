/**
 * Joining the national network in one step (README "Joining the national network"):
 *
 *   new state:   c5mesh join-request --org MX-YUC --out join-request.json   → to the authority
 *   authority:   c5mesh roster add --request join-request.json              (reads the fingerprint
 *                c5mesh roster sign; c5mesh roster import …                  back over the phone)
 *                c5mesh roster export --welcome --out welcome.json          → to the new state
 *   new state:   c5mesh join welcome.json                                   (checks the root
 *                                                                            fingerprints, asks)
 *
 * Both files are JSON with a `type` and a `version`, checked field by field (zod) on
 * reading: they travel by e-mail and USB sticks. A fingerprint is short enough to read out
 * over the phone and long enough (80 bits) that nobody can make a key that matches another's:
 * sha2-256 of a domain tag and the bytes, first 10 bytes, base32 in groups of four.
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { C5Error } from '../errors.js'
import { ORG_CODE_PATTERN } from '../envelope/constants.js'
import { withArticle } from '../util/words.js'

export const JOIN_REQUEST_TYPE = 'c5mesh-join-request'
export const WELCOME_TYPE = 'c5mesh-welcome'
export const JOIN_FORMAT_VERSION = 1
/** Largest join or welcome file read (a welcome carries the signed roster). */
export const MAX_JOIN_FILE_BYTES = 8 * 1024 * 1024
const FINGERPRINT_BYTES = 10
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** `ABCD-EFGH-IJKL-MNOP`: 80 bits of sha2-256("c5mesh/fingerprint/v1\0" ‖ what ‖ 0x00 ‖ bytes). */
export function fingerprint (what: 'key' | 'join-request', bytes: Uint8Array | string): string {
  const h = createHash('sha256').update(`c5mesh/fingerprint/v1\0${what}\0`).update(bytes).digest().subarray(0, FINGERPRINT_BYTES)
  let bits = 0
  let acc = 0
  let out = ''
  for (const b of h) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) { bits -= 5; out += BASE32[(acc >> bits) & 31] }
    acc &= (1 << bits) - 1
  }
  return out.match(/.{1,4}/g)!.join('-')
}

export const keyFingerprint = (keyHex: string): string => fingerprint('key', Buffer.from(keyHex, 'hex'))

const hexKey = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character lower-case hex Ed25519 public key')
const org = z.string().regex(ORG_CODE_PATTERN, 'an org code such as MX-YUC or CNI')
const peerAddr = z.string().regex(/^\/[^\s]+\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/, 'a multiaddr ending in /p2p/<PeerId>').max(512)

export const joinRequestSchema = z.strictObject({
  type: z.literal(JOIN_REQUEST_TYPE),
  version: z.literal(JOIN_FORMAT_VERSION),
  org,
  name: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'one line of text').optional(),
  nodeKey: hexKey,
  operatorKey: hexKey,
  peerId: z.string().min(1).max(128),
  addrs: z.array(peerAddr).max(32),
  fingerprint: z.string(),
  created: z.string()
})
export type JoinRequest = z.infer<typeof joinRequestSchema>

export const welcomeSchema = z.strictObject({
  type: z.literal(WELCOME_TYPE),
  version: z.literal(JOIN_FORMAT_VERSION),
  /** The signed roster in force, base64 (what `roster export --current` writes). */
  roster: z.string().min(1),
  rosterVersion: z.number().int().min(1),
  trustAnchors: z.strictObject({
    keys: z.array(z.strictObject({ key: hexKey, fingerprint: z.string() })).min(1).max(64),
    threshold: z.number().int().min(1)
  }),
  bootstrap: z.array(peerAddr).max(64),
  created: z.string()
})
export type Welcome = z.infer<typeof welcomeSchema>

/** What a join request's fingerprint covers: everything the authority puts in the roster. */
export function joinRequestFingerprint (r: Pick<JoinRequest, 'org' | 'nodeKey' | 'operatorKey'>): string {
  return fingerprint('join-request', `${r.org}\n${r.nodeKey}\n${r.operatorKey}`)
}

export function makeJoinRequest (f: Omit<JoinRequest, 'type' | 'version' | 'fingerprint' | 'created'>, now: number): JoinRequest {
  return { type: JOIN_REQUEST_TYPE, version: JOIN_FORMAT_VERSION, ...f, fingerprint: joinRequestFingerprint(f), created: new Date(now).toISOString() }
}

export function makeWelcome (f: { roster: Uint8Array, rosterVersion: number, anchors: { keys: string[], threshold: number }, bootstrap: string[] }, now: number): Welcome {
  return {
    type: WELCOME_TYPE,
    version: JOIN_FORMAT_VERSION,
    roster: Buffer.from(f.roster).toString('base64'),
    rosterVersion: f.rosterVersion,
    trustAnchors: { keys: f.anchors.keys.map(key => ({ key, fingerprint: keyFingerprint(key) })), threshold: f.anchors.threshold },
    bootstrap: f.bootstrap,
    created: new Date(now).toISOString()
  }
}

function parseJson<T> (what: string, file: string, bytes: Uint8Array, schema: z.ZodType<T>): T {
  if (bytes.length > MAX_JOIN_FILE_BYTES) throw new C5Error('CLI_BAD_ARGUMENT', `${file}: larger than ${withArticle(what)} can be (${MAX_JOIN_FILE_BYTES} bytes)`)
  let value: unknown
  try { value = JSON.parse(Buffer.from(bytes).toString('utf8')) } catch {
    throw new C5Error('CLI_BAD_ARGUMENT', `${file}: not ${withArticle(what)} (not JSON)`)
  }
  const r = schema.safeParse(value)
  if (!r.success) {
    const issue = r.error.issues[0]
    const field = issue.path.join('.') || 'file'
    const type = (value as { type?: unknown } | null)?.type
    if (field === 'type') throw new C5Error('CLI_BAD_ARGUMENT', `${file}: not ${withArticle(what)} (type ${JSON.stringify(type)})`)
    throw new C5Error('CLI_BAD_ARGUMENT', `${file}: ${field}: ${issue.code === 'invalid_type' ? `expected ${String((issue as { expected?: unknown }).expected)}` : issue.message}`)
  }
  return r.data
}

/** A join request file, checked; its fingerprint must be the one its keys give. */
export function parseJoinRequest (file: string, bytes: Uint8Array): JoinRequest {
  const r = parseJson('join request', file, bytes, joinRequestSchema)
  const expected = joinRequestFingerprint(r)
  if (r.fingerprint !== expected) throw new C5Error('CLI_BAD_ARGUMENT', `${file}: its fingerprint ${r.fingerprint} does not match its keys (${expected}): the file was changed; ask for it again`)
  return r
}

/** A welcome file, checked; each anchor fingerprint must be its key's. */
export function parseWelcome (file: string, bytes: Uint8Array): Welcome {
  const w = parseJson('welcome file', file, bytes, welcomeSchema)
  for (const a of w.trustAnchors.keys) {
    if (a.fingerprint !== keyFingerprint(a.key)) throw new C5Error('CLI_BAD_ARGUMENT', `${file}: the fingerprint of root ${a.key.slice(0, 16)}… does not match it: the file was changed; ask for it again`)
  }
  if (w.trustAnchors.threshold > w.trustAnchors.keys.length) throw new C5Error('CLI_BAD_ARGUMENT', `${file}: trustAnchors.threshold is more than its keys`)
  return w
}
