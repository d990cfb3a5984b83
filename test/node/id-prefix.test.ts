/** Short ids: every id starts "bafkrei"; the 8 characters after it name a message. */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { idFromDigest } from '../../src/envelope/index.js'
import { findByIdPrefix, resolveIdPrefix, shortId, shortIds } from '../../src/node/id-prefix.js'
import { isC5Error } from '../../src/errors.js'

const digests = Array.from({ length: 2000 }, () => new Uint8Array(randomBytes(32)))
const ids = digests.map(idFromDigest)

function code (f: () => unknown): string | undefined {
  try { f() } catch (err) { return isC5Error(err) ? err.code : 'not a C5Error' }
  return undefined
}

describe('short ids', () => {
  it('the short form is the 8 characters after the common "bafkrei"', () => {
    expect(ids.every(id => id.startsWith('bafkrei'))).toBe(true)
    expect(shortId(ids[0])).toBe(ids[0].slice(7, 15))
  })

  it('a prefix of the id or of its short form, 8+ characters, finds exactly the ids that start so (against a string scan)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: ids.length - 1 }), fc.integer({ min: 8, max: 20 }), fc.boolean(), (i, n, full) => {
      const prefix = full ? ids[i].slice(0, n) : ids[i].slice(7, 7 + n)
      const expected = ids.filter(id => id.startsWith(full ? prefix : 'bafkrei' + prefix)).sort()
      expect(findByIdPrefix(prefix, digests).map(idFromDigest).sort()).toEqual(expected)
    }), { numRuns: 200 })
  })

  it('resolves a unique prefix to the whole id; ambiguous, unknown and too short ones are refused with their codes', () => {
    const id = ids[7]
    expect(resolveIdPrefix(shortId(id).toUpperCase() + id.slice(15, 18).toUpperCase(), digests)).toBe(id)
    expect(resolveIdPrefix(id.slice(0, 30), digests)).toBe(id)
    expect(code(() => resolveIdPrefix('bafkreia', digests))).toBe('NODE_AMBIGUOUS_ID')
    expect(code(() => resolveIdPrefix(shortId(ids[1]), [digests[0]]))).toBe('NODE_NOT_FOUND')
    expect(code(() => resolveIdPrefix('abc', digests))).toBe('API_BAD_REQUEST')
    expect(code(() => resolveIdPrefix('not-an-id!', digests))).toBe('API_BAD_REQUEST')
  })

  it('short forms of a list grow where two would read the same, and stay prefixes that resolve', () => {
    const twins = [ids[0], ids[0].slice(0, 15) + (ids[0][15] === 'a' ? 'b' : 'a') + ids[0].slice(16)]
    const m = shortIds([...twins, ids[1]])
    expect(m.get(twins[0])!.length).toBeGreaterThan(8)
    expect(m.get(twins[0])).not.toBe(m.get(twins[1]))
    expect(m.get(ids[1])).toBe(shortId(ids[1]))
    const sample = ids.slice(0, 500)
    const forms = shortIds(sample)
    for (const id of sample) expect(resolveIdPrefix(forms.get(id)!, digests.slice(0, 500))).toBe(id)
  })
})
