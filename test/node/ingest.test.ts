import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { join } from 'node:path'
import { createHash } from 'node:crypto'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { MAX_SOURCES_COUNTED, REJECTION_LOG_SIZE } from '../../src/node/ingest.js'
import { composeEnvelope } from '../../src/envelope/index.js'
import { generateKeyPair, verify as verifySignature } from '../../src/identity/index.js'
import { createTestWorld, signWorldRoster, type TestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'
import { addRevocationToDocument, nextVersion, removeMember } from '../../src/roster/index.js'

const T0 = 1_780_000_000_000 // a fixed instant (2026) — the injected clock starts here
const MIN = 60_000

function alert (w: TestWorld, i: number, now: number, extra: Partial<Parameters<typeof composeEnvelope>[0]> = {}) {
  return composeEnvelope({ kind: 'alert', org: w.members[i].org, content: { msgType: 'Alert', urgency: 'Immediate', severity: 'Severe', headline: `robo ${now}` }, ...extra }, w.members[i].operator, { now })
}

describe('ingest', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let core: NodeCore
  let now = T0
  let world: TestWorld
  const open = async () => openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => now } })

  beforeEach(async () => {
    now = T0
    dir = await tempDir()
    world = createTestWorld(['MX-YUC', 'MX-CMX'], T0)
    core = await open()
    const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
    expect(r.ok).toBe(true)
  })
  afterEach(async () => { await core.close(); await dir.cleanup() })

  it('stores an operator alert once, emits one event, and reports a duplicate the second time', async () => {
    const env = alert(world, 0, now)
    const seen: string[] = []
    core.ingest.events.on('message', e => seen.push(e.envelope.id))
    const [a, b] = await Promise.all([core.ingest.ingest(env.bytes, 'peer:x'), core.ingest.ingest(env.bytes, 'peer:y')])
    const results = [a, b].map(r => r.ok ? 'ok' : r.code).sort()
    expect(results).toEqual(['INGEST_DUPLICATE', 'ok'])
    expect(seen).toEqual([env.id])
    const again = await core.ingest.ingest(env.bytes, 'peer:z')
    expect(again).toMatchObject({ ok: false, code: 'INGEST_DUPLICATE' })
    expect((await core.store.get(env.id))?.envelope.id).toBe(env.id)
  })

  it('uses the digest a caller has just computed (a sync session) and reports an in-flight copy with its id', async () => {
    const env = alert(world, 0, now)
    const digestOfBytes = new Uint8Array(createHash('sha256').update(env.bytes).digest())
    const [a, b] = await Promise.all([
      core.ingest.ingest(env.bytes, 'peer:x', { digestOfBytes }),
      core.ingest.ingest(env.bytes, 'peer:y', { digestOfBytes })
    ])
    expect(a).toMatchObject({ ok: true, envelope: { id: env.id } })
    expect(b).toMatchObject({ ok: false, code: 'INGEST_DUPLICATE', id: env.id })
    expect(core.store.holds(env.digest)).toBe(true)
  })

  it('refuses a tampered signature and an unknown author, stores neither, counts them per code and source', async () => {
    const env = alert(world, 0, now)
    const bad = Uint8Array.from(env.bytes); bad[bad.length - 1] ^= 1
    expect(await core.ingest.ingest(bad, 'peer:evil')).toMatchObject({ ok: false, code: 'ENVELOPE_BAD_SIGNATURE' })
    const stranger = composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'x' } }, generateKeyPair(), { now })
    expect(await core.ingest.ingest(stranger.bytes, 'peer:evil')).toMatchObject({ ok: false, code: 'ROSTER_UNKNOWN_AUTHOR' })
    expect(await core.ingest.ingest(new Uint8Array([1, 2, 3]), 'peer:evil')).toMatchObject({ ok: false })
    expect(await core.store.status(stranger.digest)).toBeUndefined()
    const stats = core.ingest.stats()
    expect(stats.bySource['peer:evil'].rejected).toBe(3)
    expect(stats.byCode.ENVELOPE_BAD_SIGNATURE).toBe(1)
    expect(core.ingest.recentRejections().map(r => r.code)).toContain('ROSTER_UNKNOWN_AUTHOR')
  })

  it('counts rejections per source within a bound: a flood of new source names cannot grow memory', async () => {
    for (let i = 0; i < MAX_SOURCES_COUNTED + 50; i++) await core.ingest.ingest(new Uint8Array([i & 0xff]), `peer:${i}`)
    const stats = core.ingest.stats()
    expect(Object.keys(stats.bySource).length).toBeLessThanOrEqual(MAX_SOURCES_COUNTED + 1)
    expect(stats.bySource['(other)'].rejected).toBeGreaterThanOrEqual(50)
    expect(stats.rejected).toBeGreaterThanOrEqual(MAX_SOURCES_COUNTED + 50)
    expect(core.ingest.recentRejections().length).toBe(REJECTION_LOG_SIZE)
  })

  it('never throws, even on a closed store: the refusal carries the store\'s code', async () => {
    const env = alert(world, 0, now)
    await core.close()
    const r = await core.ingest.ingest(env.bytes, 'peer:x')
    expect(r).toMatchObject({ ok: false, code: 'STORE_CLOSED' })
    core = await open()
  })

  it('applies the clock: future beyond the skew window refused, inside accepted, expired refused', async () => {
    expect(await core.ingest.ingest(alert(world, 0, now + 11 * MIN).bytes, 'p')).toMatchObject({ ok: false, code: 'ENVELOPE_FROM_FUTURE' })
    expect((await core.ingest.ingest(alert(world, 0, now + 9 * MIN).bytes, 'p')).ok).toBe(true)
    const short = alert(world, 1, now, { ttlS: 60 })
    now += 61_000
    expect(await core.ingest.ingest(short.bytes, 'p')).toMatchObject({ ok: false, code: 'ENVELOPE_EXPIRED' })
  })

  it('an expired message that was swept stays out: its tombstone answers, across a restart', async () => {
    const short = alert(world, 1, now, { ttlS: 60 })
    expect((await core.ingest.ingest(short.bytes, 'p')).ok).toBe(true)
    now += 120_000
    await core.store.sweep(now)
    await core.close()
    core = await open()
    expect(await core.ingest.ingest(short.bytes, 'p')).toMatchObject({ ok: false, code: 'INGEST_TOMBSTONED' })
  })

  it('a newer roster replaces the old one durably; removing a member refuses its later messages', async () => {
    const doc2 = nextVersion(removeMember(world.document, world.members[1].operator.publicKey), now)
    const { rosterEnvelope } = signWorldRoster(world.root, doc2, now)
    expect((await core.ingest.ingest(rosterEnvelope.bytes, 'peer:a')).ok).toBe(true)
    // the same roster wrapped again by someone else is a duplicate, not a fault
    expect(await core.ingest.ingest(signWorldRoster(world.root, doc2, now + 1).rosterEnvelope.bytes, 'peer:b')).toMatchObject({ ok: false, code: 'INGEST_DUPLICATE' })
    expect(await core.ingest.ingest(world.rosterEnvelope.bytes, 'peer:c')).toMatchObject({ ok: false, code: 'INGEST_DUPLICATE' })
    await core.close()
    core = await open()
    expect(core.roster.version()).toBe(2)
    expect(core.roster.envelopeBytes()).toEqual(rosterEnvelope.bytes)
    expect(await core.ingest.ingest(alert(world, 1, now).bytes, 'p')).toMatchObject({ ok: false, code: 'ROSTER_UNKNOWN_AUTHOR' })
    expect((await core.ingest.ingest(alert(world, 0, now).bytes, 'p')).ok).toBe(true)
  })

  it('an older roster version is refused — as routine, not as a rejection: a peer that has not caught up offers it on every reconnect', async () => {
    const doc2 = nextVersion(world.document, now)
    await core.ingest.ingest(signWorldRoster(world.root, doc2, now).rosterEnvelope.bytes, 'p')
    const doc1b = { ...world.document, note: 'stale' }
    const rejected: unknown[] = []
    core.ingest.events.on('rejected', r => rejected.push(r))
    const before = core.ingest.stats()
    for (let i = 0; i < 3; i++) {
      expect(await core.ingest.ingest(signWorldRoster(world.root, doc1b, now + i).rosterEnvelope.bytes, 'peer:behind')).toMatchObject({ ok: false, code: 'ROSTER_OLD_VERSION' })
    }
    const after = core.ingest.stats()
    expect(after.rejected).toBe(before.rejected)
    expect(after.duplicates).toBe(before.duplicates + 3)
    expect(after.byCode.ROSTER_OLD_VERSION).toBe(3)
    expect(rejected).toEqual([]) // the daemon logs 'rejected' at warn: nothing to log
    expect(core.ingest.recentRejections().filter(r => r.code === 'ROSTER_OLD_VERSION')).toEqual([])
  })

  it('a root revocation envelope refuses the key from its effective time on, keeps earlier messages valid, and survives restart', async () => {
    const op = world.members[0].operator
    const before = alert(world, 0, now - MIN)
    const acceptedTooEarly = alert(world, 0, now + 5) // stored before the revocation was known
    expect((await core.ingest.ingest(acceptedTooEarly.bytes, 'p')).ok).toBe(true)
    const revocation = composeEnvelope({ kind: 'revocation', org: 'ROSTER', revocation: { key: op.publicKey, effective: now, reason: 'key lost' } }, world.root, { now, authorForm: 'key' })
    expect((await core.ingest.ingest(revocation.bytes, 'p')).ok).toBe(true)
    expect(await core.store.status(acceptedTooEarly.digest)).toBe('tombstone')
    expect(core.roster.purged()).toBe(1)
    await core.close()
    core = await open()
    expect((await core.ingest.ingest(before.bytes, 'p')).ok).toBe(true)
    expect(await core.ingest.ingest(alert(world, 0, now + 1).bytes, 'p')).toMatchObject({ ok: false, code: 'ROSTER_KEY_REVOKED' })
  })

  it('a revocation listed in a newer roster version is enforced too', async () => {
    const op = world.members[1].operator
    const doc2 = nextVersion(addRevocationToDocument(world.document, { key: op.publicKey, effective: now }), now)
    expect((await core.ingest.ingest(signWorldRoster(world.root, doc2, now).rosterEnvelope.bytes, 'p')).ok).toBe(true)
    expect(await core.ingest.ingest(alert(world, 1, now + 5).bytes, 'p')).toMatchObject({ ok: false, code: 'ROSTER_KEY_REVOKED' })
  })
})

