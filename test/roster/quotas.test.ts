/**
 * Quotas (docs/protocol/roster.md §Quotas): the pure rules, the roster field, and what a
 * node decides with them on a real store — the same on every node whatever the order in
 * which messages arrive.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import { admissiblePrefix, DEFAULT_AUTHOR_QUOTA, DEFAULT_MAX_LIFETIME_MS, entryBefore, resolveQuotas, windowOf, type WindowEntry } from '../../src/roster/quotas.js'
import { decodeRosterDocument, encodeRosterDocument } from '../../src/roster/index.js'
import { composeEnvelope, type Envelope } from '../../src/envelope/index.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { verify as verifySignature, toHex } from '../../src/identity/index.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import type { Quotas } from '../../src/roster/types.js'
import { tempDir } from '../helpers/tmp.js'
import { isC5Error } from '../../src/errors.js'

const HOUR = 3_600_000
const T0 = 1_780_000_000_000 - (1_780_000_000_000 % HOUR) + 10 * 60_000 // ten minutes into a window

describe('quota rules (pure)', () => {
  it('the admissible messages of a window are the longest (created, id) prefix within both limits (property, against a brute force)', () => {
    const entry = fc.record({ created: fc.integer({ min: 0, max: 20 }), key: fc.string({ minLength: 1, maxLength: 3 }), bytes: fc.integer({ min: 1, max: 50 }) })
    fc.assert(fc.property(fc.uniqueArray(entry, { selector: e => e.key, maxLength: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 400 }), (es, messages, bytes) => {
      const sorted = [...es].sort((a, b) => entryBefore(a, b) ? -1 : 1)
      const n = admissiblePrefix(sorted, { messages, bytes })
      // brute force: an entry is admissible iff it and every entry before it fit
      const ok = (i: number): boolean => i + 1 <= messages && sorted.slice(0, i + 1).reduce((s, e) => s + e.bytes, 0) <= bytes
      const want = sorted.findIndex((_, i) => !ok(i))
      expect(n).toBe(want === -1 ? sorted.length : want)
    }))
  })

  it('defaults apply where the roster says nothing; a kind the roster names is limited as it says', () => {
    const d = resolveQuotas(undefined)
    expect(d.perAuthor).toEqual(DEFAULT_AUTHOR_QUOTA)
    expect(d.maxLifetimeMs('bulletin', 'routine')).toBe(DEFAULT_MAX_LIFETIME_MS.bulletin)
    expect(d.maxLifetimeMs('alert', 'flash')).toBeUndefined() // a stolen-vehicle report may stay for months
    expect(d.maxLifetimeMs('roster', 'routine')).toBeUndefined()
    const q = resolveQuotas({ windowMs: 10 * 60_000, maxLifetimeMs: { alert: { routine: 7 * 24 * HOUR } } })
    expect(q.windowMs).toBe(600_000)
    expect(q.maxLifetimeMs('alert', 'routine')).toBe(7 * 24 * HOUR)
    expect(q.maxLifetimeMs('alert', 'flash')).toBeUndefined()
    expect(windowOf(T0, HOUR)).toBe(T0 - 10 * 60_000)
  })

  it('the roster carries quotas canonically; a malformed quota is refused naming the field', () => {
    const world = createTestWorld(['MX-YUC'], T0)
    const quotas: Quotas = { windowMs: 30 * 60_000, perAuthor: { messages: 100, bytes: 1_000_000 }, perOrg: { messages: 400, bytes: 4_000_000 }, maxLifetimeMs: { bulletin: { routine: 24 * HOUR, flash: 2 * HOUR } } }
    const doc = { ...world.document, quotas }
    expect(decodeRosterDocument(encodeRosterDocument(doc)).quotas).toEqual(quotas)
    for (const [bad, path] of [
      [{ windowMs: 5 }, 'document.quo.win'],
      [{ perAuthor: { messages: 0, bytes: 1 } }, 'document.quo.am'],
      [{ maxLifetimeMs: { bulletin: { soon: 1 } } }, 'document.quo.life.bulletin.soon'],
      [{ maxLifetimeMs: { nokind: { routine: HOUR } } }, 'document.quo.life.nokind']
    ] as const) {
      let err: unknown
      try { encodeRosterDocument({ ...world.document, quotas: bad as Quotas }) } catch (e) { err = e }
      expect(isC5Error(err, 'ROSTER_MALFORMED') && (err as any).details.path).toBe(path)
    }
  })
})

describe('quotas on a node (real LevelDB)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let cores: NodeCore[] = []
  let now = T0
  let verified = 0
  const QUOTAS: Quotas = { perAuthor: { messages: 5, bytes: 1e9 }, perOrg: { messages: 8, bytes: 1e9 } }
  let world: TestWorld

  const open = async (name: string): Promise<NodeCore> => {
    const counting = { verify: (k: Uint8Array, p: Uint8Array, s: Uint8Array) => { verified++; return verifySignature(k, p, s) } }
    const core = await openNodeCore({ storePath: join(dir.path, name), anchors: world.anchors, clock: { now: () => now }, verifier: counting })
    cores.push(core)
    if (core.roster.version() === 0) expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
    return core
  }
  const bulletin = (i: number, created: number, ttlS = 3600, who = 0): Envelope => // who: which operator
    composeEnvelope({ kind: 'bulletin', org: world.members[0].org, ttlS, content: { msgType: 'Alert', headline: `boletín ${i}` } }, world.members[who].operator, { now: created })
  const stored = async (core: NodeCore, envs: Envelope[]): Promise<number[]> => {
    const out: number[] = []
    for (let i = 0; i < envs.length; i++) if (await core.store.status(envs[i].digest) === 'stored') out.push(i)
    return out
  }

  beforeEach(async () => {
    now = T0
    verified = 0
    dir = await tempDir()
    world = createTestWorld(['MX-YUC', 'MX-YUC'], T0, [], { quotas: QUOTAS }) // two operators of one org
  })
  afterEach(async () => { for (const c of cores.splice(0)) await c.close(); await dir.cleanup() })

  it('a bulletin living longer than 30 days is refused before its signature is checked', async () => {
    const core = await open('a')
    verified = 0
    const r = await core.ingest.ingest(bulletin(0, now, 40 * 24 * 3600).bytes, 'peer:x')
    expect(r).toMatchObject({ ok: false, code: 'QUOTA_LIFETIME_EXCEEDED' })
    expect(verified).toBe(0)
    expect((await core.ingest.ingest(bulletin(1, now, 20 * 24 * 3600).bytes, 'peer:x')).ok).toBe(true)
  })

  it('an author past its quota is refused — cheaply once its window is full — and the refused ids are remembered', async () => {
    const core = await open('a')
    const envs = Array.from({ length: 8 }, (_, i) => bulletin(i, now + i * 1000))
    const codes = []
    for (const e of envs) { const r = await core.ingest.ingest(e.bytes, 'peer:x'); codes.push(r.ok ? 'ok' : r.code) }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED'])
    expect(verified).toBe(5 + 1) // the roster, five messages: the refused ones cost no verification
    // The next window starts afresh.
    now += HOUR
    expect((await core.ingest.ingest(bulletin(9, now).bytes, 'peer:x')).ok).toBe(true)
    now -= HOUR
    // After a restart the window is read back from the store: still full.
    await core.close(); cores = []
    const again = await open('a')
    expect(await again.ingest.ingest(bulletin(10, now + 30_000).bytes, 'peer:x')).toMatchObject({ ok: false, code: 'QUOTA_EXCEEDED' })
  })

  it('every node keeps the same messages whatever the arrival order: an earlier message evicts the last one that no longer fits', async () => {
    const envs = Array.from({ length: 7 }, (_, i) => bulletin(i, now + i * 1000))
    const inOrder = await open('in-order')
    for (const e of envs) await inOrder.ingest.ingest(e.bytes, 'peer:x')
    const reversed = await open('reversed')
    for (const e of [...envs].reverse()) await reversed.ingest.ingest(e.bytes, 'peer:x')
    const shuffled = await open('shuffled')
    for (const i of [3, 6, 0, 5, 1, 4, 2]) await shuffled.ingest.ingest(envs[i].bytes, 'peer:x')
    for (const core of [inOrder, reversed, shuffled]) expect(await stored(core, envs)).toEqual([0, 1, 2, 3, 4])
    // In order, 5 and 6 were refused before their signatures (nothing to remember: they
    // were not verified). Reversed, they were stored, then evicted: tombstoned, so offered
    // again they are "known" and reconciliation does not fetch them again.
    expect(reversed.ingest.stats().evicted).toBe(2)
    expect(await reversed.store.status(envs[6].digest)).toBe('tombstone')
    expect(await reversed.ingest.ingest(envs[6].bytes, 'peer:y')).toMatchObject({ ok: false, code: 'INGEST_TOMBSTONED' })
    expect(reversed.store.syncItems(now).length).toBe(inOrder.store.syncItems(now).length)
  })

  it('an org is limited across its authors', async () => {
    const core = await open('a')
    const byOperator = Array.from({ length: 5 }, (_, i) => bulletin(i, now + i * 1000, 3600, 0))
    const byNode = Array.from({ length: 5 }, (_, i) => bulletin(100 + i, now + 500 + i * 1000, 3600, 1)) // the other operator
    for (const e of [...byOperator, ...byNode]) await core.ingest.ingest(e.bytes, 'peer:x')
    // Eight per org, taken in (created, id) order across both authors: the last of each do not fit.
    expect((await stored(core, [...byOperator, ...byNode])).length).toBe(8)
    expect(await stored(core, byOperator)).toEqual([0, 1, 2, 3])
    expect(await stored(core, byNode)).toEqual([0, 1, 2, 3])
  })
})
