import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import * as dagCbor from '@ipld/dag-cbor'
import { isC5Error } from '../../src/errors.js'
import { KINDS, PRECEDENCES } from '../../src/envelope/types.js'
import {
  decodeRosterDocument, encodeRosterDocument, rosterDocumentFromJSON, rosterDocumentToJSON, MAX_ROSTER_MEMBERS, MAX_SIGNED_ROSTER_BYTES,
  type RosterDocument, type RosterMember
} from '../../src/roster/index.js'
import { doc, expectCode, keys, member, T0 } from './helpers.js'

const orgArb = fc.constantFrom('MX-YUC', 'MX-CMX', 'MX-JAL', 'CNI', 'FGR', 'GN', 'SEDENA', 'REPUVE')
const memberArb: fc.Arbitrary<RosterMember> = fc.record({
  key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  role: fc.constantFrom('node' as const, 'operator' as const, 'authority' as const),
  org: orgArb,
  name: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  mayIssue: fc.record({
    kinds: fc.uniqueArray(fc.constantFrom(...KINDS.filter(k => k !== 'roster'))),
    maxPrecedence: fc.constantFrom(...PRECEDENCES),
    scope: fc.oneof(fc.constant('national' as const), fc.uniqueArray(orgArb))
  }),
  validFrom: fc.integer({ min: 0, max: 2 ** 41 }),
  validUntil: fc.integer({ min: 2 ** 41 + 1, max: Number.MAX_SAFE_INTEGER })
}, { requiredKeys: ['key', 'role', 'org', 'mayIssue', 'validFrom', 'validUntil'] })

const docArb: fc.Arbitrary<RosterDocument> = fc.record({
  version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  issued: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  members: fc.uniqueArray(memberArb, { maxLength: 8, selector: m => Buffer.from(m.key).toString('hex') }),
  revocations: fc.uniqueArray(fc.record({
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    effective: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    reason: fc.option(fc.string({ maxLength: 40 }), { nil: undefined })
  }, { requiredKeys: ['key', 'effective'] }), { maxLength: 4, selector: r => Buffer.from(r.key).toString('hex') }),
  note: fc.option(fc.string({ maxLength: 100 }), { nil: undefined })
}, { requiredKeys: ['version', 'issued', 'members', 'revocations'] })

