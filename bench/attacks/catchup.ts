/**
 * The honest catch-up under the attack bench (issue 13.1's goal): the victim V starts empty,
 * the honest state H holds a backlog and dials it; while V catches up, H's flash alerts keep
 * coming. Counted: sessions between them that ended (from both daemons' logs: every
 * session.end line, and those a churn summary counted without logging), and the flash
 * latency. Done when V holds the whole backlog.
 */
import type { ApiClient } from './api.js'
import type { Daemon, LogLine } from './daemons.js'
import type { FlashSender, PhaseLatency } from './honest.js'

const POLL_MS = 2_000

export interface CatchupResult { messages: number, seconds: number, complete: boolean, aborts: number, ends: string[], flash: PhaseLatency }

function sessionEnds (lines: LogLine[], peer: string, since: number): string[] {
  const out: string[] = []
  for (const l of lines) {
    if (l.at < since || l.peer !== peer) continue
    if (l.event === 'session.end') out.push(String(l.reason ?? '?'))
    if (l.event === 'session.churn') {
      const n = (l.notLogged as Record<string, number> | undefined)?.['session.end'] ?? 0
      for (let i = 0; i < n; i++) out.push('(churn)')
    }
    if (l.event === 'peer.banned') out.push('banned')
  }
  return out
}

export async function runCatchup (o: { v: Daemon, h: Daemon, vApi: ApiClient, flashes: FlashSender, backlog: number, startedAt: number, timeoutMs: number, progress: (line: string) => void }): Promise<CatchupResult> {
  const { v, h } = o
  let messages = 0
  let lastPrint = Date.now()
  const deadline = o.startedAt + o.timeoutMs
  while (Date.now() < deadline) {
    const r = await o.vApi.get('/v1/status').catch(() => undefined)
    messages = Number((r?.body as { messages?: number } | undefined)?.messages ?? messages)
    if (messages >= o.backlog) break
    if (Date.now() - lastPrint > 15_000) { lastPrint = Date.now(); o.progress(`  catch-up: ${messages} of ${o.backlog} after ${Math.round((Date.now() - o.startedAt) / 1000)} s`) }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
  const seconds = (Date.now() - o.startedAt) / 1000
  o.flashes.setPhase('between')
  const flash = await o.flashes.latency('catchup')
  const ends = [...sessionEnds(v.lines, h.peerId, o.startedAt).map(r => `V:${r}`), ...sessionEnds(h.lines, v.peerId, o.startedAt).map(r => `H:${r}`)]
  // Both sides log the end of the same session: a session that ended is one abort.
  const aborts = Math.max(ends.filter(e => e.startsWith('V:')).length, ends.filter(e => e.startsWith('H:')).length)
  return { messages, seconds: Math.round(seconds), complete: messages >= o.backlog, aborts, ends, flash }
}
