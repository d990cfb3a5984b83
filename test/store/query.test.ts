/**
 * Queries against a brute-force model: every answer the indexes give must equal filtering
 * and sorting the full set in memory (fast-check generates the queries).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRECEDENCES, precedenceRank } from '../../src/envelope/types.js'
import type { Envelope, Kind, Precedence } from '../../src/envelope/types.js'
import { createStore } from '../../src/store/index.js'
import type { MessageStore, QueryOptions } from '../../src/store/index.js'
import { HOUR_MS, hex, keyPair, makeEnvelope, T0_MS, tempDir } from './helpers.js'

const ORGS = ['MX-YUC', 'MX-CMX', 'CNI']
const KINDS_USED: Kind[] = ['alert', 'bulletin', 'ack']
const AUTHORS = [keyPair(1), keyPair(2), keyPair(3)]

function model (all: Envelope[], q: QueryOptions): string[] {
  const hit = all.filter(e =>
    (q.kind === undefined || e.kind === q.kind) &&
    (q.org === undefined || e.org === q.org) &&
    (q.precedence === undefined || e.precedence === q.precedence) &&
    (q.author === undefined || hex(e.author) === hex(q.author)) &&
    (q.references === undefined || e.references.some(r => hex(r) === hex(q.references as Uint8Array))) &&
    (q.since === undefined || e.created >= q.since) &&
    (q.until === undefined || e.created <= q.until))
  const newest = (a: Envelope, b: Envelope): number => b.created - a.created || Buffer.compare(b.digest, a.digest)
  hit.sort(q.order === 'urgent'
    ? (a, b) => precedenceRank(a.precedence) - precedenceRank(b.precedence) || newest(a, b)
    : newest)
  return hit.slice(0, q.limit ?? 100).map(e => e.id)
}

describe('store queries', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: MessageStore
  const all: Envelope[] = []

  beforeAll(async () => {
    dir = await tempDir()
    store = createStore({ path: dir.path })
    await store.open()
    // 60 messages; some share a created time (ties break by digest), acks reference alerts.
    for (let i = 0; i < 60; i++) {
      const kind = KINDS_USED[i % 3]
      // Messages from index 4 on reference one of the first four (shared targets);
      // acks also reference the message just before them.
      const refs = [...(i >= 4 ? [all[i % 4].digest] : []), ...(kind === 'ack' ? [all[i - 1].digest] : [])]
      const env = makeEnvelope({
        seq: i,
        kind,
        org: ORGS[(i * 7) % 3],
        precedence: PRECEDENCES[(i * 5) % 4] as Precedence,
        author: AUTHORS[(i * 11) % 3],
        created: T0_MS + Math.floor(i / 2) * HOUR_MS,
        references: refs
      })
      all.push(env)
      await store.put(env, { received: T0_MS, source: 'test' })
    }
  })
  afterAll(async () => {
    await store.close()
    await dir.cleanup()
  })

  it('answers each index like the brute-force model', async () => {
    const refCandidates = all.slice(0, 8).map(e => e.digest)
    const time = fc.integer({ min: 0, max: 32 }).map(h => T0_MS + h * HOUR_MS)
    const query = fc.record({
      kind: fc.constantFrom(...KINDS_USED),
      org: fc.constantFrom(...ORGS),
      precedence: fc.constantFrom(...PRECEDENCES),
      author: fc.constantFrom(...AUTHORS.map(a => a.publicKey)),
      references: fc.constantFrom(...refCandidates),
      since: time,
      until: time,
      limit: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 })),
      order: fc.constantFrom('newest' as const, 'urgent' as const)
    })
    // Up to three conditions at a time, so that answers are rarely empty.
    const filters = ['kind', 'org', 'precedence', 'author', 'references', 'since', 'until'] as const
    const picked = fc.tuple(query, fc.subarray([...filters], { maxLength: 3 }), fc.boolean(), fc.boolean())
      .map(([full, keys, withLimit, withOrder]) => {
        const q: QueryOptions = {}
        for (const k of keys) Object.assign(q, { [k]: full[k] })
        if (withLimit) q.limit = full.limit
        if (withOrder) q.order = full.order
        return q
      })
    await fc.assert(fc.asyncProperty(picked, async (q) => {
      const got = (await store.query(q)).map(m => m.envelope.id)
      expect(got).toEqual(model(all, q))
    }), { numRuns: 300 })
  })

  it('answers every single-condition query, both orders, small and large limits, like the model', async () => {
    const conditions: QueryOptions[] = [
      {},
      ...KINDS_USED.map(kind => ({ kind })),
      ...ORGS.map(org => ({ org })),
      ...AUTHORS.map(a => ({ author: a.publicKey })),
      ...PRECEDENCES.map(precedence => ({ precedence })),
      ...all.slice(0, 8).map(e => ({ references: e.digest }))
    ]
    for (const c of conditions) {
      for (const limit of [1, 2, 3, 5, 8, 100]) {
        for (const order of ['newest', 'urgent'] as const) {
          const q = { ...c, limit, order }
          expect((await store.query(q)).map(m => m.envelope.id)).toEqual(model(all, q))
        }
      }
    }
  })

  it('finds messages that reference a digest', async () => {
    const target = all[1].digest // referenced by the ack at index 2 and by every 4th from 5
    const got = await store.query({ references: target, limit: 1000 })
    expect(got.map(m => all.indexOf(all.find(e => e.id === m.envelope.id) as Envelope)).sort((a, b) => a - b))
      .toEqual([2, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57])
    expect(got[0].envelope.references.map(hex)).toContain(hex(target))
  })

  it('orders urgent as flash first, then newest', async () => {
    const got = await store.query({ order: 'urgent', limit: 60 })
    const ranks = got.map(m => precedenceRank(m.envelope.precedence))
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
    expect(got).toHaveLength(60)
  })
})
