/**
 * Paging with `before` (the API's cursor): walking any query page by page, each page
 * starting after the last entry of the one before, yields exactly the one-shot answer —
 * nothing skipped, nothing twice — including ties on `created` (broken by digest).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PRECEDENCES } from '../../src/envelope/types.js'
import type { Envelope, Precedence } from '../../src/envelope/types.js'
import { createStore } from '../../src/store/index.js'
import type { MessageStore, QueryOptions } from '../../src/store/index.js'
import { HOUR_MS, keyPair, makeEnvelope, T0_MS, tempDir } from './helpers.js'

const ORGS = ['MX-YUC', 'MX-CMX', 'CNI']

describe('store query paging (before)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: MessageStore
  const all: Envelope[] = []

  beforeAll(async () => {
    dir = await tempDir()
    store = createStore({ path: dir.path })
    await store.open()
    for (let i = 0; i < 80; i++) {
      const env = makeEnvelope({ seq: i, org: ORGS[i % 3], precedence: PRECEDENCES[(i * 3) % 4] as Precedence, author: keyPair(1 + (i % 2)), created: T0_MS + Math.floor(i / 4) * HOUR_MS })
      all.push(env)
      await store.put(env, { received: T0_MS, source: 'test' })
    }
  })
  afterAll(async () => { await store.close(); await dir.cleanup() })

  async function paged (q: QueryOptions, pageSize: number): Promise<string[]> {
    const out: string[] = []
    let before: QueryOptions['before']
    for (let guard = 0; guard < 200; guard++) {
      const page = await store.query({ ...q, limit: pageSize, ...(before === undefined ? {} : { before }) })
      out.push(...page.map(m => m.envelope.id))
      if (page.length < pageSize) return out
      const last = page[page.length - 1].envelope
      before = { created: last.created, digest: last.digest }
    }
    throw new Error('paging did not end')
  }

  it('pages add up to the one-shot answer, for every driving index and page size', async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ org: fc.constantFrom(...ORGS), precedence: fc.constantFrom(...PRECEDENCES), author: fc.constantFrom(keyPair(1).publicKey, keyPair(2).publicKey), until: fc.integer({ min: 0, max: 25 }).map(h => T0_MS + h * HOUR_MS) }, { requiredKeys: [] }),
      fc.integer({ min: 1, max: 9 }),
      async (filters, pageSize) => {
        const whole = (await store.query({ ...filters, order: 'newest', limit: 1000 })).map(m => m.envelope.id)
        expect(await paged({ ...filters, order: 'newest' }, pageSize)).toEqual(whole)
      }
    ), { numRuns: 40 })
  })

  it('refuses before with the urgent order, and a malformed before', async () => {
    await expect(store.query({ order: 'urgent', before: { created: T0_MS, digest: all[0].digest } })).rejects.toMatchObject({ code: 'STORE_INVALID_ARGUMENT' })
    await expect(store.query({ before: { created: T0_MS, digest: new Uint8Array(3) } })).rejects.toMatchObject({ code: 'STORE_INVALID_ARGUMENT' })
  })
})