describe('ingest: cheap checks first, and whose fault a refusal is', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let core: NodeCore
  let now = T0
  let world: TestWorld
  let verified = 0

  beforeEach(async () => {
    now = T0
    verified = 0
    dir = await tempDir()
    world = createTestWorld(['MX-YUC', 'MX-CMX'], T0)
    const counting = { verify: (k: Uint8Array, p: Uint8Array, s: Uint8Array) => { verified++; return verifySignature(k, p, s) } }
    core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => now }, verifier: counting })
    expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
    verified = 0
  })
  afterEach(async () => { await core.close(); await dir.cleanup() })

  it('refuses expired, far-future, non-member and not-allowed messages without verifying a signature', async () => {
    const outsider = generateKeyPair()
    const cases = [
      alert(world, 0, now - 3 * 24 * 60 * MIN, { ttlS: 3600 }), // expired days ago
      alert(world, 0, now + 365 * 24 * 60 * MIN), // a year ahead
      composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'x' } }, outsider, { now }), // not on the roster
      composeEnvelope({ kind: 'receipt', org: 'MX-YUC', references: [new Uint8Array(32)] }, world.members[0].operator, { now }) // an operator may not issue receipts
    ]
    const codes = []
    for (const e of cases) { const r = await core.ingest.ingest(e.bytes, 'peer:x'); codes.push(r.ok ? 'ok' : r.code) }
    expect(codes).toEqual(['ENVELOPE_EXPIRED', 'ENVELOPE_FROM_FUTURE', 'ROSTER_UNKNOWN_AUTHOR', 'ROSTER_WRONG_ROLE'])
    expect(verified).toBe(0)
    expect((await core.ingest.ingest(alert(world, 0, now).bytes, 'peer:x')).ok).toBe(true)
    expect(verified).toBe(1)
  })

  it('says when an honest relay could have sent a refused message, and when it is evidence', async () => {
    const relay = async (e: { bytes: Uint8Array }): Promise<boolean | undefined> => {
      const r = await core.ingest.ingest(e.bytes, 'peer:x')
      expect(r.ok).toBe(false)
      return r.ok ? undefined : r.honestRelay === true
    }
    expect(await relay(alert(world, 0, now - 70 * MIN, { ttlS: 3600 }))).toBe(true) // expired 10 min ago: in transit
    expect(await relay(alert(world, 0, now - 3 * 24 * 60 * MIN, { ttlS: 3600 }))).toBe(false) // days ago
    expect(await relay(alert(world, 0, now + 15 * MIN))).toBe(true) // a relay clock a little ahead
    expect(await relay(alert(world, 0, now + 24 * 60 * MIN))).toBe(false) // a day ahead
    const outsider = generateKeyPair()
    expect(await relay(composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'x' } }, outsider, { now }))).toBe(false)
    // A member removed by the roster version we just received: a relay without it yet is honest.
    const doc2 = nextVersion(removeMember(world.document, world.members[1].operator.publicKey), now)
    expect((await core.ingest.ingest(signWorldRoster(world.root, doc2, now).rosterEnvelope.bytes, 'p')).ok).toBe(true)
    expect(await relay(alert(world, 1, now + 1))).toBe(true)
    now += 2 * 24 * 60 * MIN // long after the change, it is evidence again
    expect(await relay(alert(world, 1, now))).toBe(false)
  })
})

