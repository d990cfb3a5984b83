/**
 * The one ingest path (docs/PROTOCOL.md §4). Every message — composed here, received from a
 * peer, imported from a file, heard on a radio — enters through `ingest(bytes, source)`:
 *
 *   decode (limits, schema) → dedup (id, tombstone, in flight) → resolve author → clock
 *   (expiry, skew) → roster authority (incl. revocation) → verify signature → one atomic
 *   store batch → 'message' event
 *
 * Every cheap check comes before the signature (the one expensive step): a flood of
 * expired, far-future or non-member messages costs a decode each, not a verification.
 *
 * A rejection never throws out of ingest: it returns `{ ok: false, code }`, is counted per
 * code and per source, and the last REJECTION_LOG_SIZE rejections are kept for inspection.
 */
import { EventEmitter } from 'node:events'
import { hash } from 'node:crypto'
import { C5Error, type ErrorCode } from '../errors.js'
import { signingPayload, checkTimes, checkTextRules, idFromDigest, DEFAULT_ENVELOPE_LIMITS, type EnvelopeLimits } from '../envelope/index.js'
import type { Envelope } from '../envelope/types.js'
import { verify as verifySignature, toHex, PUBLIC_KEY_BYTES } from '../identity/index.js'
import type { IngestResult, IngestSource } from './types.js'
import type { BatchOp, MessageStore } from '../store/types.js'
import { bytesKey } from '../util/bytes-key.js'
import { decodeAnyEnvelope, ROSTER_ENVELOPE_MAX_BYTES } from './roster-envelope.js'
import type { RosterGuard } from './roster-guard.js'
import type { QuotaBook, QuotaReservation } from './quota-book.js'

export const DEFAULT_MAX_CLOCK_SKEW_MS = 10 * 60 * 1000
/**
 * A message expired by at most this much may have expired on its way (a slow radio hop, a
 * relay's clock behind ours): forwarding it is no fault. Expired by more, it is.
 */
export const EXPIRED_IN_TRANSIT_MS = 60 * 60 * 1000

export const REJECTION_LOG_SIZE = 500
/** Per-source counters are bounded so a stream of fresh source names can't exhaust memory. */
export const MAX_SOURCES_COUNTED = 1024

export interface Rejection { at: number, source: IngestSource, code: ErrorCode, message: string, id?: string }

export interface IngestStats {
  accepted: number
  duplicates: number
  rejected: number
  /** Stored messages dropped because earlier ones of the same author or org filled the quota. */
  evicted: number
  byCode: Record<string, number>
  bySource: Record<string, { accepted: number, rejected: number, byCode: Record<string, number> }>
}

/** Verifies Ed25519 signatures; the default runs inline, a worker pool can be injected. */
export interface SignatureVerifier {
  verify: (publicKey: Uint8Array, payload: Uint8Array, signature: Uint8Array) => Promise<boolean> | boolean
}

export interface IngestComponents {
  store: MessageStore
  roster: RosterGuard
  clock: { now: () => number }
  verifier?: SignatureVerifier
  /** Quotas per author and org (roster.md §Quotas); none are applied without it. */
  quotas?: QuotaBook
}

export interface IngestOptions {
  limits?: EnvelopeLimits
  maxClockSkewMs?: number
}

export interface IngestEvents {
  /** Verified and authorised, its store write under way: what the mesh forwards at once. */
  admitted: [{ envelope: Envelope, source: IngestSource }]
  /** Stored (durably, for local messages): what operators and counters see. */
  message: [{ envelope: Envelope, source: IngestSource }]
  rejected: [Rejection]
  roster: [{ version: number }]
}

export interface IngestCallOptions {
  /** Durable before the result (default: for source 'local'). */
  sync?: boolean
  /** sha2-256 of `bytes` when the caller has just computed it (a sync session does). */
  digestOfBytes?: Uint8Array
}

/**
 * Store operations written in the same atomic batch as an admitted message (not a roster
 * change), e.g. a pending delivery receipt (src/receipts): derived state that must never
 * be lost, or half-written, when the process dies.
 */
