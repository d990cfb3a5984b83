/**
 * The ingest path's view of the roster: resolves key ids, checks authority, and makes
 * roster and revocation changes durable in the same atomic batch as the message that
 * carries them, then applies them in memory (docs/PROTOCOL.md §4 step 6).
 */
import { C5Error } from '../errors.js'
import type { Envelope, Revocation } from '../envelope/types.js'
import { keyId, toHex } from '../identity/index.js'
import { checkAuthority, encodeRosterSnapshot, decodeRosterSnapshot, type RosterState } from '../roster/index.js'
import type { RosterMember } from '../roster/types.js'
import type { MessageStore, BatchOp } from '../store/types.js'
import { withArticle } from '../util/words.js'

/** Meta record names (docs/protocol/store.md). */
export const META_ROSTER_SNAPSHOT = 'roster.snapshot'
/** The roster-kind envelope that carried the current roster: what sync resends to peers. */
export const META_ROSTER_ENVELOPE = 'roster.envelope'
const PURGE_BATCH = 500

export interface RosterGuard {
  readonly state: RosterState
  memberByKeyId: (id: Uint8Array) => RosterMember | undefined
  version: () => number
  /** Messages removed because a revocation made them invalid (since start). */
  purged: () => number
  /** The envelope bytes that carried the current roster, if any. */
  envelopeBytes: () => Uint8Array | undefined
  /**
   * Checks `env`'s authority; on success calls `write(extraOps)` (the caller's one atomic
   * store batch) and then applies any roster/revocation change in memory. Roster-changing
   * kinds are serialised so two concurrent versions can't interleave their writes.
   */
  admit: (env: Envelope, authorKey: Uint8Array, now: number, write: (extra: BatchOp[]) => Promise<void>) => Promise<void>
  /** Whether admitting this kind changes the roster (then only admit() may write it). */
  changesRoster: (kind: Envelope['kind']) => boolean
  /**
   * The authority check alone, for kinds that do not change the roster: throws the
   * refusal, and on success the caller writes the message itself (no serialisation needed).
   */
  authorise: (env: Envelope, authorKey: Uint8Array) => void
  /**
   * Whether a roster version applied within the last CHANGED_MEMBER_GRACE_MS removed this
   * author (32-byte key or 8-byte key id) or changed what it may issue: a peer that has not
   * received that version yet may still relay its messages in good faith.
   */
  recentlyChanged: (author: Uint8Array, now: number) => boolean
}

/** How long after a roster change a relay of the old rules is presumed honest. */
export const CHANGED_MEMBER_GRACE_MS = 24 * 3600_000

const changesRoster = (kind: Envelope['kind']): boolean => kind === 'roster' || kind === 'revocation'

/** Same role, org, rights and validity: a relay under either version decides alike. */
function sameRights (a: RosterMember, b: RosterMember): boolean {
  const ia = a.mayIssue; const ib = b.mayIssue
  return a.role === b.role && a.org === b.org && a.validFrom === b.validFrom && a.validUntil === b.validUntil &&
    ia.maxPrecedence === ib.maxPrecedence && ia.kinds.join() === ib.kinds.join() &&
    (ia.scope === 'national' ? ib.scope === 'national' : ib.scope !== 'national' && ia.scope.join() === ib.scope.join())
}

