/**
 * The short form of message ids that operators read and type (src/node/id-prefix.ts resolves
 * them): every id starts with "bafkrei", so the short form is the 8 characters after it.
 * No imports: the CLI shows short ids without loading the envelope codec.
 */

export const ID_COMMON_PREFIX = 'bafkrei'
export const SHORT_ID_CHARS = 8

/** The part of an id that tells it apart: the 8 characters after "bafkrei". */
export function shortId (id: string): string {
  return id.startsWith(ID_COMMON_PREFIX) ? id.slice(ID_COMMON_PREFIX.length, ID_COMMON_PREFIX.length + SHORT_ID_CHARS) : id.slice(0, SHORT_ID_CHARS)
}

/**
 * Short forms for a list shown together: SHORT_ID_CHARS each, longer where two of them
 * would otherwise read the same.
 */
export function shortIds (ids: string[]): Map<string, string> {
  const tailOf = (id: string): string => id.startsWith(ID_COMMON_PREFIX) ? id.slice(ID_COMMON_PREFIX.length) : id
  const sorted = [...new Set(ids)].map(id => ({ id, tail: tailOf(id) })).sort((a, b) => a.tail < b.tail ? -1 : a.tail > b.tail ? 1 : 0)
  const common = (a: string, b: string): number => { let i = 0; while (i < a.length && a[i] === b[i]) i++; return i }
  const out = new Map<string, string>()
  sorted.forEach(({ id, tail }, i) => {
    // Neighbours in sorted order share the longest prefixes: one more character than either.
    const n = Math.max(SHORT_ID_CHARS, i > 0 ? common(tail, sorted[i - 1].tail) + 1 : 0, i + 1 < sorted.length ? common(tail, sorted[i + 1].tail) + 1 : 0)
    out.set(id, tail.slice(0, n))
  })
  return out
}

