/**
 * Decode/encode limits. All are checked BEFORE any value is allocated: the total size first,
 * then a structural pre-scan of the CBOR headers (prescan.ts), then the schema
 * (docs/protocol/envelope.md §"Limits").
 */
import { C5Error } from '../errors.js'

export interface EnvelopeLimits {
  /** Whole wire envelope, signature included. */
  maxBytes: number
  /** Nesting of CBOR arrays; the envelope grammar itself needs 5 (signed part → polygon). */
  maxDepth: number
  /** Elements of any one CBOR array. */
  maxItems: number
  /** UTF-8 bytes of any one text string. */
  maxStringBytes: number
  /** Entries of `scope`. */
  maxScope: number
  /** Entries of `references`. */
  maxReferences: number
  /** Name/value pairs in `content.parameters`. */
  maxParameters: number
  /** Name/value pairs in `content.area.geocodes`. */
  maxGeocodes: number
  /** Polygons in `content.area.polygons`. */
  maxPolygons: number
  /** Points in one polygon. */
  maxPolygonPoints: number
  /** Circles in `content.area.circles`. */
  maxCircles: number
}

export const DEFAULT_ENVELOPE_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  maxBytes: 64 * 1024,
  maxDepth: 8,
  maxItems: 4096,
  maxStringBytes: 16 * 1024,
  maxScope: 64,
  maxReferences: 64,
  maxParameters: 64,
  maxGeocodes: 64,
  maxPolygons: 16,
  maxPolygonPoints: 1024,
  maxCircles: 16
})

/** Limits objects that resolveLimits returned (frozen): checked once, not on every decode. */
const resolved = new WeakSet<object>([DEFAULT_ENVELOPE_LIMITS])

/** Fills defaults and checks that every limit is a positive integer. */
export function resolveLimits (partial?: Partial<EnvelopeLimits>): EnvelopeLimits {
  if (partial === undefined) return DEFAULT_ENVELOPE_LIMITS
  // Every decode resolves its limits: an object already resolved (and not changed since:
  // resolved objects are frozen) is returned as it is.
  if (resolved.has(partial)) return partial as EnvelopeLimits
  const out = { ...DEFAULT_ENVELOPE_LIMITS, ...partial }
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new C5Error('ENVELOPE_BAD_FIELD', `limit ${k} must be a positive integer`, { details: { field: `limits.${k}` } })
    }
  }
  Object.freeze(out)
  resolved.add(out)
  return out
}