export type WriteHook = (env: Envelope, source: IngestSource) => BatchOp[] | undefined

export interface IngestService {
  ingest: (bytes: Uint8Array, source: IngestSource, options?: IngestCallOptions) => Promise<IngestResult>
  addWriteHook: (hook: WriteHook) => void
  removeWriteHook: (hook: WriteHook) => void
  events: EventEmitter<IngestEvents>
  stats: () => IngestStats
  recentRejections: () => Rejection[]
}

const inlineVerifier: SignatureVerifier = { verify: verifySignature }
const DUPLICATE: IngestResult = Object.freeze({ ok: false, code: 'INGEST_DUPLICATE', message: 'already stored' })
/** A plain Uint8Array view of the hash (envelopes hold plain arrays, not Buffers). */
const sha256 = (b: Uint8Array): Uint8Array => { const d = hash('sha256', b, 'buffer'); return new Uint8Array(d.buffer, d.byteOffset, d.byteLength) }

export function createIngest (components: IngestComponents, options: IngestOptions = {}): IngestService {
  const { store, roster, clock, quotas } = components
  const verifier = components.verifier ?? inlineVerifier
  const limits = options.limits ?? DEFAULT_ENVELOPE_LIMITS
  const skewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS
  const events = new EventEmitter<IngestEvents>()
  events.setMaxListeners(0)
  const counters: IngestStats = { accepted: 0, duplicates: 0, rejected: 0, evicted: 0, byCode: {}, bySource: {} }
  const rejections: Rejection[] = []

  let sourcesCounted = 0
  function sourceCounter (source: string): IngestStats['bySource'][string] {
    const key = Object.hasOwn(counters.bySource, source) || sourcesCounted < MAX_SOURCES_COUNTED ? source : '(other)'
    let c = counters.bySource[key]
    if (c === undefined) { c = { accepted: 0, rejected: 0, byCode: {} }; counters.bySource[key] = c; sourcesCounted++ }
    return c
  }

  /**
   * Could an honest relay have forwarded what was refused (docs/protocol/ingest.md §"Whose
   * fault")? Then the refusal costs the peer nothing: a message that expired in transit, a
   * relay whose clock runs a little ahead, an author whose roster entry changed recently
   * (the relay may not hold that version yet), our own roster missing. Far-expired and
   * far-future messages, and authors no roster we knew of admitted, are evidence.
   */
  function honestRelay (err: unknown, env: Envelope): boolean {
    if (!(err instanceof C5Error)) return true
    const now = clock.now()
    switch (err.code) {
      case 'ENVELOPE_EXPIRED': return now - env.expires <= EXPIRED_IN_TRANSIT_MS
      case 'ENVELOPE_FROM_FUTURE': return env.created - now <= 2 * skewMs
      case 'ROSTER_NO_ROSTER': return true
      default: return err.code.startsWith('ROSTER_') && roster.recentlyChanged(env.author, now)
    }
  }

  function reject (source: string, err: unknown, id?: string, relay?: boolean): IngestResult {
    const e = err instanceof C5Error ? err : new C5Error('INGEST_INTERNAL', 'internal error during ingest', { cause: err })
    const sc = sourceCounter(source)
    // Known already: a duplicate, a tombstoned message, or an older roster version (a peer
    // that has not caught up offers its roster on every connect) — routine, not a fault.
    if (e.code === 'INGEST_DUPLICATE' || e.code === 'INGEST_TOMBSTONED' || e.code === 'ROSTER_OLD_VERSION') {
      counters.duplicates++
    } else {
      counters.rejected++
      sc.rejected++
      const r: Rejection = { at: clock.now(), source, code: e.code, message: e.message, ...(id === undefined ? {} : { id }) }
      rejections.push(r)
      if (rejections.length > REJECTION_LOG_SIZE) rejections.shift()
      events.emit('rejected', r)
    }
    counters.byCode[e.code] = (counters.byCode[e.code] ?? 0) + 1
    sc.byCode[e.code] = (sc.byCode[e.code] ?? 0) + 1
    return { ok: false, code: e.code, message: e.message, ...(id === undefined ? {} : { id }), ...(relay === true ? { honestRelay: true } : {}) }
  }

  /** store.holds, but never a throw out of ingest (a closed store is reported by run()). */
  function holdsSafely (digest: Uint8Array): boolean {
    try { return store.holds(digest) } catch { return false }
  }

  function resolveAuthor (env: Envelope): Uint8Array {
    if (env.author.length === PUBLIC_KEY_BYTES) return env.author
    const member = roster.memberByKeyId(env.author)
    if (member === undefined) throw new C5Error('ROSTER_UNKNOWN_AUTHOR', `no roster member has key id ${toHex(env.author)}`)
    return member.key
  }

  const hooks: WriteHook[] = []
  function hookOps (env: Envelope, source: string): BatchOp[] | undefined {
    if (hooks.length === 0) return undefined
    const ops = hooks.flatMap(h => h(env, source) ?? [])
    return ops.length === 0 ? undefined : ops
  }

  /** One store write; 'admitted' is emitted as soon as it is queued (the mesh forwards then). */
  function write (env: Envelope, source: string, now: number, sync: boolean, extra?: BatchOp[]): Promise<void> {
    const written = store.put(env, { received: now, source }, { sync, digestChecked: true, ...(extra === undefined ? {} : { extra }) })
    events.emit('admitted', { envelope: env, source })
    return written
  }

  /**
   * Takes the message's place in its quota windows. A verified message past its quota is
   * tombstoned: peers that offer it again are answered "known", and reconciliation does not
   * fetch it again.
   */
  async function reserve (env: Envelope, authorKey: Uint8Array): Promise<QuotaReservation | undefined> {
    if (quotas === undefined) return undefined
    try {
      return await quotas.reserve(env, authorKey)
    } catch (err) {
      if (err instanceof C5Error && err.code === 'QUOTA_EXCEEDED') await store.tombstone([{ digest: env.digest, expires: env.expires }]).catch(() => {})
      throw err
    }
  }

  /** Everything after decoding; throws the C5Error of a refusal. */
  async function admit (source: string, env: Envelope, sync: boolean): Promise<IngestResult> {
    // From memory for any message newer than the last sweep: no turn through the event loop.
    const peeked = store.peekStatus(env.digest, env.expires)
    const known = peeked === 'unknown' ? await store.status(env.digest) : peeked
    if (known === 'stored') throw new C5Error('INGEST_DUPLICATE', 'already stored')
    if (known === 'tombstone') throw new C5Error('INGEST_TOMBSTONED', 'expired earlier; its tombstone is kept')
    const authorKey = resolveAuthor(env)
    const now = clock.now()
    checkTimes(env, now, { skewMs })
    // Authority: roster envelopes carry their own k-of-n root signatures; the rest are
    // checked against the current roster (role, kind, precedence, scope, validity,
    // revocation) — a pure check, made before the signature.
    const changes = roster.changesRoster(env.kind)
    if (!changes) {
      roster.authorise(env, authorKey)
      // An insider's flood past its quota costs a decode, not a verification.
      await quotas?.precheck(env, authorKey)
    }
    // An inline verifier answers at once: no extra turn through the microtask queue.
    const verdict = verifier.verify(authorKey, signingPayload(env), env.signature)
    if (!(typeof verdict === 'boolean' ? verdict : await verdict)) {
      throw new C5Error('ENVELOPE_BAD_SIGNATURE', 'signature does not verify for the author key')
    }
    // Roster changes are written inside the roster's serial section, in one batch with it.
    if (changes) {
      await roster.admit(env, authorKey, now, async extra => { await write(env, source, now, sync, extra) })
      if (env.kind === 'roster') events.emit('roster', { version: roster.version() })
    } else {
      const place = await reserve(env, authorKey)
      try {
        await write(env, source, now, sync, hookOps(env, source))
      } catch (err) {
        place?.release()
        throw err
      }
      const evict = place?.evict ?? []
      if (place?.settle() === true) evict.push(env.digest)
      if (evict.length > 0) {
        // Earlier messages came to light: those that no longer fit leave, as on every node.
        counters.evicted += evict.length
        await store.discard(evict).catch(() => {})
      }
    }
    return { ok: true, envelope: env }
  }

  /**
   * Copies of a message that arrive while it is being ingested wait for that ingest, then
   * are answered as duplicates. Keyed by bytesKey; the list exists only once a copy waits.
   */
  const inFlight = new Map<string, Array<() => void> | null>()
  function awaitInFlight (key: string): Promise<void> | undefined {
    if (!inFlight.has(key)) return undefined
    let waiters = inFlight.get(key)
    if (waiters === null || waiters === undefined) { waiters = []; inFlight.set(key, waiters) }
    const list = waiters
    return new Promise<void>(resolve => { list.push(resolve) })
  }
  function releaseInFlight (key: string): void {
    const waiters = inFlight.get(key)
    inFlight.delete(key)
    if (waiters != null) for (const wake of waiters) wake()
  }

  async function ingest (bytes: Uint8Array, source: IngestSource, opts: IngestCallOptions = {}): Promise<IngestResult> {
    // Flooding delivers most messages more than once: a duplicate of a stored message, or
    // of one being stored, is answered from memory before any decoding (one sha2-256).
    const fits = bytes instanceof Uint8Array && bytes.length <= ROSTER_ENVELOPE_MAX_BYTES
    // Ours from here on: the decoded envelope keeps this array (a caller's is copied).
    const digest = !fits ? undefined : opts.digestOfBytes?.length === 32 ? new Uint8Array(opts.digestOfBytes) : sha256(bytes)
    if (digest !== undefined && holdsSafely(digest)) {
      counters.duplicates++
      counters.byCode.INGEST_DUPLICATE = (counters.byCode.INGEST_DUPLICATE ?? 0) + 1
      const sc = sourceCounter(source)
      sc.byCode.INGEST_DUPLICATE = (sc.byCode.INGEST_DUPLICATE ?? 0) + 1
      return DUPLICATE
    }
    const early = digest === undefined ? undefined : awaitInFlight(bytesKey(digest))
    if (early !== undefined) {
      await early
      return reject(source, new C5Error('INGEST_DUPLICATE', 'already being stored'), idFromDigest(digest!))
    }
    let env: Envelope
    try {
      if (!(bytes instanceof Uint8Array)) throw new C5Error('ENVELOPE_MALFORMED', 'not bytes')
      env = decodeAnyEnvelope(bytes, limits, { digestOfBytes: digest })
      // New messages only: the decoder keeps reading what was stored under older rules.
      checkTextRules(env)
    } catch (err) {
      return reject(source, err)
    }
    // (Without a digest yet — larger than any roster, under configured limits — a copy may
    // already be in flight under the decoded digest.)
    const key = bytesKey(env.digest)
    if (digest === undefined) {
      const waiting = awaitInFlight(key)
      if (waiting !== undefined) {
        await waiting
        return reject(source, new C5Error('INGEST_DUPLICATE', 'already being stored'), env.id)
      }
    }
    inFlight.set(key, null)
    let result: IngestResult
    try {
      result = await admit(source, env, opts.sync ?? source === 'local')
    } catch (err) {
      return reject(source, err, env.id, honestRelay(err, env))
    } finally {
      releaseInFlight(key)
    }
    counters.accepted++
    sourceCounter(source).accepted++
    events.emit('message', { envelope: env, source })
    return result
  }

  return {
    ingest,
    addWriteHook: hook => { hooks.push(hook) },
    removeWriteHook: hook => { const i = hooks.indexOf(hook); if (i >= 0) hooks.splice(i, 1) },
    events,
    stats: () => structuredClone(counters),
    recentRejections: () => rejections.slice()
  }
}
