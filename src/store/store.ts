/**
 * createStore: the durable message store on LevelDB (docs/protocol/store.md).
 * Each put is ONE atomic batch (message record + every index entry + the caller's extra
 * ops); sync puts share fsyncs through group commit (group-commit.ts).
 */
import { Level } from 'level'
import { timersOf } from '../util/clock.js'
import { C5Error } from '../errors.js'
import { decodeEnvelope } from '../envelope/codec.js'
import { PRECEDENCES, precedenceRank, type Envelope } from '../envelope/types.js'
import { createMetaBook, createPeerBook, encodeMeta } from './books.js'
import { SCAN_BATCH_MESSAGES, SCAN_READ_AHEAD, GROUP_COMMIT_MAX_MEMBERS, GROUP_COMMIT_WINDOW_MS, WRITE_FAULT_RETRY_MS, STORE_SCHEMA_VERSION, TOMBSTONE_GRACE_MS } from './constants.js'
import { GroupCommit } from './group-commit.js'
import { KINDS } from '../envelope/types.js'
import { compareBytes, digestOfKey, indexRange, lengthPrefixed, decodeMetaValue, decodeRecord, encodeRecord, recordEnvelopeBytes, readTime, splitTimeDigest, timeDigestKey } from './keys.js'
import { bytesKey } from '../util/bytes-key.js'
import { openSublevels, putOps } from './layout.js'
import type { RootDb, Sublevels } from './layout.js'
import { runQuery } from './query.js'
import { discardOps, sweepExpired, tombstoneOps } from './sweep.js'
import { SyncCache } from './sync-cache.js'
import type { BatchOp, MessageStatus, MessageStore, StoreInit, StoredMessage, StoreStats, SweepResult } from './types.js'
import { checkDigest, checkEnvelope, checkPutMeta, toDigest } from './validate.js'

const MAX_DIGEST = new Uint8Array(32).fill(0xff)

/** Meta name of the schema version record (a JSON number). */
export const SCHEMA_META_NAME = '_schema'

/** The innermost message of an error chain: LevelDB's own reason ("IO error: … No space left on device"). */
function rootReason (err: unknown): string {
  let e = err as { message?: string, cause?: unknown } | undefined
  for (let depth = 0; e?.cause !== undefined && depth < 8; depth++) e = e.cause as typeof e
  return e?.message ?? String(err)
}

function mapOpenError (err: unknown, path: string): C5Error {
  const codes = [(err as { code?: string })?.code, (err as { cause?: { code?: string } })?.cause?.code]
  if (codes.includes('LEVEL_LOCKED')) return new C5Error('STORE_LOCKED', `store ${path} is in use by another process`, { cause: err })
  if (codes.includes('LEVEL_CORRUPTION')) return new C5Error('STORE_CORRUPT', `store ${path} is corrupt (${rootReason(err)})`, { cause: err })
  return new C5Error('STORE_OPEN_FAILED', `store ${path} could not be opened (${rootReason(err)})`, { cause: err })
}

