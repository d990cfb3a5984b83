/**
 * Generates the v1 on-disk store fixture (test/fixtures/store-v1/): deterministic keys
 * and times, so every run writes the same records. test/store/fixture.test.ts opens a
 * copy of the committed fixture and also checks that today's code writes byte-identical
 * records, so any change of the on-disk layout (docs/protocol/store.md) fails a test.
 *
 * Usage: node --import tsx scripts/make-store-fixture.ts [outDir]
 * Only regenerate together with a schema version bump and a migration.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { signEnvelope } from '../src/envelope/codec.js'
import type { Envelope, UnsignedEnvelope } from '../src/envelope/types.js'
import { keyPairFromSeed } from '../src/identity/keys.js'
import { createStore } from '../src/store/store.js'
import type { MessageStore } from '../src/store/types.js'

export const FIXTURE_T0_MS = Date.UTC(2026, 0, 15, 12, 0, 0) // 2026-01-15T12:00:00Z
const HOUR_MS = 3_600_000
/** After the bulletin's expiry (T0 + 2 h) and before the others': one tombstone results. */
export const FIXTURE_SWEEP_AT_MS = FIXTURE_T0_MS + 3 * HOUR_MS
export const FIXTURE_GRACE_MS = 30 * 24 * HOUR_MS

const alice = keyPairFromSeed(new Uint8Array(32).fill(0xa1)) // operator, MX-YUC
const bob = keyPairFromSeed(new Uint8Array(32).fill(0xb0)) // operator, MX-CMX
export const FIXTURE_PEER_KEY = Buffer.from(keyPairFromSeed(new Uint8Array(32).fill(0xc0)).publicKey).toString('hex')

function base (author: Uint8Array, org: string, createdOffsetMs: number, ttlS: number): Omit<UnsignedEnvelope, 'kind' | 'precedence'> {
  const created = FIXTURE_T0_MS + createdOffsetMs
  return { version: 1, author, org, created, expires: created + ttlS * 1000, scope: [], references: [] }
}

/** The fixture's messages, in the order they are put. */
export function fixtureEnvelopes (): { alert: Envelope, bulletin: Envelope, ack: Envelope, update: Envelope } {
  const alert = signEnvelope({
    ...base(alice.publicKey, 'MX-YUC', 0, 48 * 3600),
    kind: 'alert',
    precedence: 'flash',
    content: { msgType: 'Alert', category: 'Security', headline: 'Robo de vehiculo, placas YUC-123-A', parameters: [{ name: 'placa', value: 'YUC-123-A' }] }
  }, alice.privateKey)
  const bulletin = signEnvelope({
    ...base(bob.publicKey, 'MX-CMX', 60_000, 2 * 3600),
    kind: 'bulletin',
    precedence: 'routine',
    scope: ['MX-YUC'],
    content: { msgType: 'Alert', headline: 'Boletin de practicas' }
  }, bob.privateKey)
  const ack = signEnvelope({
    ...base(bob.publicKey, 'MX-CMX', 120_000, 48 * 3600),
    kind: 'ack',
    precedence: 'priority',
    references: [alert.digest],
    note: 'recibido'
  }, bob.privateKey)
  const update = signEnvelope({
    ...base(alice.publicKey, 'MX-YUC', 180_000, 48 * 3600),
    kind: 'alert',
    precedence: 'immediate',
    references: [alert.digest],
    content: { msgType: 'Update', headline: 'Vehiculo localizado' }
  }, alice.privateKey)
  return { alert, bulletin, ack, update }
}

export const FIXTURE_ROSTER_BYTES = Uint8Array.from([0xc5, 0x01, 0x02, 0x03])
export const FIXTURE_REVOCATIONS = [{ key: 'ab'.repeat(32), effective: FIXTURE_T0_MS }]

/** Writes every fixture record into an open, empty store. */
export async function populateFixtureStore (store: MessageStore): Promise<void> {
  const { alert, bulletin, ack, update } = fixtureEnvelopes()
  await store.put(alert, { received: FIXTURE_T0_MS + 1, source: 'local' }, { sync: true })
  await store.put(bulletin, { received: FIXTURE_T0_MS + 60_001, source: 'peer:12D3KooWFixture' })
  await store.put(ack, { received: FIXTURE_T0_MS + 120_001, source: 'radio:XE3C5' })
  await store.put(update, { received: FIXTURE_T0_MS + 180_001, source: 'file:bundle-1.c5b' }, { extra: store.meta.ops('roster', FIXTURE_ROSTER_BYTES) })
  await store.meta.put('revocations', FIXTURE_REVOCATIONS)
  await store.peers.put({ key: FIXTURE_PEER_KEY, addrs: ['/ip4/10.5.0.7/tcp/4001', '/dns4/c5-yuc.example/tcp/443/wss'], lastSeen: FIXTURE_T0_MS + 200_000, lastConnected: FIXTURE_T0_MS + 100_000, failures: 1 })
  await store.sweep(FIXTURE_SWEEP_AT_MS)
}

async function main (outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true })
  const store = createStore({ path: outDir, options: { tombstoneGraceMs: FIXTURE_GRACE_MS } })
  await store.open()
  await populateFixtureStore(store)
  await store.close()
  // LevelDB's text logs carry wall-clock times and are not needed to open the database.
  for (const f of await readdir(outDir)) {
    if (f === 'LOG' || f === 'LOG.old' || f === 'LOCK') await rm(join(outDir, f))
  }
  console.log(`wrote ${outDir}: ${(await readdir(outDir)).join(' ')}`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv[2] ?? 'test/fixtures/store-v1')
}
