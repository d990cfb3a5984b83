import { describe, it, expect } from 'vitest'
import { keyId } from '../../src/identity/index.js'
import {
  checkAuthority, createRosterState, decodeRosterSnapshot, encodeRosterSnapshot, type RosterChange, type RosterMember
} from '../../src/roster/index.js'
import { DAY_MS, doc, envelope, expectCode, keys, member, signed, T0 } from './helpers.js'

const [r1, r2, r3] = [keys(101), keys(102), keys(103)]
const anchors = { keys: [r1.publicKey, r2.publicKey, r3.publicKey], threshold: 2 }
const op = keys(1)
const node = keys(2)
const auth = keys(3)
const plainAuth = keys(4)
const nodeB = keys(6)

const base: RosterMember[] = [
  member(op),
  member(node, { role: 'node', validFrom: T0, validUntil: T0 + 10 * DAY_MS }),
  member(auth, { role: 'authority', org: 'CNI', mayIssue: { kinds: ['revocation'], maxPrecedence: 'flash', scope: 'national' } }),
  member(plainAuth, { role: 'authority', org: 'FGR', mayIssue: { kinds: ['alert'], maxPrecedence: 'flash', scope: 'national' } })
]

const make = (opts: { now?: () => number } = {}) => createRosterState({ anchors, ...opts })

describe('roster state: versions', () => {
  it('starts empty at version 0', () => {
    const s = make()
    expect(s.version).toBe(0)
    expect(s.document).toBeUndefined()
    expect(s.signedBytes).toBeUndefined()
    expect(s.nodes(T0)).toEqual([])
  })

  it('a higher valid version replaces the current one; older or equal is ROSTER_OLD_VERSION', () => {
    const s = make()
    const v2 = signed(doc(2, base), r1, r2)
    expect(s.apply(v2).version).toBe(2)
    expect(s.signedBytes).toEqual(v2)
    expectCode(() => s.apply(signed(doc(2, base.slice(0, 1)), r1, r3)), 'ROSTER_OLD_VERSION')
    expectCode(() => s.apply(signed(doc(1, base), r1, r3)), 'ROSTER_OLD_VERSION')
    expect(s.apply(signed(doc(5, base.slice(0, 1)), r2, r3)).version).toBe(5)
    expect(s.version).toBe(5)
    expect(s.member(node.publicKey)).toBeUndefined()
  })

  it('an under-signed or malformed roster changes nothing', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    const before = s.signedBytes
    expectCode(() => s.apply(signed(doc(9, []), r1)), 'ROSTER_UNDER_THRESHOLD')
    expectCode(() => s.apply(new Uint8Array([0xa0])), 'ROSTER_MALFORMED')
    expect(s.version).toBe(1)
    expect(s.signedBytes).toBe(before)
  })

  it('prepareApply commits only if still newer (two rosters racing through an async store write)', () => {
    const s = make()
    const p3 = s.prepareApply(signed(doc(3, base), r1, r2))
    const p4 = s.prepareApply(signed(doc(4, base), r1, r2))
    expect(s.version).toBe(0)
    expect(p4.commit()).toBe(true)
    expect(p3.commit()).toBe(false)
    expect(s.version).toBe(4)
  })

  it('checking a roster envelope and applying its body verify it once, and a failed check is not remembered', () => {
    const s = make()
    const body = signed(doc(1, base), r1, r2)
    const g = checkAuthority(s, { ...envelope(op.publicKey), kind: 'roster', content: undefined, roster: body }, op.publicKey)
    expect(g.via).toBe('roster-signatures')
    expect(s.apply(Uint8Array.from(body))).toBe(g.roster) // the memoised document
    expectCode(() => s.apply(signed(doc(2, base), r1)), 'ROSTER_UNDER_THRESHOLD')
    expectCode(() => s.apply(signed(doc(2, base), r1)), 'ROSTER_UNDER_THRESHOLD')
  })

  it('indexes members by key and by 8-byte key id', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    expect(s.member(op.publicKey)?.role).toBe('operator')
    expect(s.memberByKeyId(keyId(auth.publicKey))?.org).toBe('CNI')
    expect(s.memberByKeyId(keyId(keys(77).publicKey))).toBeUndefined()
    expect(s.member(new Uint8Array(5))).toBeUndefined()
    expect(s.resolveKey(keyId(op.publicKey))).toEqual(op.publicKey)
    expect(s.resolveKey(keyId(r3.publicKey))).toEqual(r3.publicKey) // anchors too: they author revocations
    expect(s.resolveKey(op.publicKey)).toBe(op.publicKey)
    expect(s.resolveKey(keyId(keys(77).publicKey))).toBeUndefined()
    expect(s.resolveKey(new Uint8Array(9))).toBeUndefined()
  })

  it('hands out a frozen document: callers cannot widen a member\'s rights', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    const m = s.member(op.publicKey)!
    expect(() => { (m as { role: string }).role = 'authority' }).toThrow(TypeError)
    expect(() => { (m.mayIssue.kinds as string[]).push('revocation') }).toThrow(TypeError)
    expect(s.member(op.publicKey)?.role).toBe('operator')
  })
})

