import * as dagCbor from '@ipld/dag-cbor'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope, encodeSignedPart, MAX_TTL_S, sampleAlert, type UnsignedEnvelope } from '../../src/envelope/index.js'
import type { ErrorCode } from '../../src/errors.js'
import { expectCode } from './helpers.js'
import { alertArray, AUTHOR8, CREATED, REF, wire, withSig, withSlot } from './wire.js'

const base = sampleAlert()
const enc = (over: Record<string, unknown>): (() => unknown) => () => encodeSignedPart({ ...base, ...over } as UnsignedEnvelope)

describe('schema on decode: each bad field has its code and names the field', () => {
  const cases: Array<[string, unknown[], ErrorCode, string]> = [
    ['version 2', withSlot(0, 2), 'ENVELOPE_BAD_VERSION', 'version'],
    ['version text', withSlot(0, '1'), 'ENVELOPE_BAD_VERSION', 'version'],
    ['7 elements', alertArray().slice(0, 7), 'ENVELOPE_MALFORMED', 'signedPart'],
    ['11 elements', [...alertArray(), [], [REF], null], 'ENVELOPE_MALFORMED', 'signedPart'],
    ['kind out of range', withSlot(1, 7), 'ENVELOPE_BAD_FIELD', 'kind'],
    ['author 7 bytes', withSlot(2, new Uint8Array(7)), 'ENVELOPE_BAD_FIELD', 'author'],
    ['author text', withSlot(2, 'me'), 'ENVELOPE_BAD_FIELD', 'author'],
    ['created 0', withSlot(3, 0), 'ENVELOPE_BAD_FIELD', 'created'],
    ['created 2^53', withSlot(3, 2n ** 53n), 'ENVELOPE_BAD_FIELD', 'created'],
    ['created negative', withSlot(3, -5), 'ENVELOPE_BAD_FIELD', 'created'],
    ['ttl 0', withSlot(4, 0), 'ENVELOPE_BAD_FIELD', 'ttl'],
    ['ttl > 400 days', withSlot(4, MAX_TTL_S + 1), 'ENVELOPE_BAD_FIELD', 'ttl'],
    ['created + ttl > 2^53', withSlot(3, Number.MAX_SAFE_INTEGER - 1000), 'ENVELOPE_BAD_FIELD', 'ttl'],
    ['org lower case', withSlot(5, 'mx-yuc'), 'ENVELOPE_BAD_FIELD', 'org'],
    ['org too long', withSlot(5, 'A'.repeat(17)), 'ENVELOPE_BAD_FIELD', 'org'],
    ['precedence 4', withSlot(6, 4), 'ENVELOPE_BAD_FIELD', 'precedence'],
    ['alert without content', withSlot(7, []), 'ENVELOPE_BAD_FIELD', 'content'],
    ['msgType 3', withSlot(7, [3]), 'ENVELOPE_BAD_FIELD', 'content.msgType'],
    ['category 12', withSlot(7, [0, 12]), 'ENVELOPE_BAD_FIELD', 'content.category'],
    ['headline bytes', withSlot(7, [0, null, null, null, null, null, new Uint8Array(2)]), 'ENVELOPE_BAD_FIELD', 'content.headline'],
    ['Update without references', withSlot(7, [1]), 'ENVELOPE_BAD_FIELD', 'references'],
    ['polygon of 3 points', withSlot(7, [0, null, null, null, null, null, null, null, null, ['a', [[1, 1, 2, 2, 1, 1]]]]), 'ENVELOPE_BAD_FIELD', 'content.area.polygons[0]'],
    ['open polygon', withSlot(7, [0, null, null, null, null, null, null, null, null, ['a', [[1, 1, 2, 2, 3, 3, 4, 4]]]]), 'ENVELOPE_BAD_FIELD', 'content.area.polygons[0]'],
    ['latitude 91°', withSlot(7, [0, null, null, null, null, null, null, null, null, ['a', null, [91_000_000, 0, 10]]]), 'ENVELOPE_BAD_FIELD', 'content.area.circles'],
    ['radius 0 m', withSlot(7, [0, null, null, null, null, null, null, null, null, ['a', null, [1, 1, 0]]]), 'ENVELOPE_BAD_FIELD', 'content.area.circles[0].radiusKm'],
    ['odd parameters', withSlot(7, [0, null, null, null, null, null, null, null, null, null, ['plate']]), 'ENVELOPE_BAD_FIELD', 'content.parameters'],
    ['scope entry invalid', [...alertArray(), ['mx']], 'ENVELOPE_BAD_FIELD', 'scope[0]'],
    ['scope duplicate', [...alertArray(), ['MX-YUC', 'MX-YUC']], 'ENVELOPE_BAD_FIELD', 'scope[1]'],
    ['reference 31 bytes', [...alertArray(), [], [new Uint8Array(31)]], 'ENVELOPE_BAD_FIELD', 'references[0]'],
    ['reference duplicate', [...alertArray(), [], [REF, REF]], 'ENVELOPE_BAD_FIELD', 'references[1]'],
    ['ack without references', [1, 2, AUTHOR8, CREATED, 60, 'MX-YUC', 3, []], 'ENVELOPE_BAD_FIELD', 'references'],
    ['ack body not an array', [1, 2, AUTHOR8, CREATED, 60, 'MX-YUC', 3, 'ok', [], [REF]], 'ENVELOPE_BAD_FIELD', 'note'],
    ['receipt with a body', [1, 3, AUTHOR8, CREATED, 60, 'MX-YUC', 3, ['x'], [], [REF]], 'ENVELOPE_BAD_FIELD', 'body'],
    ['empty roster', [1, 4, AUTHOR8, CREATED, 60, 'CNI', 1, new Uint8Array(0)], 'ENVELOPE_BAD_FIELD', 'roster'],
    ['revocation key 8 bytes', [1, 5, AUTHOR8, CREATED, 60, 'CNI', 1, [AUTHOR8, CREATED]], 'ENVELOPE_BAD_FIELD', 'revocation.key'],
    ['revocation without effective', [1, 5, AUTHOR8, CREATED, 60, 'CNI', 1, [REF]], 'ENVELOPE_BAD_FIELD', 'revocation']
  ]
  for (const [name, arr, code, field] of cases) {
    it(name, () => {
      expect(expectCode(() => decodeEnvelope(wire(arr)), code).details?.field).toBe(field)
    })
  }

  it('text that is not UTF-8: BAD_FIELD', () => {
    const sp = dagCbor.encode(withSlot(5, 'MX-YUC'))
    const at = Buffer.from(sp).indexOf('MX-YUC')
    sp[at + 1] = 0xff
    expectCode(() => decodeEnvelope(withSig(sp)), 'ENVELOPE_BAD_FIELD')
  })
})