describe('ingest of a national-size roster', () => {
  it('accepts a roster envelope beyond the 64 KiB message limit (1,000 members), still refuses other kinds that large', async () => {
    const dir = await tempDir()
    const now = T0
    const orgs = Array.from({ length: 500 }, (_, i) => `AG${String(i).padStart(3, '0')}`)
    const world = createTestWorld(orgs, now)
    expect(world.rosterEnvelope.bytes.length).toBeGreaterThan(64 * 1024)
    const core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => now } })
    try {
      expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
      expect(core.roster.state.members()).toHaveLength(1000)
      expect((await core.store.get(world.rosterEnvelope.id))?.envelope.kind).toBe('roster')
      const big = composeEnvelope({ kind: 'bulletin', org: orgs[0], content: { msgType: 'Alert', description: 'x'.repeat(15_000), instruction: 'y'.repeat(15_000), headline: 'z', event: 'w'.repeat(15_000), parameters: [{ name: 'p', value: 'v'.repeat(15_000) }] } } as any, world.members[0].operator, { now, limits: { maxBytes: 200_000 } })
      expect(big.bytes.length).toBeGreaterThan(60_000)
      const r = await core.ingest.ingest(big.bytes, 'p')
      expect(r.ok).toBe(big.bytes.length <= 64 * 1024)
    } finally {
      await core.close(); await dir.cleanup()
    }
  })
})
