/**
 * Short message ids for people. Every id is a base32 CIDv1 that starts with the same seven
 * characters, "bafkrei" (version, raw codec, sha2-256, 32 bytes): what tells ids apart comes
 * after. The short form operators read and type is the 8 characters after "bafkrei"
 * (38 bits of the digest); a command that takes an id accepts any unambiguous prefix of at
 * least MIN_ID_PREFIX characters, of the full id or of its short form.
 *
 * Pure: the caller hands the digests to search (the store's unexpired set).
 */
import { C5Error } from '../errors.js'
import { idFromDigest } from '../envelope/id.js'
import { ID_COMMON_PREFIX } from '../util/short-id.js'

export { shortId, shortIds, ID_COMMON_PREFIX, SHORT_ID_CHARS } from '../util/short-id.js'

export const MIN_ID_PREFIX = 8
/** The CID header before the digest: 4 bytes = 32 bits of the base32 text after 'b'. */
const HEADER_BITS = 32
const HEADER = [0x01, 0x55, 0x12, 0x20]
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'
/** Ids listed when a prefix is ambiguous. */
const MAX_CANDIDATES_SHOWN = 5

/** Whether `text` looks like an id prefix this module can resolve (not a whole id). */
export function isIdPrefix (text: string): boolean {
  return text.length >= MIN_ID_PREFIX && /^[a-z2-7]+$/i.test(text)
}

/** The digest bits a prefix fixes: bits[i] for the first `bits.length` bits, or undefined if it can match no id. */
function digestBits (prefix: string): number[] | undefined {
  const full = (prefix.toLowerCase().startsWith(ID_COMMON_PREFIX) ? prefix.toLowerCase() : ID_COMMON_PREFIX + prefix.toLowerCase()).slice(1)
  const bits: number[] = []
  for (const ch of full) {
    const v = BASE32.indexOf(ch)
    if (v < 0) return undefined
    for (let b = 4; b >= 0; b--) bits.push((v >> b) & 1)
  }
  for (let i = 0; i < Math.min(HEADER_BITS, bits.length); i++) {
    if (bits[i] !== ((HEADER[i >> 3] >> (7 - (i & 7))) & 1)) return undefined
  }
  return bits.slice(HEADER_BITS)
}

function matches (digest: Uint8Array, bits: number[]): boolean {
  for (let i = 0; i < bits.length && i < digest.length * 8; i++) {
    if (((digest[i >> 3] >> (7 - (i & 7))) & 1) !== bits[i]) return false
  }
  return bits.length <= digest.length * 8
}

/** Every digest among `digests` whose id starts with `prefix` (or whose short form does). */
export function findByIdPrefix (prefix: string, digests: Iterable<Uint8Array>): Uint8Array[] {
  const bits = digestBits(prefix)
  if (bits === undefined) return []
  const out: Uint8Array[] = []
  for (const d of digests) if (matches(d, bits)) out.push(d)
  return out
}

/**
 * The one id `prefix` names: NODE_NOT_FOUND when none, NODE_AMBIGUOUS_ID listing some when
 * several, API_BAD_REQUEST (field `id`; the CLI reports it as CLI_BAD_ARGUMENT) when it is
 * too short or not base32.
 */
export function resolveIdPrefix (prefix: string, digests: Iterable<Uint8Array>): string {
  if (!isIdPrefix(prefix)) {
    throw new C5Error('API_BAD_REQUEST', `not a message id: ${prefix} (an id, or at least ${MIN_ID_PREFIX} of its characters, e.g. the short form the inbox shows)`, { details: { field: 'id' } })
  }
  const found = findByIdPrefix(prefix, digests)
  if (found.length === 0) throw new C5Error('NODE_NOT_FOUND', `no message ${prefix} on this node`)
  if (found.length > 1) {
    const ids = found.map(idFromDigest)
    const shown = ids.slice(0, MAX_CANDIDATES_SHOWN).join(', ')
    throw new C5Error('NODE_AMBIGUOUS_ID', `${prefix} names ${found.length} messages (${shown}${found.length > MAX_CANDIDATES_SHOWN ? ', …' : ''}): give more characters`, { details: { candidates: ids.slice(0, MAX_CANDIDATES_SHOWN) } })
  }
  return idFromDigest(found[0])
}
