/**
 * Manifests (docs/protocol/bundle.md §4): a node's set of unexpired message ids, described
 * compactly so that another node can compute, without any round trip, what this one lacks.
 * Built from the reconciliation engine's own structures (docs/protocol/reconcile.md):
 *
 *   - the set's size and digest (§3), which verify any decoded difference;
 *   - a prefix of its rateless coded symbols (§5), sized to decode a difference of up to
 *     `capacity` ids exactly: the exporter subtracts its own symbols and peels (§7);
 *   - ranges: the set cut in time order into runs of ~128 ids, each with its count and a
 *     fingerprint. When the symbols do not decode (a larger difference), the exporter sends
 *     every message of each range whose count or fingerprint differs from its own, and all
 *     messages newer than the last range: a superset of what is missing, never less.
 *
 *   manifest = "C5MM" 01 owner:32 created:varint org size:varint digest:16 capacity:varint
 *              m:varint symbol:40{m} r:varint range{r} signature:64
 *   range    = upper:varint (first: absolute ms; then the increase, ≥ 1) count:varint fingerprint:8
 */
import { C5Error } from '../../errors.js'
import { sign as signBytes, verify as verifySignature, type KeyPair } from '../../identity/index.js'
import { buildItemTable } from '../../sync/reconcile/items.js'
import { SymbolArray, SymbolEncoder } from '../../sync/reconcile/symbols.js'
import { SET_DIGEST_BYTES, SYMBOL_BYTES } from '../../sync/reconcile/constants.js'
import type { SyncItem } from '../../sync/types.js'
import {
  BUNDLE_ID_BYTES, FINGERPRINT_BYTES, KEY_BYTES, MANIFEST_DEFAULT_CAPACITY, MANIFEST_DOMAIN, MANIFEST_MAGIC, MANIFEST_MAX_BYTES,
  MANIFEST_MAX_ITEMS, MANIFEST_MAX_SYMBOLS, MANIFEST_RANGE_ITEMS, MANIFEST_VERSION, ORG_MAX_BYTES, RANGE_DOMAIN, SIGNATURE_BYTES,
  SYMBOLS_EXTRA, SYMBOLS_PER_DIFFERENCE, BUNDLE_MAGIC
} from './constants.js'
import { Cursor, hex, sha256, varint } from './format.js'

export interface ManifestRange {
  /** Newest timestamp in the range (ms); the range holds the ids after the previous upper, up to this. */
  upper: number
  count: number
  fingerprint: Uint8Array
}

export interface Manifest {
  owner: Uint8Array
  org: string
  created: number
  /** Ids in the set, and its set digest (docs/protocol/reconcile.md §3). */
  size: number
  digest: Uint8Array
  /** The difference the symbols were sized for. */
  capacity: number
  symbols: SymbolArray
  ranges: ManifestRange[]
  /** The whole file, signature included. */
  bytes: Uint8Array
  signature: Uint8Array
  /** Hex of the first 16 bytes of sha2-256 of the file. */
  id: string
}

export interface ManifestOptions {
  signer: Pick<KeyPair, 'publicKey' | 'privateKey'>
  org: string
  created: number
  /** Difference the symbols decode exactly (default MANIFEST_DEFAULT_CAPACITY; 0 = ranges only). */
  capacity?: number
  rangeItems?: number
}

const utf8 = new TextEncoder()

/** Symbols for a capacity: the engine's first-batch rule, no more than the set could need. */
export function symbolsFor (capacity: number, size: number): number {
  if (capacity === 0) return 0
  const want = Math.ceil(SYMBOLS_PER_DIFFERENCE * capacity + SYMBOLS_EXTRA)
  // A difference beyond size + capacity… is the ranges' job; a tiny set needs few symbols.
  return Math.min(want, Math.ceil(SYMBOLS_PER_DIFFERENCE * Math.max(size, 1) + SYMBOLS_EXTRA), MANIFEST_MAX_SYMBOLS)
}

