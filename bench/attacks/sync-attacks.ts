/**
 * Attacks by a roster insider at the sync protocol's level (issue 13.5, 13.7): malformed
 * frames, reconciliation requests that cost the victim far more than they cost the sender,
 * a peer that asks for everything and never reads, and session churn. Each reconnects when
 * the victim ends its session, for as long as the victim lets it.
 */
import { randomBytes } from 'node:crypto'
import type { KeyPair } from '../../src/identity/index.js'
import type { C5Host } from '../../src/links/libp2p/index.js'
import { encodeFrame } from '../../src/sync/frames.js'
import { encodeHello, encodeList, encodeListRequest } from '../../src/sync/reconcile/messages.js'
import { attackerHost, openRawSession, type OpenOptions, type RawSession } from './peer.js'
import { memberFromSeeds, INSIDER_ORGS } from './world.js'
import { bump, pause, type Attack, type AttackStats, type AttackTarget } from './types.js'

/** Opens a session, counting refusals (a banned or rate-limited key is refused at once). */
async function session (host: C5Host, node: KeyPair, t: AttackTarget, stats: AttackStats, o: OpenOptions & { abortOn: AbortSignal }): Promise<RawSession | undefined> {
  try {
    const s = await openRawSession(host, node, t.syncAddr, { ...o, signal: AbortSignal.timeout(5_000) })
    bump(stats, 'sessions')
    return s
  } catch {
    bump(stats, 'refused')
    return undefined
  }
}

async function insider (t: AttackTarget, name: string): Promise<{ host: C5Host, node: KeyPair }> {
  const m = memberFromSeeds(t.seeds, INSIDER_ORGS[name])
  return { host: await attackerHost(m.node), node: m.node }
}

/** Frames that no honest peer sends: each is a protocol violation the victim must refuse. */
function badFrames (node: KeyPair): Uint8Array[] {
  const hello = encodeFrame({ type: 'hello', protocolVersion: 1, nodeKey: node.publicKey, nonce: new Uint8Array(8), rosterVersion: 1, itemCount: 0, features: 0 })
  const badFlags = hello.slice(); badFlags[3] = 0xfe // unknown HELLO flags
  return [
    new Uint8Array(randomBytes(200)), // noise
    Uint8Array.of(0x02, 0x05, 0x01), // a frame version we do not speak
    Uint8Array.of(0x01, 0x7f), // an unknown frame type
    Uint8Array.of(0x01, 0x04, 0x05, ...new Uint8Array(40)), // WANT whose count does not match its ids
    Uint8Array.of(0x01, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // an endless varint
    badFlags,
    Uint8Array.of(0x01, 0x05, ...randomBytes(300)), // MSG carrying no envelope
    Uint8Array.of(0x01, 0x03, 0x08, 0x00) // RECON with unknown flags
  ]
}

export const malformedFrames: Attack = {
  name: 'malformed_frames',
  what: 'a roster node sends malformed frames (noise, bad versions, types, counts, varints, flags), one per session, reconnecting',
  prepare: async t => {
    const { host, node } = await insider(t, 'malformed_frames')
    const frames = badFrames(node)
    return async signal => {
      const stats: AttackStats = {}
      let i = 0
      while (!signal.aborted) {
        const bad = frames[i++ % frames.length]
        // Half before HELLO, half after.
        const s = await session(host, node, t, stats, { hello: i % 2 === 0 ? undefined : false, abortOn: signal })
        if (s === undefined) { await pause(100, signal); continue }
        await s.sendBytes(bad).then(() => { bump(stats, 'badFrames') }, () => {})
        await Promise.race([s.firstFrame, pause(1_000, signal)])
        await pause(20, signal)
        await s.close()
      }
      await host.stop()
      return stats
    }
  }
}

export const listSketchAmplification: Attack = {
  name: 'list_sketch_amplification',
  what: 'a roster node opens rounds with an empty LIST (3 bytes: "send me all you have") and with HELLO + LIST_REQUEST (≈ 25 bytes: "send me your id list"), reading everything',
  prepare: async t => {
    const { host, node } = await insider(t, 'list_sketch_amplification')
    return async signal => {
      const stats: AttackStats = {}
      let round = 0
      while (!signal.aborted) {
        const s = await session(host, node, t, stats, { abortOn: signal })
        if (s === undefined) { await pause(200, signal); continue }
        while (!signal.aborted && !s.closed()) {
          const r = round++
          const ok = await (r % 2 === 0
            ? s.send({ type: 'recon', senderInitiated: true, round: r, more: false, message: encodeList([]) })
            : s.send({ type: 'recon', senderInitiated: true, round: r, more: false, message: encodeHello(1_000_000, new Uint8Array(randomBytes(16))) })
              .then(async () => { await s.send({ type: 'recon', senderInitiated: true, round: r, more: false, message: encodeListRequest() }) }))
            .then(() => true, () => false)
          if (!ok) break
          bump(stats, 'rounds')
          bump(stats, 'bytesAsked', r % 2 === 0 ? 3 : 25)
          await pause(1_000, signal) // the victim's round pacing: one per second
        }
        bump(stats, 'bytesReceived', s.bytesReceived())
        await s.close()
      }
      await host.stop()
      return stats
    }
  }
}

export const syncSlowloris: Attack = {
  name: 'slowloris_sync',
  what: 'a roster node asks for everything (empty LIST) and never reads',
  prepare: async t => {
    const { host, node } = await insider(t, 'slowloris')
    return async signal => {
      const stats: AttackStats = {}
      while (!signal.aborted) {
        const s = await session(host, node, t, stats, { read: false, abortOn: signal })
        if (s === undefined) { await pause(500, signal); continue }
        await s.send({ type: 'recon', senderInitiated: true, round: 0, more: false, message: encodeList([]) }).catch(() => {})
        // Hold it, unread, until the victim cuts it off (or the attack ends).
        while (!signal.aborted && !s.closed()) await pause(500, signal)
        if (s.closed()) bump(stats, 'cutOff')
        await s.close()
      }
      await host.stop()
      return stats
    }
  }
}

export const sessionChurn: Attack = {
  name: 'session_churn',
  what: 'a roster node opens sessions as fast as it can (HELLO, then close), four at a time',
  prepare: async t => {
    const { host, node } = await insider(t, 'session_churn')
    return async signal => {
      const stats: AttackStats = {}
      const worker = async (): Promise<void> => {
        while (!signal.aborted) {
          const s = await session(host, node, t, stats, { abortOn: signal })
          if (s === undefined) { await pause(50, signal); continue }
          await Promise.race([s.firstFrame, pause(500, signal)])
          await s.close()
        }
      }
      await Promise.all([worker(), worker(), worker(), worker()])
      await host.stop()
      return stats
    }
  }
}
