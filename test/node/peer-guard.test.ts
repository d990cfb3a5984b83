/**
 * Per-key scores, bans and budgets (src/node/peer-guard.ts): what must bound a peer across
 * its sessions. Pure logic on an injected clock, with the bans persisted in a real store.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { createStore } from '../../src/store/index.js'
import type { MessageStore } from '../../src/store/types.js'
import { BAN_DURATION_MS, BAN_THRESHOLD, createPeerGuard, META_BANS, SCORE_HALF_LIFE_MS, SESSION_OPEN_INTERVAL_MS, SESSION_OPENS_BURST } from '../../src/node/peer-guard.js'
import { tempDir } from '../helpers/tmp.js'

const K1 = 'a1'.repeat(32)
const K2 = 'b2'.repeat(32)

describe('peer guard', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0)) await c() })

  it('bans at the threshold, scores halve with time, and a ban ends after its duration', () => {
    let now = 1_000_000
    const g = createPeerGuard({ now: () => now })
    for (let i = 0; i < BAN_THRESHOLD - 1; i++) expect(g.penalise(K1, 1, 'ENVELOPE_BAD_SIGNATURE')).toBeUndefined()
    expect(g.isBanned(K1)).toBe(false)
    now += SCORE_HALF_LIFE_MS // 9 points fade to 4.5
    expect(g.score(K1)).toBeCloseTo(4.5)
    for (let i = 0; i < 5; i++) expect(g.penalise(K1, 1, 'ENVELOPE_BAD_SIGNATURE')).toBeUndefined()
    const ban = g.penalise(K1, 1, 'ENVELOPE_BAD_SIGNATURE')
    expect(ban).toEqual({ until: now + BAN_DURATION_MS, code: 'ENVELOPE_BAD_SIGNATURE' })
    expect(g.isBanned(K1)).toBe(true)
    expect(g.isBanned(K2)).toBe(false)
    expect(g.ban(K1, 'X')).toBeUndefined() // already banned: reported once
    now += BAN_DURATION_MS
    expect(g.isBanned(K1)).toBe(false)
    expect(g.score(K1)).toBe(0) // a fresh start after the ban
  })

  it('keeps bans across a restart of the node (the store meta book), and drops expired ones', async () => {
    const dir = await tempDir(); cleanups.push(dir.cleanup)
    let now = 5_000_000
    const open = async (): Promise<MessageStore> => { const s = createStore({ path: join(dir.path, 'db') }); await s.open(); return s }
    let store = await open()
    let g = createPeerGuard({ now: () => now, meta: store.meta })
    await g.restore()
    g.ban(K1, 'SYNC_MALFORMED')
    now += 1000
    g.ban(K2, 'SYNC_MALFORMED')
    await g.saved()
    await store.close()
    store = await open()
    g = createPeerGuard({ now: () => now, meta: store.meta })
    await g.restore()
    expect(g.isBanned(K1) && g.isBanned(K2)).toBe(true)
    now += BAN_DURATION_MS - 500 // K1's ban is over, K2's is not
    await store.close()
    store = await open()
    g = createPeerGuard({ now: () => now, meta: store.meta })
    await g.restore()
    expect([g.isBanned(K1), g.isBanned(K2)]).toEqual([false, true])
    // A record that is not what we write is ignored, never trusted.
    await store.meta.put(META_BANS, { nothex: { until: now + 1e9 }, [K1]: { until: 'soon' } })
    g = createPeerGuard({ now: () => now, meta: store.meta })
    await g.restore()
    expect(g.bans()).toEqual([])
    await store.close()
  })

  it('lets a key open a burst of sessions, then one per interval', () => {
    let now = 0
    const g = createPeerGuard({ now: () => now })
    for (let i = 0; i < SESSION_OPENS_BURST; i++) expect(g.mayOpenSession(K1)).toBe(true)
    expect(g.mayOpenSession(K1)).toBe(false)
    expect(g.mayOpenSession(K2)).toBe(true) // per key
    now += SESSION_OPEN_INTERVAL_MS
    expect(g.mayOpenSession(K1)).toBe(true)
    expect(g.mayOpenSession(K1)).toBe(false)
  })

  it('hands every session of a key the same budgets', () => {
    const g = createPeerGuard({ now: () => 0 })
    const a = g.budgetsFor(K1)
    expect(g.budgetsFor(K1)).toBe(a)
    expect(g.budgetsFor(K2)).not.toBe(a)
    a.receive!.take(10_000)
    expect(g.budgetsFor(K1).receive!.delayFor(1)).toBeGreaterThan(0) // a new session does not refill it
  })
})