/** Fingerprint of the ids of one range, in (timestamp, id) order. */
export function fingerprint (items: SyncItem[], from: number, to: number): Uint8Array {
  const concat = new Uint8Array(RANGE_DOMAIN.length + 32 * (to - from))
  concat.set(RANGE_DOMAIN)
  for (let i = from; i < to; i++) concat.set(items[i].id, RANGE_DOMAIN.length + 32 * (i - from))
  return sha256(concat).slice(0, FINGERPRINT_BYTES)
}

/** Cuts sorted items into runs of `rangeItems`, never splitting equal timestamps. */
export function rangesOf (items: SyncItem[], rangeItems = MANIFEST_RANGE_ITEMS): ManifestRange[] {
  const out: ManifestRange[] = []
  for (let i = 0; i < items.length;) {
    let j = Math.min(i + rangeItems, items.length)
    while (j < items.length && items[j].timestamp === items[j - 1].timestamp) j++
    out.push({ upper: items[j - 1].timestamp, count: j - i, fingerprint: fingerprint(items, i, j) })
    i = j
  }
  return out
}

/** Items in (timestamp, bytewise id) order, as the store hands them out; sorted here if not. */
export function sortedItems (items: SyncItem[]): SyncItem[] {
  const cmp = (a: SyncItem, b: SyncItem): number => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id)
  for (let i = 1; i < items.length; i++) if (cmp(items[i - 1], items[i]) > 0) return items.slice().sort(cmp)
  return items
}

export function buildManifest (itemsIn: SyncItem[], options: ManifestOptions): Uint8Array {
  const capacity = options.capacity ?? MANIFEST_DEFAULT_CAPACITY
  if (!Number.isSafeInteger(capacity) || capacity < 0) throw new C5Error('CLI_BAD_ARGUMENT', 'capacity must be a non-negative integer')
  const items = sortedItems(itemsIn)
  if (items.length > MANIFEST_MAX_ITEMS) throw new C5Error('BUNDLE_CORRUPT', `a manifest describes at most ${MANIFEST_MAX_ITEMS} ids`)
  const table = buildItemTable(items.map(i => i.id))
  const m = symbolsFor(capacity, items.length)
  const encoder = new SymbolEncoder(table)
  encoder.extend(m)
  const symbols = new Uint8Array(m * SYMBOL_BYTES)
  encoder.symbols.encode(0, m, symbols, 0)
  const org = utf8.encode(options.org)
  if (org.length > ORG_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `org longer than ${ORG_MAX_BYTES} bytes`)
  const ranges = rangesOf(items, options.rangeItems)
  const parts: Uint8Array[] = [
    MANIFEST_MAGIC, Uint8Array.of(MANIFEST_VERSION), options.signer.publicKey, varint(options.created), Uint8Array.of(org.length), org,
    varint(items.length), table.digest(), varint(capacity), varint(m), symbols, varint(ranges.length)
  ]
  let prev = 0
  ranges.forEach((r, i) => {
    parts.push(varint(i === 0 ? r.upper : r.upper - prev), varint(r.count), r.fingerprint)
    prev = r.upper
  })
  const body = Buffer.concat(parts)
  const signature = signBytes(options.signer.privateKey, Buffer.concat([MANIFEST_DOMAIN, body]))
  return new Uint8Array(Buffer.concat([body, signature]))
}