describe('only the canonical encoding is accepted', () => {
  const ok = dagCbor.encode(alertArray())
  it('the base is canonical', () => { expect(decodeEnvelope(withSig(ok)).kind).toBe('alert') })

  const cases: Array<[string, Uint8Array | unknown[], ErrorCode]> = [
    ['trailing null in content', withSlot(7, [0, 3, 'Robo', 0, 1, 0, 'Titular', null]), 'ENVELOPE_NOT_CANONICAL'],
    ['empty trailing scope', [...alertArray(), []], 'ENVELOPE_NOT_CANONICAL'],
    ['empty parameters list', withSlot(7, [0, null, null, null, null, null, null, null, null, null, []]), 'ENVELOPE_NOT_CANONICAL'],
    ['empty area polygons list', withSlot(7, [0, null, null, null, null, null, null, null, null, ['a', []]]), 'ENVELOPE_NOT_CANONICAL'],
    ['non-minimal uint (version as 0x18 0x01)', Uint8Array.from([ok[0], 0x18, 0x01, ...ok.subarray(2)]), 'ENVELOPE_NOT_CANONICAL'],
    ['non-minimal 8-byte uint', Uint8Array.from([ok[0], 0x1b, 0, 0, 0, 0, 0, 0, 0, 1, ...ok.subarray(2)]), 'ENVELOPE_NOT_CANONICAL'],
    ['trailing byte after the item', Uint8Array.from([...ok, 0x00]), 'ENVELOPE_MALFORMED'],
    ['indefinite-length array', Uint8Array.from([0x9f, ...ok.subarray(1), 0xff]), 'ENVELOPE_MALFORMED'],
    ['a map', dagCbor.encode({ v: 1 }), 'ENVELOPE_MALFORMED'],
    ['a float', Uint8Array.from([ok[0], 0xf9, 0x3c, 0x00, ...ok.subarray(2)]), 'ENVELOPE_MALFORMED'],
    ['true', Uint8Array.from([ok[0], 0xf5, ...ok.subarray(2)]), 'ENVELOPE_MALFORMED'],
    ['a tag', Uint8Array.from([ok[0], 0xc1, ...ok.subarray(1)]), 'ENVELOPE_MALFORMED'],
    ['reserved header 0x1c', Uint8Array.from([ok[0], 0x1c, ...ok.subarray(2)]), 'ENVELOPE_MALFORMED']
  ]
  for (const [name, sp, code] of cases) {
    it(name, () => {
      const bytes = sp instanceof Uint8Array ? withSig(sp) : wire(sp)
      expectCode(() => decodeEnvelope(bytes), code)
    })
  }
})

describe('schema on encode (signEnvelope validates first)', () => {
  it('refuses what the decoder would refuse, with the same codes', () => {
    expectCode(enc({ version: 2 }), 'ENVELOPE_BAD_VERSION')
    expectCode(enc({ kind: 'chat' }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ author: new Uint8Array(16) }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ created: 1.5 }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ expires: base.created }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ expires: base.created + 1500 }), 'ENVELOPE_BAD_FIELD') // not whole seconds
    expectCode(enc({ expires: base.created + (MAX_TTL_S + 1) * 1000 }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ org: 'Yucatan' }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ precedence: 'urgent' }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ note: 'x' }), 'ENVELOPE_BAD_FIELD') // a note in an alert
    expectCode(enc({ content: undefined }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ content: { msgType: 'Alert', urgency: 'Now' } }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ content: { msgType: 'Alert', headline: '\ud800' } }), 'ENVELOPE_BAD_FIELD') // lone surrogate
    expectCode(enc({ content: { msgType: 'Alert', area: { description: 'a', circles: [{ lat: 0, lon: 181, radiusKm: 1 }] } } }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ content: { msgType: 'Alert', area: { description: 'a', circles: [{ lat: 0, lon: 0, radiusKm: Number.NaN }] } } }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ scope: 'national' }), 'ENVELOPE_BAD_FIELD')
    expectCode(enc({ references: [new Uint8Array(32), new Uint8Array(32)] }), 'ENVELOPE_BAD_FIELD')
    expectCode(() => encodeSignedPart(null as unknown as UnsignedEnvelope), 'ENVELOPE_BAD_FIELD')
  })

  it('rounds coordinates to micro-degrees and radii to metres', () => {
    const sp = encodeSignedPart({ ...base, content: { msgType: 'Alert', area: { description: 'a', circles: [{ lat: 20.12345678, lon: -89.1234564, radiusKm: 1.0004 }] } } })
    const env = decodeEnvelope(withSig(sp))
    expect(env.content?.area?.circles).toEqual([{ lat: 20.123457, lon: -89.123456, radiusKm: 1 }])
  })
})
