/**
 * Is the victim up? Its process is alive, its API answers /healthz, and a roster peer can
 * still open a session: the probe (a roster node of its own) dials, sends HELLO and waits
 * for the victim's HELLO. An attack that leaves the process running but shuts out new roster
 * peers or the operator has taken the node down all the same.
 */
import type { C5Host } from '../../src/links/libp2p/index.js'
import type { KeyPair } from '../../src/identity/index.js'
import { attackerHost, openRawSession } from './peer.js'

const PROBE_TIMEOUT_MS = 5_000

export interface ProbeResult { api: boolean, session: boolean, ms: number }

export interface Probe {
  check: () => Promise<ProbeResult>
  stop: () => Promise<void>
}

export async function createProbe (node: KeyPair, syncAddr: string, api: string, auth: Record<string, string>): Promise<Probe> {
  const host: C5Host = await attackerHost(node)
  return {
    check: async () => {
      const t0 = Date.now()
      const apiOk = fetch(`${api}/healthz`, { headers: auth, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(r => r.ok, () => false)
      const sessionOk = (async () => {
        // A fresh connection each time, as a roster peer that restarts makes.
        await Promise.all(host.getConnections().map(async c => { await c.close().catch(() => {}) }))
        try {
          const s = await openRawSession(host, node, syncAddr, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
          const first = await Promise.race([s.firstFrame, new Promise<undefined>(resolve => setTimeout(() => { resolve(undefined) }, PROBE_TIMEOUT_MS))])
          await s.send({ type: 'bye' }).catch(() => {})
          await s.close()
          return first === 'hello'
        } catch { return false }
      })()
      const [a, s] = await Promise.all([apiOk, sessionOk])
      return { api: a, session: s, ms: Date.now() - t0 }
    },
    stop: async () => { await host.stop() }
  }
}