/** Decodes a manifest file; BUNDLE_EMPTY, BUNDLE_FOREIGN, BUNDLE_BAD_VERSION, BUNDLE_TRUNCATED or BUNDLE_CORRUPT. */
export function decodeManifest (bytes: Uint8Array, name = 'the manifest'): Manifest {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new C5Error('BUNDLE_EMPTY', `${name} is empty (0 bytes): not a manifest`)
  if (bytes.length > MANIFEST_MAX_BYTES) throw new C5Error('BUNDLE_CORRUPT', `${name} is larger than any manifest (${MANIFEST_MAX_BYTES} bytes)`)
  const head = bytes.subarray(0, 4)
  if (head.length < 4 ? !head.every((b, i) => b === MANIFEST_MAGIC[i]) : !MANIFEST_MAGIC.every((b, i) => b === head[i])) {
    const bundle = head.length === 4 && BUNDLE_MAGIC.every((b, i) => b === head[i])
    throw new C5Error('BUNDLE_FOREIGN', bundle
      ? `${name} is a c5mesh bundle, not a manifest (import it with "c5mesh bundle import")`
      : `${name} is not a c5mesh manifest (it starts with ${hex(head)}, not "C5MM")`)
  }
  if (bytes.length < 5) throw new C5Error('BUNDLE_TRUNCATED', `${name} ends inside its header`)
  if (bytes[4] !== MANIFEST_VERSION) throw new C5Error('BUNDLE_BAD_VERSION', `${name} is a c5mesh manifest of version ${bytes[4]}; this build reads version ${MANIFEST_VERSION} (upgrade c5mesh)`)
  const end = bytes.length - SIGNATURE_BYTES
  const c = new Cursor(bytes, name, Math.max(5, end))
  c.pos = 5
  try {
    const owner = c.bytes(KEY_BYTES, 'owner')
    const created = c.varint('created')
    const org = c.text('org')
    const size = c.varint('size')
    if (size > MANIFEST_MAX_ITEMS) c.fail(`more than ${MANIFEST_MAX_ITEMS} ids`)
    const digest = c.bytes(SET_DIGEST_BYTES, 'set digest')
    const capacity = c.varint('capacity')
    const m = c.varint('symbol count')
    if (m > MANIFEST_MAX_SYMBOLS) c.fail(`more than ${MANIFEST_MAX_SYMBOLS} symbols`)
    if (c.pos + m * SYMBOL_BYTES > c.end) c.fail('symbols run past the end')
    const symbols = new SymbolArray(m)
    symbols.append(bytes, c.pos, m)
    c.pos += m * SYMBOL_BYTES
    const r = c.varint('range count')
    // Every range takes at least 10 bytes: checked before anything is allocated.
    if (r > size || c.pos + r * (2 + FINGERPRINT_BYTES) > c.end) c.fail('range count larger than the ranges present or the set')
    const ranges: ManifestRange[] = []
    let upper = 0
    let total = 0
    for (let i = 0; i < r; i++) {
      const step = c.varint('range upper')
      if (i > 0 && step === 0) c.fail('range bounds must increase')
      upper += step
      if (!Number.isSafeInteger(upper)) c.fail('range upper beyond 2^53')
      const count = c.varint('range count')
      if (count === 0) c.fail('an empty range')
      total += count
      ranges.push({ upper, count, fingerprint: c.bytes(FINGERPRINT_BYTES, 'range fingerprint') })
    }
    if (total !== size) c.fail(`ranges hold ${total} ids, the set ${size}`)
    if (c.pos !== end) c.fail(end < c.pos ? 'ends before its signature' : 'bytes left over before the signature')
    const whole = new Uint8Array(bytes)
    return { owner, org, created, size, digest, capacity, symbols, ranges, bytes: whole, signature: whole.slice(end), id: hex(sha256(whole).subarray(0, BUNDLE_ID_BYTES)) }
  } catch (err) {
    // A manifest cut short reads as fields running past the end.
    if (err instanceof C5Error && err.code === 'BUNDLE_CORRUPT' && bytes.length < 5 + KEY_BYTES + 2 + SIGNATURE_BYTES) {
      throw new C5Error('BUNDLE_TRUNCATED', `${name} ends early (${bytes.length} bytes)`, { cause: err })
    }
    throw err
  }
}

export function verifyManifest (m: Manifest): boolean {
  const body = m.bytes.subarray(0, m.bytes.length - SIGNATURE_BYTES)
  return verifySignature(m.owner, Buffer.concat([MANIFEST_DOMAIN, body]), m.signature)
}
