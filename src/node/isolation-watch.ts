/**
 * The running node's watch over its own isolation (isolation.ts): it remembers when a
 * roster peer was last connected, and logs a warning when a warning appears or changes
 * (and again every ISOLATION_REPEAT_MS while it lasts: a log read the next morning must
 * show it), and an info line when it clears. `warnings()` is what `status` shows.
 */
import type { Logger } from 'pino'
import { toHex } from '../identity/keys.js'
import { timersOf } from '../util/clock.js'
import type { NodeCore } from './core.js'
import type { MeshNode } from './mesh.js'
import { isolationWarnings, type IsolationInput, type IsolationWarning } from './isolation.js'

/** A warning that lasts is logged again this often. */
export const ISOLATION_REPEAT_MS = 60 * 60_000
/** Longest pause between two checks. */
const CHECK_MAX_MS = 30_000

export interface IsolationWatch {
  warnings: () => IsolationWarning[]
  stop: () => void
}

/** What the roster says about this node (also for `status` without a running node). */
export function rosterSituation (core: Pick<NodeCore, 'roster'>, nodeKey: Uint8Array, now: number): Pick<IsolationInput, 'rosterVersion' | 'selfListed' | 'rosterPeers'> {
  const st = core.roster.state
  const self = toHex(nodeKey)
  return {
    rosterVersion: st.version,
    selfListed: st.version > 0 && st.isNodeAllowed(nodeKey, now),
    rosterPeers: st.nodes(now).filter(m => toHex(m.key) !== self).length
  }
}

export function watchIsolation (o: { core: NodeCore, mesh: MeshNode, nodeKey: Uint8Array, warnAfterMs: number, timeZone?: string, log: Logger }): IsolationWatch {
  const clock = timersOf(o.core.clock, { unref: true })
  const startedAt = clock.now()
  let lastPeerAt: number | undefined
  let logged = ''
  let loggedAt = 0
  let timer: unknown
  let stopped = false

  const warnings = (): IsolationWarning[] => {
    const now = clock.now()
    const connected = o.mesh.sessionCount()
    if (connected > 0) lastPeerAt = now
    return isolationWarnings({ ...rosterSituation(o.core, o.nodeKey, now), link: { connected, startedAt, ...(lastPeerAt === undefined ? {} : { lastPeerAt }), now, warnAfterMs: o.warnAfterMs, ...(o.timeZone === undefined ? {} : { timeZone: o.timeZone }) } })
  }

  const check = (): void => {
    if (stopped) return
    clock.clearTimeout(timer)
    const now = clock.now()
    const w = warnings()
    const codes = w.map(x => x.code).join(',')
    if (codes !== logged || (codes !== '' && now - loggedAt >= ISOLATION_REPEAT_MS)) {
      for (const x of w) o.log.warn({ event: 'isolation', code: x.code, msg: x.message })
      if (codes === '' && logged !== '') o.log.info({ event: 'isolation.cleared', msg: 'roster peers reached again' })
      logged = codes
      loggedAt = now
    }
    timer = clock.setTimeout(check, Math.min(CHECK_MAX_MS, Math.max(1_000, Math.floor(o.warnAfterMs / 4))))
  }
  const onSession = (): void => { if (o.mesh.sessionCount() > 0) lastPeerAt = clock.now() }
  o.mesh.events.on('session', onSession)
  const offRoster = o.core.roster.state.onChange(() => { check() })
  check()
  return {
    warnings,
    stop: () => {
      stopped = true
      clock.clearTimeout(timer)
      o.mesh.events.off('session', onSession)
      offRoster()
    }
  }
}
