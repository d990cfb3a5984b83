/**
 * The roster state a node holds: the current signed roster, indexes by key and key id, and
 * the revocation set merged from every source (docs/protocol/roster.md §State). Pure: no
 * I/O; time comes in as arguments (or the injected `now` clock when omitted).
 */
import { C5Error } from '../errors.js'
import { keyId, toHex, KEY_ID_BYTES, PUBLIC_KEY_BYTES } from '../identity/index.js'
import { bytesKey } from '../util/bytes-key.js'
import type { Revocation } from '../envelope/types.js'
import { checkMember, checkRevocationTarget, type RosterView } from './authority.js'
import { checkRevocation } from './edit.js'
import { checkRoom, createRevocationSet } from './revocations.js'
import { checkAnchors, verifySignedRoster } from './signed.js'
import type { RosterDocument, RosterMember, TrustAnchors } from './types.js'
import { withArticle } from '../util/words.js'

/** What the store persists and reloads at start. */
export interface RosterSnapshot {
  /** The current signed roster bytes, absent before the first roster. */
  signedRoster?: Uint8Array
  /** Every revocation held, from all sources. */
  revocations: Revocation[]
}

export interface RosterChange {
  reason: 'roster' | 'revocation' | 'restore'
  version: number
}

/** A checked change that is not yet visible: `commit()` applies it (after the store has written it durably). */
export interface PreparedChange<T> {
  value: T
  /** Applies the change; false when it no longer changes anything (e.g. a newer roster arrived meanwhile). */
  commit: () => boolean
}

export interface RosterState extends RosterView {
  /** The current document, undefined before the first roster. */
  readonly document: RosterDocument | undefined
  /** The current signed roster bytes, to resend to peers. */
  readonly signedBytes: Uint8Array | undefined
  /** Checks signatures (k of n) and that the version is higher than the current one. */
  prepareApply: (signedBytes: Uint8Array) => PreparedChange<RosterDocument>
  /** prepareApply + commit. Throws ROSTER_MALFORMED / ROSTER_UNDER_THRESHOLD / ROSTER_OLD_VERSION. */
  apply: (signedBytes: Uint8Array, now?: number) => RosterDocument
  /** Checks the issuer (an anchor, or an authority allowed to revoke) at time `at` (the revocation envelope's created). */
  prepareRevocation: (rev: Revocation, issuerKey: Uint8Array, at?: number) => PreparedChange<Revocation>
  /** prepareRevocation + commit; true when the revocation set changed. */
  addRevocation: (rev: Revocation, issuerKey: Uint8Array, at?: number) => boolean
  memberByKeyId: (id: Uint8Array) => RosterMember | undefined
  /** An envelope author (32-byte key, or 8-byte key id of a member or an anchor) as a full key; undefined when unknown. */
  resolveKey: (author: Uint8Array) => Uint8Array | undefined
  /** The effective revocation time of a key, if revoked. */
  revokedAt: (key: Uint8Array) => number | undefined
  /** Role node, within validity at `now`, not revoked at `now`: the connection gater's question. */
  isNodeAllowed: (key: Uint8Array, now?: number) => boolean
  /** Members with role node allowed at `now`: the peers to keep connected to. */
  nodes: (now?: number) => RosterMember[]
  members: () => RosterMember[]
  revocations: () => Revocation[]
  snapshot: () => RosterSnapshot
  /** Replaces the state from a snapshot (the roster is re-verified against the anchors). */
  restore: (snapshot: RosterSnapshot) => void
  /** Called after every committed change; returns an unsubscribe function. */
  onChange: (listener: (change: RosterChange) => void) => () => void
}

export interface RosterStateOptions {
  anchors: TrustAnchors
  /** Clock for calls that omit a time. Default Date.now. */
  now?: () => number
  snapshot?: RosterSnapshot
  /**
   * Called when an onChange listener throws. A listener's fault must not make `commit()`
   * throw after the change was written and applied. Default: rethrown on a microtask, so
   * it is not lost.
   */
  onListenerError?: (err: unknown) => void
}

