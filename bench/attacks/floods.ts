/**
 * Floods of messages pushed as MSG frames by a roster node (issue 13.1, 13.3, 13.4): an
 * insider's valid bulletins with 400-day lifetimes, a non-member's messages behind a HELLO
 * that claims another roster version, messages expired by days or created a year ahead,
 * and bursts of 64 KiB envelopes. The envelopes are signed before the attack starts (in
 * prepare): the attack itself costs the sender nothing but the sending.
 */
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { generateKeyPair, type KeyPair } from '../../src/identity/index.js'
import { encodeFrame } from '../../src/sync/frames.js'
import { attackerHost, openRawSession } from './peer.js'
import { memberFromSeeds, INSIDER_ORGS, TRAFFIC_ORGS } from './world.js'
import { bump, pause, type Attack, type AttackStats, type AttackTarget } from './types.js'

const DAY_MS = 86_400_000

/**
 * Pushes the frames over sessions of `node`, reading (and dropping) what the victim sends,
 * reconnecting when it ends a session, until the signal aborts; `perSecond` paces it
 * (default: as fast as the victim takes them).
 */
async function push (t: AttackTarget, node: KeyPair, frames: Uint8Array[], signal: AbortSignal, o: { rosterVersion?: number, perSecond?: number, loop?: boolean } = {}): Promise<AttackStats> {
  const host = await attackerHost(node)
  const stats: AttackStats = {}
  const t0 = Date.now()
  let i = 0
  try {
    while (!signal.aborted && (o.loop !== false || i < frames.length)) {
      let s
      try {
        s = await openRawSession(host, node, t.syncAddr, { hello: { rosterVersion: o.rosterVersion ?? 1 }, signal: AbortSignal.timeout(5_000), abortOn: signal })
        bump(stats, 'sessions')
      } catch { bump(stats, 'refused'); await pause(200, signal); continue }
      while (!signal.aborted && !s.closed() && (o.loop !== false || i < frames.length)) {
        if (o.perSecond !== undefined) {
          const due = t0 + (i * 1000) / o.perSecond - Date.now()
          if (due > 0) await pause(due, signal)
        }
        const ok = await s.sendBytes(frames[i % frames.length]).then(() => true, () => false)
        if (!ok) break
        i++
        bump(stats, 'sent')
      }
      await s.close()
    }
  } finally { await host.stop() }
  return stats
}

const msgFrames = (envs: Envelope[]): Uint8Array[] => envs.map(e => encodeFrame({ type: 'msg', envelope: e.bytes }))

function bulletins (op: KeyPair, org: string, n: number, o: { now: number, expires?: (created: number) => number, created?: (i: number) => number, description?: string, extra?: boolean }): Envelope[] {
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const created = o.created?.(i) ?? o.now - i
    const big = o.extra === true ? { instruction: 'i'.repeat(15_000), parameters: [{ name: 'anexo1', value: 'a'.repeat(15_000) }, { name: 'anexo2', value: 'b'.repeat(15_000) }] } : {}
    out.push(composeEnvelope({ kind: 'bulletin', org, precedence: 'routine', ...(o.expires === undefined ? {} : { expires: o.expires(created) }), content: { msgType: 'Alert', headline: `Boletín ${i}`, description: o.description ?? `Parte ${i}`, ...big } }, op, { now: created }))
  }
  return out
}

export const insiderFlood: Attack = {
  name: 'insider_flood',
  what: 'a roster operator\'s valid routine bulletins with 400-day lifetimes, pushed as fast as the victim takes them',
  prepare: async t => {
    const m = memberFromSeeds(t.seeds, INSIDER_ORGS.insider_flood)
    const now = Date.now()
    const frames = msgFrames(bulletins(m.operator, m.org, 20_000, { now, expires: c => c + 400 * DAY_MS }))
    return async signal => await push(t, m.node, frames, signal)
  }
}

export const nonmemberFlood: Attack = {
  name: 'nonmember_false_roster_claim',
  what: 'a roster node relays messages signed by a key on no roster, its HELLO claiming roster version 999',
  prepare: async t => {
    const m = memberFromSeeds(t.seeds, INSIDER_ORGS.nonmember_false_roster_claim)
    const stranger = generateKeyPair()
    const now = Date.now()
    const envs = Array.from({ length: 20_000 }, (_, i) => composeEnvelope({ kind: 'alert', org: 'MX-TAM', precedence: 'flash', content: { msgType: 'Alert', headline: `Falsa ${i}` } }, stranger, { now: now - i, authorForm: 'key' }))
    return async signal => await push(t, m.node, msgFrames(envs), signal, { rosterVersion: 999 })
  }
}

export const farTimes: Attack = {
  name: 'far_expired_future',
  what: 'a roster operator\'s messages expired days ago and created a year ahead',
  prepare: async t => {
    const m = memberFromSeeds(t.seeds, INSIDER_ORGS.far_expired_future)
    const now = Date.now()
    const expired = bulletins(m.operator, m.org, 10_000, { now, created: i => now - 10 * DAY_MS - i, expires: c => c + 5 * DAY_MS })
    const future = bulletins(m.operator, m.org, 10_000, { now, created: i => now + 365 * DAY_MS + i, expires: c => c + DAY_MS })
    const frames = msgFrames(expired.flatMap((e, i) => [e, future[i]]))
    return async signal => await push(t, m.node, frames, signal)
  }
}

export const burst64k: Attack = {
  name: 'burst_64k',
  what: 'a roster operator\'s valid bulletins of ≈ 61 KiB each, pushed as fast as the victim takes them',
  prepare: async t => {
    const m = memberFromSeeds(t.seeds, INSIDER_ORGS.burst_64k)
    const now = Date.now()
    const envs = bulletins(m.operator, m.org, 600, { now, description: 'd'.repeat(15_000), extra: true })
    return async signal => await push(t, m.node, msgFrames(envs), signal, { loop: false })
  }
}

/**
 * Honest background traffic: valid 8 KB bulletins from four states' operators, relayed by
 * one roster node at `perSecond` (what the SSE attack needs to make events flow).
 */
export async function prepareTraffic (t: AttackTarget, n: number, perSecond: number): Promise<(signal: AbortSignal) => Promise<AttackStats>> {
  const relay = memberFromSeeds(t.seeds, TRAFFIC_ORGS[0])
  const now = Date.now()
  const envs: Envelope[] = []
  TRAFFIC_ORGS.forEach((org, k) => {
    const m = memberFromSeeds(t.seeds, org)
    envs.push(...bulletins(m.operator, org, Math.ceil(n / TRAFFIC_ORGS.length), { now: now - k, description: 'Informe de daños y recursos. '.repeat(280) }))
  })
  const frames = msgFrames(envs)
  return async signal => await push(t, relay.node, frames, signal, { perSecond, loop: false })
}