describe('roster state: revocations', () => {
  it('a revocation listed in a roster survives a newer roster that forgets it', () => {
    const s = make()
    s.apply(signed(doc(1, base, { revocations: [{ key: op.publicKey, effective: T0 + 100 }] }), r1, r2))
    s.apply(signed(doc(2, base), r1, r2))
    expect(s.isRevoked(op.publicKey, T0 + 99)).toBe(false)
    expect(s.isRevoked(op.publicKey, T0 + 100)).toBe(true)
    expect(s.revocations()).toHaveLength(1)
  })

  it('a revocation envelope survives a newer roster; the earliest effective time wins and a later one never loosens', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    expect(s.addRevocation({ key: node.publicKey, effective: T0 + 500 }, auth.publicKey, T0)).toBe(true)
    expect(s.addRevocation({ key: node.publicKey, effective: T0 + 900 }, auth.publicKey, T0)).toBe(false)
    expect(s.addRevocation({ key: node.publicKey, effective: T0 + 200 }, r3.publicKey, T0)).toBe(true)
    s.apply(signed(doc(2, base), r1, r2))
    expect(s.revokedAt(node.publicKey)).toBe(T0 + 200)
    expect(s.isNodeAllowed(node.publicKey, T0 + 199)).toBe(true)
    expect(s.isNodeAllowed(node.publicKey, T0 + 200)).toBe(false)
  })

  it('refuses revocations from anyone but an anchor or an authority allowed to revoke', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    const rev = { key: node.publicKey, effective: T0 }
    expectCode(() => s.addRevocation(rev, op.publicKey, T0), 'ROSTER_WRONG_ROLE')
    expectCode(() => s.addRevocation(rev, node.publicKey, T0), 'ROSTER_WRONG_ROLE')
    expectCode(() => s.addRevocation(rev, keys(55).publicKey, T0), 'ROSTER_UNKNOWN_AUTHOR')
    expectCode(() => s.addRevocation(rev, plainAuth.publicKey, T0), 'ROSTER_KIND_NOT_ALLOWED')
    expectCode(() => s.addRevocation({ key: new Uint8Array(3), effective: T0 }, auth.publicKey, T0), 'ROSTER_MALFORMED')
    expectCode(() => s.addRevocation({ key: node.publicKey, effective: -1 }, auth.publicKey, T0), 'ROSTER_MALFORMED')
    expect(s.revocations()).toEqual([])
  })

  it('a member authority cannot revoke an anchor key; an anchor can', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    expectCode(() => s.addRevocation({ key: r1.publicKey, effective: T0 }, auth.publicKey, T0), 'ROSTER_SCOPE_NOT_ALLOWED')
    expect(s.addRevocation({ key: r1.publicKey, effective: T0 }, r2.publicKey, T0)).toBe(true)
  })

  it('an authority revoked earlier cannot revoke afterwards, but its earlier revocations stand', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    s.addRevocation({ key: op.publicKey, effective: T0 }, auth.publicKey, T0)
    s.addRevocation({ key: auth.publicKey, effective: T0 + 10 }, r1.publicKey, T0 + 10)
    expectCode(() => s.addRevocation({ key: node.publicKey, effective: T0 }, auth.publicKey, T0 + 10), 'ROSTER_KEY_REVOKED')
    expect(s.isRevoked(op.publicKey, T0)).toBe(true)
  })

  it('anchors may revoke before any roster exists', () => {
    const s = make()
    expect(s.addRevocation({ key: op.publicKey, effective: T0 }, r2.publicKey, T0)).toBe(true)
    expectCode(() => s.addRevocation({ key: node.publicKey, effective: T0 }, auth.publicKey, T0), 'ROSTER_NO_ROSTER')
  })
})

