import { describe, it, expect } from 'vitest'
import {
  addMember, addRevocationToDocument, checkAuthority, createDevRoster, createRosterState, decodeSignedRoster,
  nextVersion, removeMember, verifySignedRoster, DEV_ROSTER_VALIDITY_MS
} from '../../src/roster/index.js'
import { DAY_MS, doc, envelope, expectCode, keys, member, T0 } from './helpers.js'

describe('roster editing helpers', () => {
  it('addMember appends; the same key twice is ROSTER_DUPLICATE_MEMBER; an invalid member is ROSTER_MALFORMED', () => {
    const d = addMember(doc(1, []), member(keys(1)))
    expect(d.members).toHaveLength(1)
    expectCode(() => addMember(d, member(keys(1), { org: 'CNI' })), 'ROSTER_DUPLICATE_MEMBER')
    expectCode(() => addMember(d, member(keys(2), { org: 'nowhere' })), 'ROSTER_MALFORMED')
  })

  it('removeMember removes; an unknown key is ROSTER_UNKNOWN_MEMBER', () => {
    const d = doc(1, [member(keys(1)), member(keys(2))])
    expect(removeMember(d, keys(1).publicKey).members.map(m => m.key)).toEqual([keys(2).publicKey])
    expectCode(() => removeMember(d, keys(3).publicKey), 'ROSTER_UNKNOWN_MEMBER')
  })

  it('addRevocationToDocument adds, moves earlier, never later', () => {
    const k = keys(1).publicKey
    let d = addRevocationToDocument(doc(1, []), { key: k, effective: T0 })
    d = addRevocationToDocument(d, { key: k, effective: T0 + 5 })
    expect(d.revocations).toEqual([{ key: k, effective: T0 }])
    d = addRevocationToDocument(d, { key: k, effective: T0 - 5, reason: 'compromised' })
    expect(d.revocations).toEqual([{ key: k, effective: T0 - 5, reason: 'compromised' }])
    expectCode(() => addRevocationToDocument(d, { key: k, effective: 1.5 }), 'ROSTER_MALFORMED')
  })

  it('nextVersion bumps the version and the issue time, leaving the input untouched', () => {
    const d = doc(4, [member(keys(1))])
    const n = nextVersion(d, T0 + 7)
    expect(n).toMatchObject({ version: 5, issued: T0 + 7 })
    expect(d.version).toBe(4)
  })

  it('createDevRoster: one root, threshold 1, this node and operator for a year', () => {
    const root = keys(100)
    const node = keys(2)
    const op = keys(1)
    const bytes = createDevRoster({ rootKeyPair: root, nodeKey: node.publicKey, operatorKey: op.publicKey, org: 'MX-YUC', now: T0 })
    expect(decodeSignedRoster(bytes).signatures).toHaveLength(1)
    const d = verifySignedRoster(bytes, { keys: [root.publicKey], threshold: 1 })
    expect(d.version).toBe(1)
    const state = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
    state.apply(bytes)
    expect(state.isNodeAllowed(node.publicKey, T0)).toBe(true)
    expect(state.isNodeAllowed(node.publicKey, T0 + DEV_ROSTER_VALIDITY_MS)).toBe(false)
    expect(checkAuthority(state, envelope(op.publicKey, { precedence: 'flash', created: T0 + 300 * DAY_MS }), op.publicKey).member?.role).toBe('operator')
    expect(checkAuthority(state, envelope(node.publicKey, { kind: 'receipt', content: undefined }), node.publicKey).member?.role).toBe('node')
    expectCode(() => checkAuthority(state, envelope(node.publicKey), node.publicKey), 'ROSTER_WRONG_ROLE')
  })
})
