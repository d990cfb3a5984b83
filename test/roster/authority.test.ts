import { describe, it, expect } from 'vitest'
import type { UnsignedEnvelope } from '../../src/envelope/types.js'
import { authorityPath, checkAuthority, createRosterState, type RosterMember } from '../../src/roster/index.js'
import { DAY_MS, doc, envelope, expectCode, keys, member, signed, T0 } from './helpers.js'

const root = keys(100)
const op = keys(1)
const node = keys(2)
const auth = keys(3)
const stateAuth = keys(4)
const stranger = keys(9)
const narrow = keys(5)

const members: RosterMember[] = [
  member(op),
  member(node, { role: 'node', mayIssue: { kinds: [], maxPrecedence: 'flash', scope: 'national' } }),
  member(auth, { role: 'authority', org: 'CNI', mayIssue: { kinds: ['revocation', 'alert'], maxPrecedence: 'flash', scope: 'national' } }),
  member(stateAuth, { role: 'authority', org: 'MX-JAL', mayIssue: { kinds: ['revocation'], maxPrecedence: 'flash', scope: ['MX-COL'] } }),
  member(narrow, { org: 'MX-YUC', mayIssue: { kinds: ['bulletin'], maxPrecedence: 'priority', scope: ['MX-CAM', 'MX-ROO'] }, validFrom: T0, validUntil: T0 + DAY_MS })
]

function fresh () {
  const state = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
  state.apply(signed(doc(1, members), root))
  return state
}

