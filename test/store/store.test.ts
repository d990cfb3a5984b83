import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isC5Error } from '../../src/errors.js'
import { batchOpsForMeta, createStore, STORE_SCHEMA_VERSION } from '../../src/store/index.js'
import { SCAN_BATCH_MESSAGES } from '../../src/store/constants.js'
import type { MessageStore } from '../../src/store/index.js'
import { HOUR_MS, hex, keyPair, makeEnvelope, T0_MS, tempDir } from './helpers.js'

async function expectCode (p: Promise<unknown> | (() => unknown), code: string): Promise<Error> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(isC5Error(err) ? err.code : err).toBe(code)
    return err as Error
  }
  throw new Error(`expected ${code}, nothing thrown`)
}

const meta = { received: T0_MS + 5, source: 'local' }
const raw = (path: string): Level<Uint8Array, Uint8Array> => new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
const rawKey = (sublevel: string, key: Uint8Array | string): Uint8Array =>
  Buffer.concat([Buffer.from(`!${sublevel}!`), typeof key === 'string' ? Buffer.from(key) : key])

describe('store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: MessageStore

  beforeEach(async () => {
    dir = await tempDir()
    store = createStore({ path: dir.path })
    await store.open()
  })
  afterEach(async () => {
    await store.close()
    await dir.cleanup()
  })

  it('puts, gets by id, hex and digest, and reports status', async () => {
    const env = makeEnvelope({ seq: 1 })
    expect(await store.status(env.digest)).toBeUndefined()
    await store.put(env, meta)
    expect(await store.status(env.digest)).toBe('stored')
    for (const key of [env.id, hex(env.digest), env.digest]) {
      const got = await store.get(key)
      expect(got?.envelope.id).toBe(env.id)
      expect(got?.envelope.bytes).toEqual(env.bytes)
      expect(got?.received).toBe(meta.received)
      expect(got?.source).toBe('local')
    }
    expect(await store.get(makeEnvelope({ seq: 2 }).id)).toBeUndefined()
    expect(store.count()).toBe(1)
  })

  it('persists across close and reopen', async () => {
    const env = makeEnvelope({ seq: 3 })
    await store.put(env, meta, { sync: true })
    await store.close()
    store = createStore({ path: dir.path })
    await store.open()
    expect((await store.get(env.id))?.envelope.digest).toEqual(env.digest)
    expect(store.syncItems(T0_MS)).toEqual([{ timestamp: env.created, id: env.digest }])
  })

  it('syncMeta answers created time and precedence from memory, after a put and after a reopen', async () => {
    const precs = ['flash', 'immediate', 'priority', 'routine'] as const
    const envs = precs.map((precedence, i) => makeEnvelope({ seq: 10 + i, precedence, created: T0_MS + i }))
    for (const e of envs) await store.put(e, meta)
    const check = (): void => {
      envs.forEach((e, i) => { expect(store.syncMeta(e.digest)).toEqual({ created: T0_MS + i, precedence: precs[i] }) })
      expect(store.syncMeta(makeEnvelope({ seq: 99 }).digest)).toBeUndefined()
    }
    check()
    await store.close()
    store = createStore({ path: dir.path })
    await store.open() // the ranks come back from idx-prec
    check()
  })

  it('refuses bad arguments with STORE_INVALID_ARGUMENT', async () => {
    await expectCode(store.get('not-an-id'), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.get(new Uint8Array(31)), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.status(new Uint8Array(5)), 'STORE_INVALID_ARGUMENT')
    expect(() => store.peekStatus(new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'STORE_INVALID_ARGUMENT' }))
    const env = makeEnvelope()
    await expectCode(store.put({ ...env, digest: new Uint8Array(3) }, meta), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.put({ ...env, digest: makeEnvelope({ seq: 77 }).digest }, meta), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.put(env, { received: -1, source: 'x' }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.put(env, { received: 1, source: 'x'.repeat(2000) }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.query({ limit: 0 }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.query({ limit: 10_001 }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.query({ kind: 'nope' as never }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.query({ references: new Uint8Array(8) }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.query({ since: -5 }), 'STORE_INVALID_ARGUMENT')
    expect(store.count()).toBe(0)
  })

  it('is closed after close (idempotent) and before open', async () => {
    await store.close()
    await store.close()
    await expectCode(store.get(makeEnvelope().id), 'STORE_CLOSED')
    await expectCode(store.put(makeEnvelope(), meta), 'STORE_CLOSED')
    await expectCode(() => store.syncItems(0), 'STORE_CLOSED')
    await expectCode(store.open(), 'STORE_CLOSED')
    const fresh = createStore({ path: dir.path })
    await expectCode(fresh.query({}), 'STORE_CLOSED')
  })

  it('reports a folder LevelDB cannot open as STORE_OPEN_FAILED', async () => {
    const { writeFile } = await import('node:fs/promises')
    const file = `${dir.path}-file`
    await writeFile(file, 'not a directory')
    const err = await expectCode(createStore({ path: file }).open(), 'STORE_OPEN_FAILED')
    // The message carries LevelDB's own reason, for the operator reading one line.
    expect(err.message).toMatch(/could not be opened \(EEXIST: file already exists/)
    const { rm } = await import('node:fs/promises')
    await rm(file)
  })

  it('refuses a second open of the same folder with STORE_LOCKED', async () => {
    const second = createStore({ path: dir.path })
    await expectCode(second.open(), 'STORE_LOCKED')
  })

  it('writes the message, its indexes and the extra ops in one batch', async () => {
    const env = makeEnvelope({ seq: 4 })
    await store.put(env, meta, { extra: batchOpsForMeta(store, 'roster', new Uint8Array([1, 2, 3])) })
    expect(await store.meta.get('roster')).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('writes nothing when an extra op fails (plain and sync)', async () => {
    const env = makeEnvelope({ seq: 5 })
    const badOp = { type: 'put', key: new Uint8Array([1]), value: undefined } as never
    for (const sync of [false, true]) {
      await expect(store.put(env, meta, { sync, extra: [...store.meta.ops('x', 1), badOp] })).rejects.toThrow()
      expect(await store.status(env.digest)).toBeUndefined()
      expect(await store.meta.get('x')).toBeUndefined()
      expect(await store.query({})).toEqual([])
      expect(store.count()).toBe(0)
    }
  })

  it('group-commits concurrent sync puts into far fewer fsyncs; one failing member does not fail the rest', async () => {
    const envs = Array.from({ length: 50 }, (_, i) => makeEnvelope({ seq: 100 + i }))
    await Promise.all(envs.map(async (e) => { await store.put(e, meta, { sync: true }) }))
    const { syncWrites, syncPuts } = store.stats()
    expect(syncPuts).toBe(50)
    expect(syncWrites).toBeLessThanOrEqual(5)
    expect(store.count()).toBe(50)

    const good = [makeEnvelope({ seq: 200 }), makeEnvelope({ seq: 201 })]
    const bad = makeEnvelope({ seq: 202 })
    const badOp = { type: 'put', key: new Uint8Array([1]), value: undefined } as never
    const results = await Promise.allSettled([
      store.put(good[0], meta, { sync: true }),
      store.put(bad, meta, { sync: true, extra: [badOp] }),
      store.put(good[1], meta, { sync: true })
    ])
    expect(results.map(r => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(await store.status(bad.digest)).toBeUndefined()
    expect(await store.status(good[0].digest)).toBe('stored')
    expect(await store.status(good[1].digest)).toBe('stored')
  })

  it('groups concurrent plain puts into few batches and keeps writes in submission order', async () => {
    const envs = Array.from({ length: 40 }, (_, i) => makeEnvelope({ seq: 300 + i }))
    const before = store.stats().writes
    await Promise.all(envs.map(async (e) => { await store.put(e, meta) }))
    expect(store.stats().writes - before).toBeLessThanOrEqual(4)
    expect(store.count()).toBe(40)
    // A plain write followed by a sync write of the same name: the later one wins.
    await Promise.all([store.meta.put('order', 1), store.meta.put('order', 2, { sync: true }), store.meta.put('order', 3)])
    expect(await store.meta.get('order')).toBe(3)
  })

  it('reports an unreadable peer record as STORE_CORRUPT and skips it in list()', async () => {
    const k = hex(keyPair(9).publicKey)
    await store.peers.put({ key: hex(keyPair(10).publicKey), addrs: [] })
    await store.close()
    const db = raw(dir.path)
    await db.put(rawKey('peer', k), Buffer.from('{"key":'))
    await db.close()
    store = createStore({ path: dir.path })
    await store.open()
    await expectCode(store.peers.get(k), 'STORE_CORRUPT')
    expect((await store.peers.list()).map(p => p.key)).toEqual([hex(keyPair(10).publicKey)])
  })

  it('syncItems lists unexpired messages sorted by (timestamp, id)', async () => {
    const envs = [
      makeEnvelope({ seq: 1, created: T0_MS + 3 * HOUR_MS, ttlS: 3600 }),
      makeEnvelope({ seq: 2, created: T0_MS, ttlS: 3600 }),
      makeEnvelope({ seq: 3, created: T0_MS, ttlS: 10 * 3600 }),
      makeEnvelope({ seq: 4, created: T0_MS + HOUR_MS, ttlS: 3600 })
    ]
    for (const e of envs) await store.put(e, meta)
    await store.put(envs[0], meta) // a duplicate put changes nothing
    const items = store.syncItems(T0_MS)
    expect(items).toHaveLength(4)
    const sorted = [...items].sort((a, b) => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id))
    expect(items).toEqual(sorted)
    // At T0+1h, the 1h-TTL message created at T0 has expired (expires <= now).
    const later = store.syncItems(T0_MS + HOUR_MS)
    expect(later.map(i => hex(i.id)).sort()).toEqual([envs[0], envs[2], envs[3]].map(e => hex(e.digest)).sort())
    expect(store.count()).toBe(4)
  })

  it('reports a corrupt record as STORE_CORRUPT on get and skips it in queries', async () => {
    const good = makeEnvelope({ seq: 1 })
    const bad = makeEnvelope({ seq: 2 })
    await store.put(good, meta)
    await store.put(bad, meta)
    await store.close()
    const db = raw(dir.path)
    const key = rawKey('msg', bad.digest)
    const value = (await db.get(key)) as Uint8Array
    value[value.length - 70] ^= 0xff // inside the signed part
    await db.put(key, value)
    await db.put(rawKey('msg', good.digest.map(b => b ^ 1)), new Uint8Array([9, 9]))
    await db.close()

    store = createStore({ path: dir.path })
    await store.open()
    await expectCode(store.get(bad.id), 'STORE_CORRUPT')
    await expectCode(store.get(good.digest.map(b => b ^ 1)), 'STORE_CORRUPT')
    expect((await store.get(good.id))?.envelope.id).toBe(good.id)
    const all = await store.query({})
    expect(all.map(m => m.envelope.id)).toEqual([good.id])
    expect(store.stats().corruptSkipped).toBe(1)
  })

  it('scanKindBatches: one kind, oldest first, in batches of at most SCAN_BATCH_MESSAGES, a bad record skipped; an early stop releases the iterator', async () => {
    const n = SCAN_BATCH_MESSAGES * 2 + 7
    const alerts = Array.from({ length: n }, (_, i) => makeEnvelope({ seq: i, created: T0_MS + (n - i) * 1000 }))
    const bulletins = Array.from({ length: 5 }, (_, i) => makeEnvelope({ seq: 10_000 + i, kind: 'bulletin' }))
    await Promise.all([...alerts, ...bulletins].map(async e => await store.put(e, meta)))
    // A record whose header is damaged (the index still points at it).
    await store.close()
    const db = raw(dir.path)
    const broken = alerts[3]
    await db.put(rawKey('msg', broken.digest), new Uint8Array([9, 9]))
    await db.close()
    store = createStore({ path: dir.path })
    await store.open()

    const sizes: number[] = []
    const seen: string[] = []
    for await (const batch of store.scanKindBatches('alert')) {
      sizes.push(batch.length)
      for (const r of batch) {
        expect(Buffer.from(r.bytes).equals(Buffer.from(alerts.find(a => hex(a.digest) === hex(r.digest))!.bytes))).toBe(true)
        seen.push(hex(r.digest))
      }
    }
    const expected = [...alerts].filter(a => a !== broken).sort((a, b) => a.created - b.created).map(a => hex(a.digest))
    expect(seen).toEqual(expected)
    expect(sizes.every(x => x <= SCAN_BATCH_MESSAGES)).toBe(true)
    expect(sizes.length).toBeGreaterThanOrEqual(3) // nextv may hand over fewer than asked
    expect(store.stats().corruptSkipped).toBe(1)
    const b: string[] = []
    for await (const batch of store.scanKindBatches('bulletin')) b.push(...batch.map(r => hex(r.digest)))
    expect(b.sort()).toEqual(bulletins.map(e => hex(e.digest)).sort())
    // Stopping after the first batch (a read ahead in flight) closes cleanly.
    for await (const batch of store.scanKindBatches('alert')) { expect(batch.length).toBeGreaterThan(0); break }
    await store.close()
    store = createStore({ path: dir.path })
    await store.open()
  })

  it('writes the schema version at first open and refuses another version', async () => {
    expect(await store.meta.get('_schema')).toBe(STORE_SCHEMA_VERSION)
    await store.close()
    const db = raw(dir.path)
    await db.put(rawKey('meta', '_schema'), new Uint8Array([0x01, 0x32])) // JSON 2
    await db.close()
    store = createStore({ path: dir.path })
    await expectCode(store.open(), 'STORE_SCHEMA_MISMATCH')
  })

  it('refuses a non-empty database without a schema record', async () => {
    await store.close()
    const other = await tempDir()
    const db = raw(other.path)
    await db.put(new Uint8Array([1]), new Uint8Array([2]))
    await db.close()
    store = createStore({ path: other.path })
    await expectCode(store.open(), 'STORE_SCHEMA_MISMATCH')
    await other.cleanup()
  })

  it('keeps peer records', async () => {
    const k = hex(keyPair(7).publicKey)
    expect(await store.peers.get(k)).toBeUndefined()
    await store.peers.put({ key: k, addrs: ['/ip4/127.0.0.1/tcp/4001'], lastSeen: T0_MS, failures: 2 })
    expect(await store.peers.get(k)).toEqual({ key: k, addrs: ['/ip4/127.0.0.1/tcp/4001'], lastSeen: T0_MS, failures: 2 })
    await store.peers.put({ key: hex(keyPair(8).publicKey), addrs: [] })
    expect((await store.peers.list()).map(p => p.key).sort()).toEqual([k, hex(keyPair(8).publicKey)].sort())
    await expectCode(store.peers.put({ key: 'ABC', addrs: [] }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.peers.put({ key: k, addrs: Array(100).fill('/ip4/1.2.3.4') }), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.peers.put({ key: k, addrs: [], failures: -1 }), 'STORE_INVALID_ARGUMENT')
    await store.peers.delete(k)
    expect(await store.peers.get(k)).toBeUndefined()
  })

  it('keeps meta values (bytes and JSON) and protects reserved names', async () => {
    await store.meta.put('roster', new Uint8Array([0, 1, 255]), { sync: true })
    await store.meta.put('revocations', [{ key: 'ab', effective: 5 }])
    expect(await store.meta.get('roster')).toEqual(new Uint8Array([0, 1, 255]))
    expect(await store.meta.get('revocations')).toEqual([{ key: 'ab', effective: 5 }])
    expect(await store.meta.get('missing')).toBeUndefined()
    await expectCode(store.meta.put('_schema', 2), 'STORE_INVALID_ARGUMENT')
    await expectCode(store.meta.put('', 2), 'STORE_INVALID_ARGUMENT')
  })
})
