/**
 * Golden vectors for docs/protocol/roster.md §Examples: any change to the document or
 * signed-roster encoding, the domain tag, or the signature input fails here.
 */
import { describe, it, expect } from 'vitest'
import { fromHex, toHex } from '../../src/identity/index.js'
import { decodeSignedRoster, encodeRosterDocument, encodeSignedRoster, signRoster, verifySignedRoster, type RosterDocument } from '../../src/roster/index.js'
import { keys, T0 } from './helpers.js'

export const ROOT_PUBLIC_HEX = '2bc2800b3316e009209ffd757dab19ccf0ae84bc7ae90654e1e81712d270f653' // seed 32 × 0x64
export const DOCUMENT_HEX =
  'a5617601636973731b000001a3185c5000636d656d81a6636b657958208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394' +
  '636d6179a3636d617865666c617368656b696e64738167726563656970746573636f7065686e6174696f6e616c636f7267664d582d5955436466726f6d' +
  '1b000001a3185c500064726f6c65646e6f646565756e74696c1b000001aa700d7c006372657681a3636566661b000001a3185d3a60636b65795820ed49' +
  '28c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d163776879646c6f73746376657207'
export const SIGNED_HEX =
  'a361760163646f6358e3' + DOCUMENT_HEX +
  '647369677381a2636b657958202bc2800b3316e009209ffd757dab19ccf0ae84bc7ae90654e1e81712d270f653637369675840320c49f2f41b9cc9da56' +
  '83384bd79a9863cb35b41fe06ecdac6b454b2f0910957f53c0128e52ceb77eb8416b939ce3d193f5ccb7c0d8ea05fb74fc063b7dba0b'

const vectorDoc = (): RosterDocument => ({
  version: 7,
  issued: T0,
  members: [{
    key: keys(2).publicKey,
    role: 'node',
    org: 'MX-YUC',
    mayIssue: { kinds: ['receipt'], maxPrecedence: 'flash', scope: 'national' },
    validFrom: T0,
    validUntil: T0 + 31_536_000_000
  }],
  revocations: [{ key: keys(3).publicKey, effective: T0 + 60_000, reason: 'lost' }]
})

describe('roster golden vectors', () => {
  it('encodes the example document to the documented bytes', () => {
    expect(toHex(encodeRosterDocument(vectorDoc()))).toBe(DOCUMENT_HEX)
  })

  it('signs it (seed 0x64…, Ed25519 is deterministic) to the documented signed roster, which verifies', () => {
    const root = keys(100)
    expect(toHex(root.publicKey)).toBe(ROOT_PUBLIC_HEX)
    expect(toHex(encodeSignedRoster(signRoster(fromHex(DOCUMENT_HEX), root)))).toBe(SIGNED_HEX)
    expect(verifySignedRoster(fromHex(SIGNED_HEX), { keys: [fromHex(ROOT_PUBLIC_HEX)], threshold: 1 })).toEqual(vectorDoc())
    expect(decodeSignedRoster(fromHex(SIGNED_HEX)).signatures).toHaveLength(1)
  })
})
