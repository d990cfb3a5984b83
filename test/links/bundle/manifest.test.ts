/**
 * Manifests and the difference computed from them, against a brute-force set difference:
 * what an exporter sends for a manifest is never less than what its owner lacks, exactly
 * that when the symbols decode, and close to it when the ranges decide.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { isC5Error } from '../../../src/errors.js'
import { generateKeyPair } from '../../../src/identity/index.js'
import { buildManifest, decodeManifest, differenceFor, verifyManifest, MANIFEST_RANGE_ITEMS } from '../../../src/links/bundle/index.js'
import { symbolsFor } from '../../../src/links/bundle/manifest.js'
import { makeSets, minus, hexSet } from '../../../src/sync/reconcile/index.js'
import type { SyncItem } from '../../../src/sync/types.js'
import { T0 } from './helpers.js'

const owner = generateKeyPair()
const manifestOf = (items: SyncItem[], capacity?: number): ReturnType<typeof decodeManifest> =>
  decodeManifest(buildManifest(items, { signer: owner, org: 'MX-YUC', created: T0, ...(capacity === undefined ? {} : { capacity }) }))

describe('manifest', () => {
  it('round-trips, verifies, and its size is the symbols plus ~12 bytes per 128 ids', () => {
    const { a } = makeSets(1, 10_000, 0, 0, 'random')
    const bytes = buildManifest(a, { signer: owner, org: 'MX-YUC', created: T0, capacity: 100 })
    const m = decodeManifest(bytes)
    expect(verifyManifest(m)).toBe(true)
    expect(m).toMatchObject({ org: 'MX-YUC', created: T0, size: 10_000, capacity: 100 })
    expect(m.symbols.length).toBe(symbolsFor(100, 10_000))
    expect(m.ranges.reduce((n, r) => n + r.count, 0)).toBe(10_000)
    expect(m.ranges.length).toBe(Math.ceil(10_000 / MANIFEST_RANGE_ITEMS))
    expect(bytes.length).toBeLessThan(m.symbols.length * 40 + m.ranges.length * 14 + 200)
    const tampered = bytes.slice()
    tampered[100] ^= 1
    expect(verifyManifest(decodeManifest(tampered))).toBe(false)
  })

  it('refuses empty, foreign, bundle, too-new and cut files with a code', () => {
    const bytes = buildManifest(makeSets(2, 50, 0, 0, 'random').a, { signer: owner, org: 'MX-YUC', created: T0 })
    const code = (b: Uint8Array): string | undefined => { try { decodeManifest(b); return undefined } catch (e) { return isC5Error(e) ? e.code : 'THROWN' } }
    expect(code(new Uint8Array())).toBe('BUNDLE_EMPTY')
    expect(code(new TextEncoder().encode('hello world'))).toBe('BUNDLE_FOREIGN')
    expect(code(new TextEncoder().encode('C5MB\u0001xxxx'))).toBe('BUNDLE_FOREIGN')
    const v9 = bytes.slice(); v9[4] = 9
    expect(code(v9)).toBe('BUNDLE_BAD_VERSION')
    for (let cut = 1; cut < bytes.length; cut += 7) expect(['BUNDLE_TRUNCATED', 'BUNDLE_CORRUPT']).toContain(code(bytes.subarray(0, cut)))
  })

  it('fuzz: random and mutated bytes decode or fail with a C5Error, never allocating beyond the input', () => {
    const base = buildManifest(makeSets(3, 300, 0, 0, 'random').a, { signer: owner, org: 'MX-YUC', created: T0, capacity: 20 })
    fc.assert(fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }).map(edits => { const o = base.slice(); for (const [at, v] of edits) o[at] = v; return o })
      ),
      bytes => {
        try {
          const m = decodeManifest(bytes)
          expect(m.symbols.length * 40).toBeLessThanOrEqual(bytes.length)
        } catch (err) {
          expect(isC5Error(err)).toBe(true)
        }
      }
    ), { numRuns: 2000 })
  })
})

describe('difference from a manifest', () => {
  it('identical sets: nothing, without decoding', () => {
    const { a } = makeSets(4, 5000, 0, 0, 'random')
    expect(differenceFor(manifestOf(a), a)).toEqual({ ids: [], method: 'same' })
  })

  it('within capacity the symbols give exactly what the owner lacks (both directions differing)', () => {
    for (const pattern of ['random', 'newest'] as const) {
      for (const [onlyOwner, onlyUs] of [[0, 1], [3, 5], [40, 60], [0, 100]]) {
        const { a: theirs, b: ours } = makeSets(10 + onlyUs, 20_000, onlyOwner, onlyUs, pattern)
        const d = differenceFor(manifestOf(theirs, 100), ours)
        expect(d.method, `${pattern} ${onlyOwner}/${onlyUs}`).toBe('symbols')
        expect(hexSet(d.ids)).toEqual(minus(ours, theirs))
        expect(d.theyHaveMore).toBe(onlyOwner)
      }
    }
  })

  it('beyond capacity the ranges give a superset: the newest differences cost about a range more', () => {
    const { a: theirs, b: ours } = makeSets(20, 20_000, 50, 2000, 'newest')
    const d = differenceFor(manifestOf(theirs, 100), ours)
    expect(d.method).toBe('ranges')
    const want = minus(ours, theirs)
    const got = new Set(hexSet(d.ids))
    expect(want.every(h => got.has(h))).toBe(true)
    expect(d.ids.length).toBeLessThanOrEqual(want.length + 2 * MANIFEST_RANGE_ITEMS)
  })

  it('property: never less than what the owner lacks, for any sets, capacities and patterns', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 300 }),
      fc.constantFrom('random', 'newest'), fc.constantFrom(0, 10, 100),
      (seed, common, onlyOwner, onlyUs, pattern, capacity) => {
        const { a: theirs, b: ours } = makeSets(seed, common, onlyOwner, onlyUs, pattern as 'random' | 'newest')
        const d = differenceFor(manifestOf(theirs, capacity), ours)
        const want = minus(ours, theirs)
        const got = new Set(hexSet(d.ids))
        expect(want.every(h => got.has(h))).toBe(true)
        if (d.method !== 'ranges') expect([...got].sort()).toEqual(want)
        // Everything sent is ours.
        const mine = new Set(hexSet(ours.map(i => i.id)))
        expect([...got].every(h => mine.has(h))).toBe(true)
      }
    ), { numRuns: 150 })
  })

  it('equal timestamps are never split across ranges', () => {
    const { a } = makeSets(5, 1000, 0, 0, 'random')
    const same = a.map((it, i) => ({ timestamp: T0 + Math.floor(i / 300), id: it.id })) // runs of 300 equal times
    const m = manifestOf(same, 0)
    expect(m.ranges.map(r => r.count)).toEqual([300, 300, 300, 100])
    const { b } = makeSets(5, 1000, 0, 0, 'random')
    expect(differenceFor(m, same.slice(0, 999)).method).toBe('ranges')
    expect(differenceFor(m, same.concat([{ timestamp: T0 + 10, id: b[0].id.map(x => x ^ 1) }])).ids).toHaveLength(1)
  })
})
