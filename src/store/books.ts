/**
 * Peer sync state and small metadata (docs/protocol/store.md §"peer" and §"meta").
 * Both validate everything they write and report unreadable records as STORE_CORRUPT.
 */
import { C5Error } from '../errors.js'
import { META_NAME_MAX_CHARS, META_VALUE_MAX_BYTES, PEER_ADDR_MAX_CHARS, PEER_ADDRS_MAX } from './constants.js'
import { decodeMetaValue, encodeMetaValue } from './keys.js'
import type { Sublevels } from './layout.js'
import type { BatchOp, MetaBook, MetaValue, PeerBook, PeerRecord } from './types.js'

const PEER_KEY_PATTERN = /^[0-9a-f]{64}$/
/** Meta names starting with "_" are the store's own (e.g. "_schema"). */
export const RESERVED_META_PREFIX = '_'

function bad (message: string): C5Error { return new C5Error('STORE_INVALID_ARGUMENT', message) }

function optionalCount (r: Record<string, unknown>, field: string): number | undefined {
  const v = r[field]
  if (v === undefined) return undefined
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(`peer ${field} must be a non-negative integer`)
  return v as number
}

/** Returns a clean copy (unknown fields dropped) or throws STORE_INVALID_ARGUMENT. */
export function validatePeerRecord (record: unknown): PeerRecord {
  if (typeof record !== 'object' || record === null) throw bad('peer record must be an object')
  const r = record as Record<string, unknown>
  if (typeof r.key !== 'string' || !PEER_KEY_PATTERN.test(r.key)) throw bad('peer key must be 64 lowercase hex characters')
  if (!Array.isArray(r.addrs) || r.addrs.length > PEER_ADDRS_MAX) throw bad(`peer addrs must be an array of at most ${PEER_ADDRS_MAX}`)
  for (const a of r.addrs) {
    if (typeof a !== 'string' || a.length === 0 || a.length > PEER_ADDR_MAX_CHARS) throw bad(`peer addrs must be strings of 1…${PEER_ADDR_MAX_CHARS} characters`)
  }
  const out: PeerRecord = { key: r.key, addrs: [...r.addrs] as string[] }
  for (const f of ['lastSeen', 'lastConnected', 'failures'] as const) {
    const v = optionalCount(r, f)
    if (v !== undefined) out[f] = v
  }
  return out
}

function parsePeer (key: string, text: string): PeerRecord {
  try {
    const rec = validatePeerRecord(JSON.parse(text))
    if (rec.key !== key) throw new Error('key mismatch')
    return rec
  } catch (cause) {
    throw new C5Error('STORE_CORRUPT', `peer record ${key} is unreadable`, { cause })
  }
}

export function createPeerBook (sub: () => Sublevels, guard: () => void, onCorrupt: () => void, write: (ops: BatchOp[], sync: boolean) => Promise<void>): PeerBook {
  return {
    async get (keyHex) {
      guard()
      if (typeof keyHex !== 'string' || !PEER_KEY_PATTERN.test(keyHex)) throw bad('peer key must be 64 lowercase hex characters')
      const text = await sub().peers.get(keyHex)
      return text === undefined ? undefined : parsePeer(keyHex, text)
    },
    async put (record) {
      guard()
      const rec = validatePeerRecord(record)
      await write([{ type: 'put', sublevel: sub().peers, key: rec.key, value: JSON.stringify(rec) }], false)
    },
    async delete (keyHex) {
      guard()
      if (typeof keyHex !== 'string' || !PEER_KEY_PATTERN.test(keyHex)) throw bad('peer key must be 64 lowercase hex characters')
      await write([{ type: 'del', sublevel: sub().peers, key: keyHex }], false)
    },
    async list () {
      guard()
      const out: PeerRecord[] = []
      for await (const [key, text] of sub().peers.iterator()) {
        try {
          out.push(parsePeer(key, text))
        } catch {
          onCorrupt() // one bad record must not hide the others
        }
      }
      return out
    }
  }
}

export function validateMetaName (name: unknown, allowReserved = false): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > META_NAME_MAX_CHARS) {
    throw bad(`meta name must be 1…${META_NAME_MAX_CHARS} characters`)
  }
  if (!allowReserved && name.startsWith(RESERVED_META_PREFIX)) throw bad(`meta names starting with "${RESERVED_META_PREFIX}" are reserved`)
  return name
}

export function encodeMeta (value: MetaValue): Uint8Array {
  const bytes = encodeMetaValue(value)
  if (bytes.length > META_VALUE_MAX_BYTES) throw bad(`meta value larger than ${META_VALUE_MAX_BYTES} bytes`)
  return bytes
}

export function metaOps (s: Sublevels, name: string, value: MetaValue): BatchOp[] {
  return [{ type: 'put', sublevel: s.meta, key: validateMetaName(name), value: encodeMeta(value) }]
}

export function createMetaBook (sub: () => Sublevels, guard: () => void, write: (ops: BatchOp[], sync: boolean) => Promise<void>): MetaBook {
  return {
    async get (name) {
      guard()
      const raw = await sub().meta.get(validateMetaName(name, true))
      return raw === undefined ? undefined : decodeMetaValue(raw) as MetaValue
    },
    async put (name, value, options = {}) {
      guard()
      await write(metaOps(sub(), name, value), options.sync === true)
    },
    ops (name, value) {
      guard()
      return metaOps(sub(), name, value)
    },
    delOps (name) {
      guard()
      return [{ type: 'del', sublevel: sub().meta, key: validateMetaName(name) }]
    },
    async del (name, options = {}) {
      guard()
      await write([{ type: 'del', sublevel: sub().meta, key: validateMetaName(name) }], options.sync === true)
    },
    async list (prefix) {
      guard()
      if (typeof prefix !== 'string' || prefix.length === 0 || prefix.startsWith(RESERVED_META_PREFIX)) throw bad('meta list prefix must be a non-empty, non-reserved name prefix')
      const out: Array<{ name: string, value: MetaValue }> = []
      // Every name with the prefix sorts between prefix and prefix + U+FFFF.
      for await (const [name, raw] of sub().meta.iterator({ gte: prefix, lt: prefix + '\uffff' })) {
        out.push({ name, value: decodeMetaValue(raw) as MetaValue })
      }
      return out
    }
  }
}