describe('roster document codec', () => {
  it('round-trips any valid document, deterministically', () => {
    fc.assert(fc.property(docArb, d => {
      const bytes = encodeRosterDocument(d)
      const back = decodeRosterDocument(bytes)
      expect(back).toEqual(d)
      expect(encodeRosterDocument(back)).toEqual(bytes)
    }), { numRuns: 300 })
  })

  it('round-trips any valid document through its JSON view', () => {
    fc.assert(fc.property(docArb, d => {
      const json = JSON.parse(JSON.stringify(rosterDocumentToJSON(d)))
      expect(rosterDocumentFromJSON(json)).toEqual(d)
    }), { numRuns: 100 })
  })

  it('refuses a bad JSON view with ROSTER_MALFORMED naming the field', () => {
    const json = rosterDocumentToJSON(doc(1, [member(keys(1))]))
    expectCode(() => rosterDocumentFromJSON({ ...json, members: [{ ...json.members[0], key: 'zz' }] }), 'ROSTER_MALFORMED')
    expectCode(() => rosterDocumentFromJSON({ ...json, members: [{ ...json.members[0], role: 'king' }] }), 'ROSTER_MALFORMED')
    expectCode(() => rosterDocumentFromJSON({ ...json, members: [json.members[0], json.members[0]] }), 'ROSTER_DUPLICATE_MEMBER')
    expectCode(() => rosterDocumentFromJSON(null), 'ROSTER_MALFORMED')
  })

  it('refuses text that has no UTF-8 form (a lone surrogate) instead of altering it; keeps any other text exactly', () => {
    expectCode(() => encodeRosterDocument(doc(1, [member(keys(1), { name: 'C5 \uD800' })])), 'ROSTER_MALFORMED')
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), name => {
      const d = doc(1, [member(keys(1), { name })])
      expect(decodeRosterDocument(encodeRosterDocument(d))).toEqual(d)
    }), { numRuns: 200 })
  })

  it('keeps timestamps above 2^32 ms exact', () => {
    const d = doc(2 ** 40, [member(keys(1), { validUntil: 2 ** 52 })], { issued: 2 ** 45 + 1 })
    expect(decodeRosterDocument(encodeRosterDocument(d))).toEqual(d)
  })

  it('random bytes never crash decode, only ROSTER_MALFORMED', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), b => {
      try {
        decodeRosterDocument(b)
      } catch (e) {
        expect(isC5Error(e, 'ROSTER_MALFORMED')).toBe(true)
      }
    }), { numRuns: 2000 })
  })

  it('mutated valid documents are refused with a C5Error or decode to a valid document', () => {
    const bytes = encodeRosterDocument(doc(3, [member(keys(1)), member(keys(2), { role: 'node' })]))
    fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
      const m = Uint8Array.from(bytes)
      m[i] = v
      try {
        const d = decodeRosterDocument(m)
        expect(encodeRosterDocument(d)).toEqual(m)
      } catch (e) {
        expect(isC5Error(e)).toBe(true)
      }
    }), { numRuns: 2000 })
  })

  it('refuses a duplicate member key with ROSTER_DUPLICATE_MEMBER (decode and encode)', () => {
    const d = doc(1, [member(keys(1)), member(keys(1), { org: 'CNI' })])
    expectCode(() => encodeRosterDocument(d), 'ROSTER_DUPLICATE_MEMBER')
    const wire = dagCbor.decode(encodeRosterDocument(doc(1, [member(keys(1)), member(keys(2))]))) as { mem: Array<{ key: Uint8Array }> }
    wire.mem[1].key = wire.mem[0].key
    expectCode(() => decodeRosterDocument(dagCbor.encode(wire)), 'ROSTER_DUPLICATE_MEMBER')
  })

  it.each([
    ['short key', { key: new Uint8Array(31) }, 'document.mem[0].key'],
    ['unknown role', { role: 'admin' as never }, 'document.mem[0].role'],
    ['bad org', { org: 'mx-yuc' }, 'document.mem[0].org'],
    ['validUntil before validFrom', { validFrom: T0, validUntil: T0 }, 'document.mem[0].until'],
    ['roster kind in mayIssue', { mayIssue: { kinds: ['roster' as const], maxPrecedence: 'routine' as const, scope: 'national' as const } }, 'document.mem[0].may.kinds'],
    ['unknown kind', { mayIssue: { kinds: ['spam' as never], maxPrecedence: 'routine' as const, scope: 'national' as const } }, 'document.mem[0].may.kinds[0]'],
    ['repeated kind', { mayIssue: { kinds: ['alert' as const, 'alert' as const], maxPrecedence: 'routine' as const, scope: 'national' as const } }, 'document.mem[0].may.kinds'],
    ['bad scope org', { mayIssue: { kinds: [], maxPrecedence: 'routine' as const, scope: ['yucatan'] } }, 'document.mem[0].may.scope[0]'],
    ['long name', { name: 'x'.repeat(129) }, 'document.mem[0].name']
  ])('refuses %s with ROSTER_MALFORMED naming the field', (_label, over, path) => {
    try {
      encodeRosterDocument(doc(1, [member(keys(1), over as Partial<RosterMember>)]))
      expect.unreachable()
    } catch (e) {
      expect(isC5Error(e, 'ROSTER_MALFORMED')).toBe(true)
      expect((e as { details: { path: string } }).details.path).toBe(path)
    }
  })

  it('refuses version 0, unknown fields, another format version and non-canonical bytes', () => {
    expectCode(() => encodeRosterDocument(doc(0, [])), 'ROSTER_MALFORMED')
    const wire = dagCbor.decode(encodeRosterDocument(doc(1, [member(keys(1))]))) as Record<string, unknown>
    expectCode(() => decodeRosterDocument(dagCbor.encode({ ...wire, extra: 1 })), 'ROSTER_MALFORMED')
    expectCode(() => decodeRosterDocument(dagCbor.encode({ ...wire, v: 2 })), 'ROSTER_MALFORMED')
    // Same map, keys in non-canonical order: built by hand with cborg-compatible bytes.
    const good = encodeRosterDocument(doc(1, []))
    // {"v":1,"ver":1,"iss":T0,"mem":[],"rev":[]} canonical order is v, iss, mem, rev, ver; swap to put ver before iss.
    const reordered = Buffer.concat([
      Buffer.from([0xa5]), Buffer.from(dagCbor.encode('v')), Buffer.from([0x01]),
      Buffer.from(dagCbor.encode('ver')), Buffer.from([0x01]),
      Buffer.from(dagCbor.encode('iss')), Buffer.from(dagCbor.encode(T0)),
      Buffer.from(dagCbor.encode('mem')), Buffer.from([0x80]),
      Buffer.from(dagCbor.encode('rev')), Buffer.from([0x80])
    ])
    expect(reordered.length).toBe(good.length)
    expectCode(() => decodeRosterDocument(new Uint8Array(reordered)), 'ROSTER_MALFORMED')
  })

  it('refuses deep nesting and lying lengths in a pre-scan, before the recursive decoder runs', () => {
    for (const b of [
      new Uint8Array(100_000).fill(0x81), // 100,000 nested one-item arrays
      new Uint8Array([0x9b, 0, 0, 0, 1, 0, 0, 0, 0]), // an array claiming 2^32 items
      new Uint8Array([0x5a, 0x40, 0, 0, 0]), // a 1 GiB byte string header
      new Uint8Array([0x9f, 0xff]), // indefinite length
      new Uint8Array([0xd8, 0x2a, 0x40]) // a tag (CID)
    ]) {
      try {
        decodeRosterDocument(b)
        expect.unreachable()
      } catch (e) {
        expect(isC5Error(e, 'ROSTER_MALFORMED')).toBe(true)
        expect((e as Error).cause).toBeUndefined() // refused by the pre-scan, not by cborg
      }
    }
  })

  it('refuses one-too-many members and oversize input before decoding it', () => {
    const m = dagCbor.decode(encodeRosterDocument(doc(1, [member(keys(1))]))) as { mem: unknown[] }
    const tooMany = { ...m, mem: Array.from({ length: MAX_ROSTER_MEMBERS + 1 }, () => m.mem[0]) }
    expectCode(() => decodeRosterDocument(dagCbor.encode(tooMany)), 'ROSTER_MALFORMED')
    expectCode(() => decodeRosterDocument(new Uint8Array(MAX_SIGNED_ROSTER_BYTES + 1)), 'ROSTER_MALFORMED')
    expectCode(() => decodeRosterDocument('nope' as never), 'ROSTER_MALFORMED')
  })
})