const revEnv = (author: Uint8Array, target: Uint8Array, over: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope =>
  envelope(author, { kind: 'revocation', org: 'CNI', content: undefined, revocation: { key: target, effective: T0 }, ...over })

describe('checkAuthority', () => {
  it('grants an operator an alert within its rights and returns its entry', () => {
    const g = checkAuthority(fresh(), envelope(op.publicKey), op.publicKey)
    expect(g.via).toBe('member')
    expect(g.member?.key).toEqual(op.publicKey)
  })

  it('ROSTER_NO_ROSTER before any roster', () => {
    const state = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
    expectCode(() => checkAuthority(state, envelope(op.publicKey), op.publicKey), 'ROSTER_NO_ROSTER')
  })

  it('ROSTER_UNKNOWN_AUTHOR for a key not on the roster', () => {
    expectCode(() => checkAuthority(fresh(), envelope(stranger.publicKey), stranger.publicKey), 'ROSTER_UNKNOWN_AUTHOR')
  })

  it('ROSTER_WRONG_ROLE: a node signing an alert, an operator signing a revocation, an authority a receipt', () => {
    expectCode(() => checkAuthority(fresh(), envelope(node.publicKey), node.publicKey), 'ROSTER_WRONG_ROLE')
    expectCode(() => checkAuthority(fresh(), revEnv(op.publicKey, node.publicKey, { org: 'MX-YUC' }), op.publicKey), 'ROSTER_WRONG_ROLE')
    expectCode(() => checkAuthority(fresh(), envelope(auth.publicKey, { kind: 'receipt', org: 'CNI', content: undefined }), auth.publicKey), 'ROSTER_WRONG_ROLE')
  })

  it('a node issues receipts without listing them', () => {
    const g = checkAuthority(fresh(), envelope(node.publicKey, { kind: 'receipt', content: undefined, precedence: 'flash' }), node.publicKey)
    expect(g.member?.role).toBe('node')
  })

  it('ROSTER_KIND_NOT_ALLOWED: a kind the role allows but mayIssue does not list', () => {
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { scope: ['MX-CAM'], precedence: 'routine' }), narrow.publicKey), 'ROSTER_KIND_NOT_ALLOWED')
    expectCode(() => checkAuthority(fresh(), envelope(auth.publicKey, { kind: 'bulletin', org: 'CNI' }), auth.publicKey), 'ROSTER_KIND_NOT_ALLOWED')
  })

  it('ROSTER_PRECEDENCE_NOT_ALLOWED above the member maximum; at it is fine', () => {
    const bulletin = { kind: 'bulletin' as const, scope: ['MX-CAM'] }
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { ...bulletin, precedence: 'immediate' }), narrow.publicKey), 'ROSTER_PRECEDENCE_NOT_ALLOWED')
    expect(checkAuthority(fresh(), envelope(narrow.publicKey, { ...bulletin, precedence: 'priority' }), narrow.publicKey).via).toBe('member')
    expect(checkAuthority(fresh(), envelope(narrow.publicKey, { ...bulletin, precedence: 'routine' }), narrow.publicKey).via).toBe('member')
  })

  it('ROSTER_SCOPE_NOT_ALLOWED: national scope or an unlisted org for a listed-scope member; its own org is fine', () => {
    const b = { kind: 'bulletin' as const, precedence: 'routine' as const }
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, scope: [] }), narrow.publicKey), 'ROSTER_SCOPE_NOT_ALLOWED')
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, scope: ['MX-CAM', 'MX-JAL'] }), narrow.publicKey), 'ROSTER_SCOPE_NOT_ALLOWED')
    expect(checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, scope: ['MX-ROO', 'MX-YUC'] }), narrow.publicKey).via).toBe('member')
  })

  it('ROSTER_ORG_MISMATCH when the envelope claims another org', () => {
    expectCode(() => checkAuthority(fresh(), envelope(op.publicKey, { org: 'MX-JAL' }), op.publicKey), 'ROSTER_ORG_MISMATCH')
  })

  it('ROSTER_MEMBER_NOT_YET_VALID / ROSTER_MEMBER_EXPIRED judged at envelope.created, not at arrival', () => {
    const b = { kind: 'bulletin' as const, precedence: 'routine' as const, scope: ['MX-CAM'] }
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, created: T0 - 1 }), narrow.publicKey), 'ROSTER_MEMBER_NOT_YET_VALID')
    expect(checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, created: T0 }), narrow.publicKey).via).toBe('member')
    expect(checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, created: T0 + DAY_MS - 1 }), narrow.publicKey, T0 + 30 * DAY_MS).via).toBe('member')
    expectCode(() => checkAuthority(fresh(), envelope(narrow.publicKey, { ...b, created: T0 + DAY_MS }), narrow.publicKey), 'ROSTER_MEMBER_EXPIRED')
  })

  it('ROSTER_KEY_REVOKED for messages created at or after the effective time; earlier ones stay valid', () => {
    const state = fresh()
    state.addRevocation({ key: op.publicKey, effective: T0 + 1000 }, root.publicKey, T0)
    expect(checkAuthority(state, envelope(op.publicKey, { created: T0 + 999 }), op.publicKey).via).toBe('member')
    expectCode(() => checkAuthority(state, envelope(op.publicKey, { created: T0 + 1000 }), op.publicKey), 'ROSTER_KEY_REVOKED')
    expectCode(() => checkAuthority(state, envelope(op.publicKey, { created: T0 + 5000 }), op.publicKey), 'ROSTER_KEY_REVOKED')
  })

  it('revocation envelopes: an authority allowed to revoke, a root anchor (even with no roster), and scope-limited authorities', () => {
    expect(checkAuthority(fresh(), revEnv(auth.publicKey, op.publicKey), auth.publicKey).via).toBe('member')
    const empty = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
    expect(checkAuthority(empty, revEnv(root.publicKey, op.publicKey, { org: 'MX-CMX' }), root.publicKey).via).toBe('anchor')
    // MX-JAL authority whose scope lists MX-COL may not revoke a MX-YUC operator.
    expectCode(() => checkAuthority(fresh(), revEnv(stateAuth.publicKey, op.publicKey, { org: 'MX-JAL', scope: ['MX-COL'] }), stateAuth.publicKey), 'ROSTER_SCOPE_NOT_ALLOWED')
    expectCode(() => checkAuthority(fresh(), revEnv(auth.publicKey, op.publicKey, { revocation: undefined }), auth.publicKey), 'ROSTER_MALFORMED')
  })

  it('roster envelopes are authorised by the signatures in their body, whoever the author', () => {
    expect(authorityPath('roster')).toBe('roster-signatures')
    expect(authorityPath('alert')).toBe('member')
    const empty = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
    const body = signed(doc(2, members), root)
    const g = checkAuthority(empty, envelope(stranger.publicKey, { kind: 'roster', content: undefined, roster: body }), stranger.publicKey)
    expect(g).toMatchObject({ via: 'roster-signatures', roster: { version: 2 } })
    expectCode(() => checkAuthority(empty, envelope(stranger.publicKey, { kind: 'roster', content: undefined, roster: signed(doc(2, members), stranger) }), stranger.publicKey), 'ROSTER_UNDER_THRESHOLD')
    expectCode(() => checkAuthority(empty, envelope(stranger.publicKey, { kind: 'roster', content: undefined }), stranger.publicKey), 'ROSTER_MALFORMED')
  })
})