export async function createRosterGuard (state: RosterState, store: MessageStore): Promise<RosterGuard> {
  const snap = await store.meta.get(META_ROSTER_SNAPSHOT)
  if (snap instanceof Uint8Array) state.restore(decodeRosterSnapshot(snap))
  let rosterEnvelope = await store.meta.get(META_ROSTER_ENVELOPE)
  let chain: Promise<unknown> = Promise.resolve()
  let purged = 0
  /** key hex and key-id hex of members removed or changed by a roster version → when applied. */
  const changed = new Map<string, number>()

  function noteChanges (before: readonly RosterMember[], now: number): void {
    const after = new Map(state.members().map(m => [toHex(m.key), m]))
    for (const old of before) {
      const cur = after.get(toHex(old.key))
      if (cur !== undefined && sameRights(old, cur)) continue
      changed.set(toHex(old.key), now)
      changed.set(toHex(keyId(old.key)), now)
    }
    for (const [k, at] of changed) if (now - at > CHANGED_MEMBER_GRACE_MS) changed.delete(k)
  }

  function serial<T> (fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn)
    chain = run.catch(() => undefined)
    return run
  }

  async function admitRoster (env: Envelope, authorKey: Uint8Array, now: number, write: (extra: BatchOp[]) => Promise<void>): Promise<void> {
    checkAuthority(state, env, authorKey)
    const body = env.roster as Uint8Array
    const current = state.signedBytes
    if (current !== undefined && Buffer.from(current).equals(body)) {
      throw new C5Error('INGEST_DUPLICATE', 'this roster version is already current (carried by another envelope)')
    }
    const change = state.prepareApply(body)
    const snapshot = encodeRosterSnapshot({ signedRoster: body, revocations: state.revocations() })
    await write([...store.meta.ops(META_ROSTER_SNAPSHOT, snapshot), ...store.meta.ops(META_ROSTER_ENVELOPE, env.bytes)])
    const before = state.members()
    if (change.commit()) noteChanges(before, now)
    rosterEnvelope = env.bytes
    await purgeRevoked(change.value.revocations)
  }

  async function admitRevocation (env: Envelope, authorKey: Uint8Array, write: (extra: BatchOp[]) => Promise<void>): Promise<void> {
    checkAuthority(state, env, authorKey)
    const change = state.prepareRevocation(env.revocation!, authorKey, env.created)
    const snapshot = encodeRosterSnapshot({
      ...(state.signedBytes === undefined ? {} : { signedRoster: state.signedBytes }),
      revocations: [...state.revocations(), change.value]
    })
    await write(store.meta.ops(META_ROSTER_SNAPSHOT, snapshot))
    change.commit()
    await purgeRevoked([change.value])
  }

  /**
   * Messages a node accepted before it learnt of a revocation (e.g. on the other side of a
   * partition) became invalid from the revocation's effective time: remove them, leaving
   * tombstones, so they are neither shown nor offered to peers. Roster envelopes are kept:
   * their authority is the anchors' signatures, not their author.
   */
  async function purgeRevoked (revocations: readonly Revocation[]): Promise<void> {
    for (const r of revocations) {
      for (const author of [r.key, keyId(r.key)]) {
        for (;;) {
          const victims = (await store.query({ author, since: r.effective, limit: PURGE_BATCH }))
            .filter(m => m.envelope.kind !== 'roster')
            .map(m => m.envelope.digest)
          if (victims.length === 0 || await store.discard(victims) === 0) break
          purged += victims.length
        }
      }
    }
  }

  return {
    state,
    memberByKeyId: id => state.memberByKeyId(id),
    version: () => state.version,
    envelopeBytes: () => rosterEnvelope instanceof Uint8Array ? rosterEnvelope : undefined,
    purged: () => purged,
    changesRoster,
    authorise: (env, authorKey) => {
      if (changesRoster(env.kind)) throw new C5Error('INGEST_INTERNAL', `${withArticle(env.kind)} must go through admit()`)
      checkAuthority(state, env, authorKey)
    },
    recentlyChanged: (author, now) => {
      const at = changed.get(toHex(author))
      return at !== undefined && now - at <= CHANGED_MEMBER_GRACE_MS
    },
    admit: async (env, authorKey, _now, write) => {
      if (env.kind === 'roster') return serial(async () => admitRoster(env, authorKey, _now, write))
      if (env.kind === 'revocation') return serial(async () => admitRevocation(env, authorKey, write))
      checkAuthority(state, env, authorKey)
      await write([])
    }
  }
}