export function createStore (init: StoreInit): MessageStore {
  if (typeof init?.path !== 'string' || init.path.length === 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'store path required')
  // Timers of the store's own (the write-fault retry, a group-commit window) run on the
  // injected clock when it has timers: the simulator's store starts no real timer.
  const clock = timersOf(init.clock, { unref: true })
  const decode = init.decode ?? ((bytes: Uint8Array) => decodeEnvelope(bytes))
  const graceMs = init.options?.tombstoneGraceMs ?? TOMBSTONE_GRACE_MS
  const windowMs = init.options?.groupCommitWindowMs ?? GROUP_COMMIT_WINDOW_MS
  const faultRetryMs = init.options?.writeFaultRetryMs ?? WRITE_FAULT_RETRY_MS
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'tombstoneGraceMs must be a non-negative integer')
  if (!Number.isSafeInteger(windowMs) || windowMs < 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'groupCommitWindowMs must be a non-negative integer')
  if (!Number.isSafeInteger(faultRetryMs) || faultRetryMs < 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'writeFaultRetryMs must be a non-negative integer')

  // Created in open(): abstract-level opens a database as soon as it is constructed.
  let db!: RootDb
  let s!: Sublevels
  /** Sublevels whose keys and values are raw bytes ('view' encodings) -> their key prefix, set at open. */
  let viewSublevels = new Map<unknown, Uint8Array>()
  /**
   * prefix || key in a pooled Buffer (no ArrayBuffer of its own): LevelDB copies keys into
   * the batch at put(), and this runs ~8 times a message.
   */
  const rootKey = (sublevel: unknown, key: Uint8Array): Uint8Array => {
    const prefix = viewSublevels.get(sublevel) as Uint8Array
    const out = Buffer.allocUnsafe(prefix.length + key.length)
    out.set(prefix, 0)
    out.set(key, prefix.length)
    return out
  }
  const cache = new SyncCache()
  let state: 'new' | 'opening' | 'open' | 'closed' = 'new'
  let opening: Promise<void> | undefined
  let sweeping: Promise<SweepResult> | undefined
  /**
   * Tombstone look-ups without a read (status() with an expiry hint). A tombstone is made
   * by a sweep, for a message with expires <= that sweep's `now`, or by discard. So a
   * message whose expires is past every sweep's `now` (and past the clock at open) can only
   * hit a tombstone that discard made while open, or one with a future expiry loaded at
   * open: `unexpiredTombstones` holds exactly those (bytesKey -> expires).
   */
  let sweptUpTo = 0
  const unexpiredTombstones = new Map<string, number>()
  const counters = { syncWrites: 0, syncPuts: 0, writes: 0, corruptSkipped: 0, swept: 0, tombstonesDropped: 0, writeFaults: 0, writeFaultsCleared: 0 }

  const guard = (): void => {
    if (state === 'closed') throw new C5Error('STORE_CLOSED', 'store is closed')
    if (state !== 'open') throw new C5Error('STORE_CLOSED', 'store is not open yet')
  }
  /**
   * guard() for calls that read LevelDB. While a reopen after a failed write has it closed
   * (see writeFault), say so rather than LevelDB's bare "Database is not open". Calls served
   * from memory (holds, peekStatus, count, syncItems) and writes (which go to the group
   * commit, where the reopen happens) use guard().
   */
  const guardDb = (): void => {
    guard()
    if (writeFault !== undefined && db.status !== 'open') {
      throw new C5Error('STORE_WRITE_FAILED', `the store is being reopened after a failed write (${rootReason(writeFault.cause)}); it recovers by itself once it can (free disk space, check the disk)`)
    }
  }
  /**
   * A failed LevelDB write (full disk, I/O error) can leave a torn record at the end of its
   * log, and LevelDB goes on appending after it: on a full tmpfs, writes acknowledged after
   * the failure were missing once the store was reopened, synced ones too. So after one,
   * nothing more goes to that log. Every write fails with STORE_WRITE_FAILED until LevelDB
   * has been reopened (its recovery stops at the torn record: only the failed batch is lost,
   * and it was never acknowledged). The next write after WRITE_FAULT_RETRY_MS tries that.
   * A reopen that fails (the disk still full) leaves LevelDB closed, reads included: then a
   * timer tries again, so that an idle node recovers too once there is room.
   */
  let writeFault: { cause: unknown, at: number, since: number } | undefined
  const writeFailed = (cause: unknown): C5Error => new C5Error('STORE_WRITE_FAILED',
    `the store could not write (${rootReason(cause)}); writes resume by themselves once it can (free disk space, check the disk)`, { cause })
  let retryTimer: unknown
  /** Set by the retry timer: its wait is the wait (the store's clock may be a test's). */
  let retryDue = false
  async function reopenAfterFault (fault: { cause: unknown, at: number, since: number }): Promise<void> {
    if (!retryDue && clock.now() - fault.at < faultRetryMs) throw writeFailed(fault.cause)
    retryDue = false
    try {
      await db.close()
      await db.open()
      // Sublevels close with their parent but do not reopen with it.
      for (const sub of Object.values(s)) await sub.open()
    } catch (err) {
      writeFault = { cause: err, at: clock.now(), since: fault.since }
      if (retryTimer === undefined) {
        // An empty write goes through the group commit (so it is serialised with the others)
        // and into write(), which reopens.
        retryTimer = clock.setTimeout(() => {
          retryTimer = undefined
          if (state !== 'open' || writeFault === undefined) return
          retryDue = true
          group.submit([], false).catch(() => {})
        }, faultRetryMs)
      }
      throw writeFailed(err)
    }
    writeFault = undefined
    counters.writeFaultsCleared++
  }

  /**
   * One atomic LevelDB batch. Written through a chained batch: abstract-level's array form
   * copies the batch options into every operation, which measured 4-5x slower per entry
   * here (bench/ingest) than a chained batch carrying `sync` once at write().
   */
  const write = async (ops: BatchOp[], sync: boolean): Promise<void> => {
    // Writes are serialised by the group commit, so no other write runs during a reopen.
    if (writeFault !== undefined) await reopenAfterFault(writeFault)
    const batch = db.batch()
    try {
      for (const op of ops) {
        // Binary sublevels: the root key is prefix + key, built here rather than by
        // abstract-level's per-operation option handling (the measured hot spot).
        if (op.sublevel !== undefined && viewSublevels.has(op.sublevel)) {
          if (!(op.key instanceof Uint8Array) || (op.type === 'put' && !(op.value instanceof Uint8Array))) {
            throw new C5Error('STORE_INVALID_ARGUMENT', 'a batch operation on a binary sublevel needs byte keys and values')
          }
          const key = rootKey(op.sublevel, op.key)
          if (op.type === 'put') batch.put(key, op.value)
          else batch.del(key)
        } else if (op.sublevel === undefined) {
          // A root key (putOps under the root prefixes, or a caller's own).
          if (op.type === 'put') batch.put(op.key, op.value)
          else batch.del(op.key)
        } else {
          const options = { sublevel: op.sublevel }
          if (op.type === 'put') batch.put(op.key, op.value, options)
          else batch.del(op.key, options)
        }
      }
    } catch (err) {
      await batch.close()
      throw err
    }
    try {
      await batch.write(sync ? { sync: true } : {})
    } catch (err) {
      const at = clock.now()
      writeFault = { cause: err, at, since: at }
      counters.writeFaults++
      throw writeFailed(err)
    }
  }
  const group = new GroupCommit({
    write,
    windowMs,
    ...(init.clock?.setTimeout === undefined ? {} : { setTimeout: init.clock.setTimeout }),
    maxMembers: GROUP_COMMIT_MAX_MEMBERS,
    onBatch: (sync, members) => {
      if (sync) { counters.syncWrites++; counters.syncPuts += members } else counters.writes++
    }
  })
  /** Every write of the store goes through one group-commit queue (submission order). */
  const writeMaybeSync = async (ops: BatchOp[], sync: boolean): Promise<void> => group.submit(ops, sync)

  /** Decodes one `msg` value; STORE_CORRUPT if it is unreadable or not what its key says. */
  function decodeStored (digest: Uint8Array, value: Uint8Array): StoredMessage {
    const rec = decodeRecord(value)
    let envelope: Envelope
    try {
      envelope = decode(rec.bytes)
    } catch (cause) {
      throw new C5Error('STORE_CORRUPT', 'stored envelope does not decode', { cause })
    }
    if (compareBytes(envelope.digest, digest) !== 0) throw new C5Error('STORE_CORRUPT', 'stored envelope does not match its digest')
    return { envelope, received: rec.received, source: rec.source }
  }
  async function load (digest: Uint8Array): Promise<StoredMessage | undefined> {
    const value = await s.messages.get(digest)
    return value === undefined ? undefined : decodeStored(digest, value)
  }
  async function loadOrSkip (digest: Uint8Array): Promise<StoredMessage | undefined> {
    try {
      return await load(digest)
    } catch (err) {
      if (!(err instanceof C5Error) || err.code !== 'STORE_CORRUPT') throw err
      counters.corruptSkipped++
      return undefined
    }
  }

  async function checkSchema (): Promise<void> {
    const raw = await s.meta.get(SCHEMA_META_NAME)
    if (raw === undefined) {
      for await (const _ of db.keys({ limit: 1 })) {
        throw new C5Error('STORE_SCHEMA_MISMATCH', `store ${init.path} has data but no schema version record: not a c5mesh store, or older than v${STORE_SCHEMA_VERSION}`)
      }
      await write([{ type: 'put', sublevel: s.meta, key: SCHEMA_META_NAME, value: encodeMeta(STORE_SCHEMA_VERSION) }], true)
      return
    }
    let version: unknown
    try { version = decodeMetaValue(raw) } catch (cause) { throw new C5Error('STORE_CORRUPT', 'schema version record unreadable', { cause }) }
    if (version !== STORE_SCHEMA_VERSION) {
      throw new C5Error('STORE_SCHEMA_MISMATCH', `store ${init.path} has schema version ${JSON.stringify(version)}; this build reads only version ${STORE_SCHEMA_VERSION} (upgrade or migrate the data folder)`, { details: { found: version, expected: STORE_SCHEMA_VERSION } })
    }
  }

  /** Batches concurrent tombstone look-ups into one getMany per tick. */
  const tombstoneLookups = (() => {
    let waiting: Array<{ digest: Uint8Array, resolve: (v: boolean) => void, reject: (e: unknown) => void }> = []
    const flush = (): void => {
      const batch = waiting
      waiting = []
      s.tombstones.getMany(batch.map(w => w.digest)).then(
        values => { batch.forEach((w, i) => w.resolve(values[i] !== undefined)) },
        err => { for (const w of batch) w.reject(err) }
      )
    }
    return {
      has: async (digest: Uint8Array): Promise<boolean> => new Promise((resolve, reject) => {
        if (waiting.push({ digest, resolve, reject }) === 1) setImmediate(flush)
      })
    }
  })()

  async function loadCache (): Promise<void> {
    cache.clear()
    for await (const [key, value] of s.byCreated.iterator()) {
      const { time, digest } = splitTimeDigest(key)
      cache.loadSorted(time, digest, readTime(value, 0))
    }
    // idx-prec keys are rank(1) || created(8) || digest(32): the rank of every message,
    // so sync orders what it offers by precedence without reading messages.
    for await (const key of s.byPrecedence.keys()) {
      cache.setRank(key.subarray(key.length - 32), key[0])
    }
  }

  async function loadUnexpiredTombstones (): Promise<void> {
    sweptUpTo = clock.now()
    unexpiredTombstones.clear()
    const after = timeDigestKey(sweptUpTo, MAX_DIGEST)
    for await (const key of s.tombstonesByExpires.keys({ gt: after })) {
      const { time, digest } = splitTimeDigest(key)
      unexpiredTombstones.set(bytesKey(digest), time)
    }
  }

  async function doOpen (): Promise<void> {
    db = init.db?.() ?? new Level<Uint8Array, Uint8Array>(init.path, { keyEncoding: 'view', valueEncoding: 'view' })
    s = openSublevels(db)
    viewSublevels = new Map(Object.values(s)
      .filter(sub => sub.keyEncoding().commonName === 'view' && sub.valueEncoding().commonName === 'view')
      .map(sub => [sub, sub.prefixKey(new Uint8Array(0), 'view', false) as Uint8Array]))
    try {
      await db.open()
    } catch (err) {
      throw mapOpenError(err, init.path)
    }
    try {
      await checkSchema()
      await loadCache()
      await loadUnexpiredTombstones()
    } catch (err) {
      await db.close()
      throw err
    }
  }

  const store: MessageStore = {
    async open () {
      if (state === 'closed') throw new C5Error('STORE_CLOSED', 'store is closed')
      if (state === 'open') return
      if (opening === undefined) {
        state = 'opening'
        opening = doOpen().then(() => { state = 'open' }, (err) => { state = 'closed'; throw err })
      }
      return opening
    },

    async close () {
      if (state === 'closed') return
      if (state === 'opening') await opening?.catch(() => {})
      const wasOpen = state === 'open'
      state = 'closed'
      if (retryTimer !== undefined) clock.clearTimeout(retryTimer)
      retryTimer = undefined
      if (!wasOpen) return
      await sweeping?.catch(() => {}) // stops after its current batch
      await group.drain()
      await db.close()
    },

    async status (digest, hint): Promise<MessageStatus> {
      const known = store.peekStatus(digest, hint?.expires)
      if (known !== 'unknown') return known
      guardDb()
      // A read; look-ups made in the same tick share one getMany.
      return (await tombstoneLookups.has(digest)) ? 'tombstone' : undefined
    },

    peekStatus (digest, expires) {
      guard()
      checkDigest(digest)
      // The cache holds every stored digest (loaded from idx-created at open, kept by put and
      // sweep), so 'stored' needs no read.
      if (cache.has(digest)) return 'stored'
      // Ingest knows the message's expiry: past every sweep, only an unexpired tombstone
      // (in memory) can match, so a new message costs no read (measured ~20 µs a message).
      if (Number.isSafeInteger(expires) && (expires as number) > sweptUpTo) {
        return unexpiredTombstones.size > 0 && unexpiredTombstones.has(bytesKey(digest)) ? 'tombstone' : undefined
      }
      return 'unknown'
    },

    holds (digest) {
      guard()
      return digest instanceof Uint8Array && digest.length === 32 && cache.has(digest)
    },

    // Not an async function: the group commit's promise is returned as it is (one promise
    // per message fewer on the ingest path); refusals still arrive as rejections.
    put (env, meta, options = {}) {
      let ops: BatchOp[]
      try {
        guard()
        checkEnvelope(env, options.digestChecked === true)
        checkPutMeta(meta)
        if (options.extra !== undefined && !Array.isArray(options.extra)) throw new C5Error('STORE_INVALID_ARGUMENT', 'extra must be an array of batch operations')
        ops = putOps(s, env, encodeRecord(env.bytes, meta.received, meta.source), viewSublevels)
        if (options.extra !== undefined) ops.push(...options.extra)
      } catch (err) {
        return Promise.reject(err)
      }
      return group.submit(ops, options.sync === true, () => { cache.insert(env.created, env.digest, env.expires, precedenceRank(env.precedence)) })
    },

    async get (idOrDigest) {
      guardDb()
      return load(toDigest(idOrDigest))
    },

    async query (options) {
      guardDb()
      return runQuery({ sublevels: s, load: loadOrSkip }, options)
    },

    async * scanKindBatches (kind) {
      guardDb()
      if (!KINDS.includes(kind)) throw new C5Error('STORE_INVALID_ARGUMENT', `unknown kind ${String(kind)}`)
      // The kind index in key order, SCAN_BATCH_MESSAGES keys per nextv (one await per
      // batch, not per key), their records read with one getMany, handed over as one array
      // of views into the records (no copy). 100,000 reports: ~4x faster than a key and an
      // await at a time, which was most of the hotlist rebuild.
      const keys = s.byKind.keys(indexRange(lengthPrefixed(kind), 0, Number.MAX_SAFE_INTEGER))
      // Up to SCAN_READ_AHEAD batches' getMany in flight (LevelDB's threads read them, in
      // parallel with each other and with the caller's work on the batch in hand): after a
      // burst of writes, random reads across fresh tables are the slow part of a rebuild.
      const ahead: Array<{ digests: Uint8Array[], values: Promise<Array<Uint8Array | undefined>> }> = []
      let exhausted = false
      const fill = async (): Promise<void> => {
        while (!exhausted && ahead.length < SCAN_READ_AHEAD) {
          const batch = await keys.nextv(SCAN_BATCH_MESSAGES)
          if (batch.length === 0) { exhausted = true; return }
          const digests = batch.map(digestOfKey)
          const values = s.messages.getMany(digests)
          values.catch(() => {}) // awaited below or in finally; never unhandled
          ahead.push({ digests, values })
        }
      }
      try {
        for (;;) {
          await fill()
          const cur = ahead.shift()
          if (cur === undefined) return
          const values = await cur.values
          const out: Array<{ digest: Uint8Array, bytes: Uint8Array }> = []
          for (let i = 0; i < cur.digests.length; i++) {
            const v = values[i]
            if (v === undefined) continue
            const bytes = recordEnvelopeBytes(v)
            if (bytes === undefined) { counters.corruptSkipped++; continue }
            out.push({ digest: cur.digests[i], bytes })
          }
          yield out
        }
      } finally {
        for (const x of ahead.splice(0)) await x.values.catch(() => {})
        await keys.close()
      }
    },

    async getBytes (digest) {
      guardDb()
      checkDigest(digest)
      const value = await s.messages.get(digest)
      return value === undefined ? undefined : decodeRecord(value).bytes
    },

    syncItems (now) {
      guard()
      if (!Number.isSafeInteger(now)) throw new C5Error('STORE_INVALID_ARGUMENT', 'now must be an integer (ms)')
      return cache.items(now)
    },

    syncMeta (digest) {
      guard()
      if (!(digest instanceof Uint8Array) || digest.length !== 32) return undefined
      const m = cache.meta(digest)
      return m === undefined ? undefined : { created: m.created, precedence: PRECEDENCES[m.rank] ?? 'routine' }
    },

    count () { guard(); return cache.size },

    stats (): StoreStats {
      const fault = writeFault === undefined ? {} : { writeFault: { since: writeFault.since, reason: rootReason(writeFault.cause) } }
      return { messages: cache.size, ...counters, ...fault }
    },

    async sweep (now = clock.now()) {
      guardDb()
      if (!Number.isSafeInteger(now) || now < 0) throw new C5Error('STORE_INVALID_ARGUMENT', 'now must be a non-negative integer (ms)')
      // One sweep at a time: a second caller shares the running one.
      if (sweeping !== undefined) return sweeping
      // Before anything is written: from now on, status() reads for expiries up to `now`.
      if (now > sweptUpTo) sweptUpTo = now
      for (const [hex, expires] of unexpiredTombstones) if (expires <= sweptUpTo) unexpiredTombstones.delete(hex)
      sweeping = sweepExpired({ sublevels: s, write: writeMaybeSync, decode: (d, v) => { try { return decodeStored(d, v) } catch { counters.corruptSkipped++; return undefined } }, cache, graceMs, stopped: () => state !== 'open' }, now)
        .then((r) => { counters.swept += r.expired; counters.tombstonesDropped += r.tombstonesDropped; return r })
        .finally(() => { sweeping = undefined })
      return sweeping
    },

    async discard (digests) {
      guardDb()
      if (!Array.isArray(digests)) throw new C5Error('STORE_INVALID_ARGUMENT', 'discard takes a list of digests')
      const found: Uint8Array[] = []
      const ops: BatchOp[] = []
      for (const d of digests) {
        checkDigest(d)
        const m = await loadOrSkip(d)
        if (m === undefined) continue
        ops.push(...discardOps(s, m.envelope))
        found.push(d)
        // Recorded before the write lands: until then the message is still in the cache,
        // which status() consults first, so no answer is wrong meanwhile.
        if (m.envelope.expires > sweptUpTo) unexpiredTombstones.set(bytesKey(d), m.envelope.expires)
      }
      if (ops.length > 0) await writeMaybeSync(ops, true)
      for (const d of found) cache.removeId(d)
      return found.length
    },

    async tombstone (entries) {
      guardDb()
      if (!Array.isArray(entries)) throw new C5Error('STORE_INVALID_ARGUMENT', 'tombstone takes a list of { digest, expires }')
      const ops: BatchOp[] = []
      for (const { digest, expires } of entries) {
        checkDigest(digest)
        if (!Number.isSafeInteger(expires)) throw new C5Error('STORE_INVALID_ARGUMENT', 'expires must be an integer (ms)')
        if (cache.has(digest) || await tombstoneLookups.has(digest)) continue
        ops.push(...tombstoneOps(s, digest, expires))
        if (expires > sweptUpTo) unexpiredTombstones.set(bytesKey(digest), expires)
      }
      if (ops.length > 0) await writeMaybeSync(ops, false)
      return ops.length / 2
    },

    peers: createPeerBook(() => s, guardDb, () => { counters.corruptSkipped++ }, writeMaybeSync),
    meta: createMetaBook(() => s, guardDb, writeMaybeSync)
  }
  return store
}

/** Batch ops writing a meta value, to pass as `extra` to put() (same atomic batch). */
export function batchOpsForMeta (store: MessageStore, name: string, value: Parameters<MessageStore['meta']['put']>[1]): BatchOp[] {
  return store.meta.ops(name, value)
}
