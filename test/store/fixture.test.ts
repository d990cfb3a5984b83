/**
 * The v1 on-disk layout (docs/protocol/store.md), pinned by a committed fixture generated
 * by scripts/make-store-fixture.ts. The committed copy is never opened in place.
 */
import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore } from '../../src/store/index.js'
import type { MessageStore } from '../../src/store/index.js'
import {
  FIXTURE_GRACE_MS, FIXTURE_PEER_KEY, FIXTURE_REVOCATIONS, FIXTURE_ROSTER_BYTES, FIXTURE_SWEEP_AT_MS, FIXTURE_T0_MS,
  fixtureEnvelopes, populateFixtureStore
} from '../../scripts/make-store-fixture.js'
import { hex, tempDir } from './helpers.js'

const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'store-v1')

async function dump (path: string): Promise<Array<[string, string]>> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  const out: Array<[string, string]> = []
  for await (const [k, v] of db.iterator()) out.push([hex(k), hex(v)])
  await db.close()
  return out
}

describe('store v1 fixture', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let store: MessageStore
  const { alert, bulletin, ack, update } = fixtureEnvelopes()

  beforeEach(async () => {
    dir = await tempDir()
    await cp(FIXTURE_DIR, dir.path, { recursive: true })
    store = createStore({ path: dir.path, options: { tombstoneGraceMs: FIXTURE_GRACE_MS } })
    await store.open()
  })
  afterEach(async () => { await store.close(); await dir.cleanup() })

  it('reads every record of the committed v1 fixture', async () => {
    expect(store.count()).toBe(3)
    const expectations = [[alert, FIXTURE_T0_MS + 1, 'local'], [ack, FIXTURE_T0_MS + 120_001, 'radio:XE3C5'], [update, FIXTURE_T0_MS + 180_001, 'file:bundle-1.c5b']] as const
    for (const [env, received, source] of expectations) {
      const m = await store.get(env.id)
      expect(hex(m?.envelope.bytes as Uint8Array)).toBe(hex(env.bytes))
      expect(m?.received).toBe(received)
      expect(m?.source).toBe(source)
      expect(await store.status(env.digest)).toBe('stored')
    }
    expect(await store.get(bulletin.id)).toBeUndefined()
    expect(await store.status(bulletin.digest)).toBe('tombstone')
    expect(await store.meta.get('_schema')).toBe(1)
    expect(await store.meta.get('roster')).toEqual(FIXTURE_ROSTER_BYTES)
    expect(await store.meta.get('revocations')).toEqual(FIXTURE_REVOCATIONS)
    expect(await store.peers.list()).toEqual([{ key: FIXTURE_PEER_KEY, addrs: ['/ip4/10.5.0.7/tcp/4001', '/dns4/c5-yuc.example/tcp/443/wss'], lastSeen: FIXTURE_T0_MS + 200_000, lastConnected: FIXTURE_T0_MS + 100_000, failures: 1 }])
  })

  it('answers every index from the fixture', async () => {
    const ids = async (q: Parameters<MessageStore['query']>[0]): Promise<string[]> => (await store.query(q)).map(m => m.envelope.id)
    expect(await ids({})).toEqual([update.id, ack.id, alert.id])
    expect(await ids({ order: 'urgent' })).toEqual([alert.id, update.id, ack.id])
    expect(await ids({ kind: 'alert' })).toEqual([update.id, alert.id])
    expect(await ids({ kind: 'ack' })).toEqual([ack.id])
    expect(await ids({ kind: 'bulletin' })).toEqual([])
    expect(await ids({ org: 'MX-CMX' })).toEqual([ack.id])
    expect(await ids({ org: 'MX-YUC', order: 'urgent' })).toEqual([alert.id, update.id])
    expect(await ids({ author: alert.author })).toEqual([update.id, alert.id])
    expect(await ids({ precedence: 'priority' })).toEqual([ack.id])
    expect(await ids({ references: alert.digest })).toEqual([update.id, ack.id])
    expect(await ids({ since: FIXTURE_T0_MS + 60_000, until: FIXTURE_T0_MS + 120_000 })).toEqual([ack.id])
    expect(store.syncItems(FIXTURE_SWEEP_AT_MS).map(i => [i.timestamp, hex(i.id)]))
      .toEqual([alert, ack, update].map(e => [e.created, hex(e.digest)]))
  })

  it('is byte-identical to what this build writes for the same input', async () => {
    const fresh = await tempDir()
    const s = createStore({ path: fresh.path, options: { tombstoneGraceMs: FIXTURE_GRACE_MS } })
    await s.open()
    await populateFixtureStore(s)
    await s.close()
    const ours = await dump(fresh.path)
    await store.close()
    expect(ours).toEqual(await dump(dir.path))
    await fresh.cleanup()
  })

  it('pins the v1 key layout (hex examples of docs/protocol/store.md)', async () => {
    await store.close()
    const keys = (await dump(dir.path)).map(([k]) => Buffer.from(k, 'hex'))
    const names = [...new Set(keys.map(k => k.subarray(0, k.indexOf(0x21, 1) + 1).toString('latin1')))]
    expect(names).toEqual(['!idx-author!', '!idx-created!', '!idx-expires!', '!idx-kind!', '!idx-org!', '!idx-prec!', '!idx-ref!', '!meta!', '!msg!', '!peer!', '!tomb!', '!tomb-expires!'])
    const created = keys.filter(k => k.toString('latin1').startsWith('!idx-created!')).map(k => hex(k.subarray(13)))
    expect(created[0]).toBe('0000019bc186de00' + hex(alert.digest))
    const kind = keys.filter(k => k.toString('latin1').startsWith('!idx-kind!')).map(k => hex(k.subarray(10)))
    expect(kind[0]).toBe('0361636b' + '0000019bc188b2c0' + hex(ack.digest))
  })
})