interface Current { document: RosterDocument, signedBytes: Uint8Array, byKey: Map<string, RosterMember>, byKeyId: Map<string, RosterMember> }

/** The held document is shared with callers (member(), document): freeze it so none can alter the trust list. */
function freeze (doc: RosterDocument): RosterDocument {
  for (const m of doc.members) {
    Object.freeze(m.mayIssue.kinds)
    if (m.mayIssue.scope !== 'national') Object.freeze(m.mayIssue.scope)
    Object.freeze(m.mayIssue)
    Object.freeze(m)
  }
  for (const r of doc.revocations) Object.freeze(r)
  Object.freeze(doc.members)
  Object.freeze(doc.revocations)
  return Object.freeze(doc)
}

function index (document: RosterDocument, signedBytes: Uint8Array): Current {
  freeze(document)
  const byKey = new Map<string, RosterMember>()
  const byKeyId = new Map<string, RosterMember>()
  for (const m of document.members) {
    byKey.set(bytesKey(m.key), m)
    byKeyId.set(bytesKey(keyId(m.key)), m)
  }
  return { document, signedBytes, byKey, byKeyId }
}

export function createRosterState (options: RosterStateOptions): RosterState {
  checkAnchors(options.anchors)
  const anchors: TrustAnchors = { keys: options.anchors.keys.map(k => Uint8Array.from(k)), threshold: options.anchors.threshold }
  const anchorSet = new Set(anchors.keys.map(toHex))
  const anchorByKeyId = new Map(anchors.keys.map(k => [bytesKey(keyId(k)), k]))
  const clock = options.now ?? Date.now
  let current: Current | undefined
  let revoked = createRevocationSet()
  const listeners = new Set<(change: RosterChange) => void>()

  const version = (): number => current?.document.version ?? 0
  const member = (key: Uint8Array): RosterMember | undefined => key instanceof Uint8Array ? current?.byKey.get(bytesKey(key)) : undefined
  const isRevoked = (key: Uint8Array, at: number): boolean => revoked.isRevoked(key, at)
  const onListenerError = options.onListenerError ?? ((err: unknown) => { queueMicrotask(() => { throw err }) })
  const emit = (reason: RosterChange['reason']): void => {
    for (const l of listeners) {
      try {
        l({ reason, version: version() })
      } catch (err) {
        onListenerError(err)
      }
    }
  }

  // One-entry memo: ingest checks a roster envelope's authority, then applies the same
  // body; a 10,000-member roster costs ~0.5 s to verify, so do it once.
  let lastVerified: { bytes: Uint8Array, document: RosterDocument } | undefined
  function verifyRoster (signedBytes: Uint8Array): RosterDocument {
    if (lastVerified !== undefined && signedBytes instanceof Uint8Array && Buffer.from(lastVerified.bytes).equals(signedBytes)) return lastVerified.document
    const document = verifySignedRoster(signedBytes, anchors)
    lastVerified = { bytes: Uint8Array.from(signedBytes), document }
    return document
  }

  const view: RosterView = {
    anchors,
    verifyRoster,
    get version () { return version() },
    member,
    isAnchor: key => key instanceof Uint8Array && anchorSet.has(toHex(key)),
    isRevoked
  }

  function prepareApply (signedBytes: Uint8Array): PreparedChange<RosterDocument> {
    const document = verifyRoster(signedBytes)
    if (document.version <= version()) {
      throw new C5Error('ROSTER_OLD_VERSION', `roster version ${document.version} is not newer than ${version()}`, {
        details: { version: document.version, current: version() }
      })
    }
    // Checked now so that commit(), which runs after the store write, cannot fail.
    checkRoom(revoked, document.revocations)
    const bytes = Uint8Array.from(signedBytes)
    return {
      value: document,
      commit: () => {
        if (document.version <= version()) return false
        current = index(document, bytes)
        // A roster's own revocations join the set; revocations it forgets stay (they only tighten).
        for (const r of document.revocations) revoked.add(r)
        emit('roster')
        return true
      }
    }
  }

  function checkIssuer (issuerKey: Uint8Array, rev: Revocation, at: number): void {
    if (view.isAnchor(issuerKey)) {
      if (isRevoked(issuerKey, at)) throw new C5Error('ROSTER_KEY_REVOKED', 'the anchor key was revoked before this revocation', { details: { key: toHex(issuerKey) } })
      return
    }
    const issuer = checkMember(view, issuerKey, at)
    if (issuer.role !== 'authority') throw new C5Error('ROSTER_WRONG_ROLE', `${withArticle(issuer.role)} may not revoke keys`, { details: { role: issuer.role, kind: 'revocation' } })
    if (!issuer.mayIssue.kinds.includes('revocation')) throw new C5Error('ROSTER_KIND_NOT_ALLOWED', 'this authority may not issue revocations', { details: { kind: 'revocation' } })
    checkRevocationTarget(view, issuer, rev)
  }

  function prepareRevocation (rev: Revocation, issuerKey: Uint8Array, at = clock()): PreparedChange<Revocation> {
    checkRevocation(rev)
    checkIssuer(issuerKey, rev, at)
    const copy: Revocation = { key: Uint8Array.from(rev.key), effective: rev.effective, ...(rev.reason === undefined ? {} : { reason: rev.reason }) }
    checkRoom(revoked, [copy])
    return {
      value: copy,
      commit: () => {
        if (!revoked.add(copy)) return false
        emit('revocation')
        return true
      }
    }
  }

  function isNodeAllowed (key: Uint8Array, now = clock()): boolean {
    const m = member(key)
    return m !== undefined && m.role === 'node' && now >= m.validFrom && now < m.validUntil && !isRevoked(key, now)
  }

  function restore (snapshot: RosterSnapshot): void {
    const next = snapshot.signedRoster === undefined ? undefined : index(verifySignedRoster(snapshot.signedRoster, anchors), Uint8Array.from(snapshot.signedRoster))
    const set = createRevocationSet()
    if (!Array.isArray(snapshot.revocations)) throw new C5Error('ROSTER_MALFORMED', 'snapshot revocations must be a list')
    for (const r of snapshot.revocations) { checkRevocation(r); set.add(r) }
    if (next !== undefined) for (const r of next.document.revocations) set.add(r)
    current = next
    revoked = set
    emit('restore')
  }

  if (options.snapshot !== undefined) restore(options.snapshot)

  return {
    ...view,
    get version () { return version() },
    get document () { return current?.document },
    get signedBytes () { return current?.signedBytes },
    prepareApply,
    apply: (signedBytes, _now) => {
      const p = prepareApply(signedBytes)
      p.commit()
      return p.value
    },
    prepareRevocation,
    addRevocation: (rev, issuerKey, at) => prepareRevocation(rev, issuerKey, at).commit(),
    memberByKeyId: id => id instanceof Uint8Array ? current?.byKeyId.get(bytesKey(id)) : undefined,
    resolveKey: author => {
      if (!(author instanceof Uint8Array)) return undefined
      if (author.length === PUBLIC_KEY_BYTES) return author
      if (author.length !== KEY_ID_BYTES) return undefined
      const id = bytesKey(author)
      return current?.byKeyId.get(id)?.key ?? anchorByKeyId.get(id)
    },
    revokedAt: key => revoked.effective(key),
    isNodeAllowed,
    nodes: (now = clock()) => (current?.document.members ?? []).filter(m => isNodeAllowed(m.key, now)),
    members: () => [...(current?.document.members ?? [])],
    revocations: () => revoked.list(),
    snapshot: () => ({ ...(current === undefined ? {} : { signedRoster: current.signedBytes }), revocations: revoked.list() }),
    restore,
    onChange: listener => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