describe('roster state: nodes, gater, persistence', () => {
  it('isNodeAllowed: role node, within validity, not revoked', () => {
    let now = T0
    const s = make({ now: () => now })
    s.apply(signed(doc(1, [...base, member(nodeB, { role: 'node' })]), r1, r2))
    expect(s.isNodeAllowed(node.publicKey)).toBe(true)
    expect(s.isNodeAllowed(op.publicKey)).toBe(false) // an operator is not a node
    expect(s.isNodeAllowed(keys(88).publicKey)).toBe(false)
    expect(s.isNodeAllowed(node.publicKey, T0 - 1)).toBe(false)
    expect(s.nodes().map(m => m.key)).toEqual([node.publicKey, nodeB.publicKey])
    now = T0 + 10 * DAY_MS // node's membership expired
    expect(s.isNodeAllowed(node.publicKey)).toBe(false)
    expect(s.nodes().map(m => m.key)).toEqual([nodeB.publicKey])
  })

  it('reports each committed change to listeners', () => {
    const s = make()
    const seen: RosterChange[] = []
    const off = s.onChange(c => seen.push(c))
    s.apply(signed(doc(1, base), r1, r2))
    s.addRevocation({ key: node.publicKey, effective: T0 }, auth.publicKey, T0)
    s.addRevocation({ key: node.publicKey, effective: T0 }, auth.publicKey, T0) // no change, no event
    off()
    s.apply(signed(doc(2, base), r1, r2))
    expect(seen).toEqual([{ reason: 'roster', version: 1 }, { reason: 'revocation', version: 1 }])
  })

  it('a throwing listener does not make commit fail; the error goes to onListenerError', () => {
    const errors: unknown[] = []
    const s = createRosterState({ anchors, onListenerError: e => errors.push(e) })
    s.onChange(() => { throw new Error('listener bug') })
    expect(s.apply(signed(doc(1, base), r1, r2)).version).toBe(1)
    expect(s.addRevocation({ key: node.publicKey, effective: T0 }, auth.publicKey, T0)).toBe(true)
    expect(errors).toHaveLength(2)
  })

  it('snapshot → bytes → restore gives the same roster and revocations', () => {
    const s = make()
    s.apply(signed(doc(3, base, { revocations: [{ key: keys(70).publicKey, effective: 5, reason: 'lost laptop' }] }), r1, r2))
    s.addRevocation({ key: node.publicKey, effective: T0 + 1 }, auth.publicKey, T0)
    const bytes = encodeRosterSnapshot(s.snapshot())
    const back = createRosterState({ anchors, snapshot: decodeRosterSnapshot(bytes) })
    expect(back.version).toBe(3)
    expect(back.signedBytes).toEqual(s.signedBytes)
    expect(back.revokedAt(node.publicKey)).toBe(T0 + 1)
    expect(back.revocations()).toEqual(expect.arrayContaining(s.revocations()))
    expect(back.revocations()).toHaveLength(2)
    const empty = decodeRosterSnapshot(encodeRosterSnapshot(make().snapshot()))
    expect(createRosterState({ anchors, snapshot: empty }).version).toBe(0)
  })

  it('restore re-verifies the roster against the configured anchors', () => {
    const s = make()
    s.apply(signed(doc(1, base), r1, r2))
    const snap = s.snapshot()
    expectCode(() => createRosterState({ anchors: { keys: [keys(200).publicKey], threshold: 1 }, snapshot: snap }), 'ROSTER_UNDER_THRESHOLD')
    expectCode(() => decodeRosterSnapshot(new Uint8Array([1, 2, 3])), 'ROSTER_MALFORMED')
  })
})
