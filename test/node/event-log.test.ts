/**
 * The daemon's event log (src/node/event-log.ts): per-message events are debug lines, a
 * flood of rejections is one summary line per window, a ban is one line, a churning peer's
 * sessions are counted past a few lines. Virtual time: the window is the clock's.
 */
import { describe, it, expect } from 'vitest'
import { VirtualClock } from '../../src/sim/clock.js'
import { createEventLog, REJECTION_SUMMARY_MS, SESSION_LINES_PER_PEER } from '../../src/node/event-log.js'

type Line = Record<string, unknown> & { level: string }

function setup (): { clock: VirtualClock, lines: Line[], at: (level: string) => Line[], events: ReturnType<typeof createEventLog> } {
  const clock = new VirtualClock(1_800_000_000_000)
  const lines: Line[] = []
  const sink = (level: string) => (o: Record<string, unknown>) => { lines.push({ level, ...o }) }
  const events = createEventLog({ log: { debug: sink('debug'), info: sink('info'), warn: sink('warn') }, clock })
  return { clock, lines, at: level => lines.filter(l => l.level === level), events }
}

const env = (i: number) => ({ id: `bafk${i}`, kind: 'bulletin', precedence: 'routine', org: 'MX-SON' })

describe('event log', () => {
  it('a burst of stored messages writes no line above debug', () => {
    const { lines, at, events } = setup()
    for (let i = 0; i < 1000; i++) events.message({ envelope: env(i), source: 'peer:A' })
    expect(lines).toHaveLength(1000)
    expect(lines.filter(l => l.level !== 'debug')).toEqual([])
    expect(at('debug')[0]).toMatchObject({ event: 'message', id: 'bafk0', source: 'peer:A' })
  })

  it('rejections are one warn line per window, counted by code and source', async () => {
    const { clock, at, events } = setup()
    for (let i = 0; i < 300; i++) events.rejected({ source: 'peer:A', code: 'ENVELOPE_FROM_FUTURE' })
    for (let i = 0; i < 20; i++) events.rejected({ source: 'local', code: 'ROSTER_NOT_AUTHORISED' })
    expect(at('warn')).toEqual([])
    await clock.runUntil(clock.now() + REJECTION_SUMMARY_MS)
    expect(at('warn')).toEqual([expect.objectContaining({ event: 'rejections', count: 320, byCode: { ENVELOPE_FROM_FUTURE: 300, ROSTER_NOT_AUTHORISED: 20 }, bySource: { 'peer:A': 300, local: 20 } })])
    // A quiet window writes nothing; the next rejection starts a new one.
    await clock.runUntil(clock.now() + 3 * REJECTION_SUMMARY_MS)
    expect(at('warn')).toHaveLength(1)
    events.rejected({ source: 'peer:B', code: 'ENVELOPE_EXPIRED' })
    await clock.runUntil(clock.now() + REJECTION_SUMMARY_MS)
    expect(at('warn')[1]).toMatchObject({ count: 1, bySource: { 'peer:B': 1 } })
  })

  it('a ban is one line carrying its rejections, however many sessions report it', async () => {
    const { clock, lines, events } = setup()
    for (let i = 0; i < 10; i++) events.rejected({ source: 'peer:X', code: 'ENVELOPE_BAD_SIGNATURE' })
    events.rejected({ source: 'peer:H', code: 'ENVELOPE_EXPIRED' })
    events.mesh('peer.banned', { peer: 'X', code: 'ENVELOPE_BAD_SIGNATURE' })
    // what was in flight when the ban fell, and the same ban reported again
    for (let i = 0; i < 45; i++) {
      events.rejected({ source: 'peer:X', code: 'ENVELOPE_BAD_SIGNATURE' })
      events.mesh('peer.banned', { peer: 'X', code: 'ENVELOPE_BAD_SIGNATURE' })
    }
    events.mesh('session.end', { peer: 'X', reason: 'stopped' })
    await clock.runUntil(clock.now() + 2 * REJECTION_SUMMARY_MS)
    events.flush()
    const about = lines.filter(l => l.level !== 'debug' && (l.peer === 'X' || JSON.stringify(l).includes('peer:X')))
    expect(about).toEqual([expect.objectContaining({ level: 'warn', event: 'peer.banned', peer: 'X', rejections: 10, byCode: { ENVELOPE_BAD_SIGNATURE: 10 } })])
    // The other peer's rejection is still summarised.
    expect(lines.filter(l => l.event === 'rejections')).toEqual([expect.objectContaining({ count: 1, bySource: { 'peer:H': 1 } })])
  })

  it(`a churning peer's sessions: ${SESSION_LINES_PER_PEER} lines, then one count per window`, async () => {
    const { clock, at, events } = setup()
    for (let i = 0; i < 50; i++) {
      events.mesh('session.open', { peer: 'C' })
      events.mesh('session.end', { peer: 'C', reason: 'closed' })
    }
    events.mesh('session.open', { peer: 'D' })
    expect(at('info').filter(l => l.peer === 'C')).toHaveLength(SESSION_LINES_PER_PEER)
    expect(at('info').filter(l => l.peer === 'D')).toHaveLength(1)
    await clock.runUntil(clock.now() + REJECTION_SUMMARY_MS)
    expect(at('info').filter(l => l.event === 'session.churn')).toEqual([expect.objectContaining({ peer: 'C', notLogged: { 'session.open': 48, 'session.end': 48 } })])
    // The next window starts afresh: a reconnect is logged again.
    events.mesh('session.open', { peer: 'C' })
    expect(at('info').filter(l => l.peer === 'C' && l.event === 'session.open')).toHaveLength(SESSION_LINES_PER_PEER / 2 + 1)
  })

  it('roster cuts are warnings; other mesh events are info', () => {
    const { lines, events } = setup()
    events.mesh('roster.cut', { peers: ['Z'] })
    events.mesh('radio.neighbour', { station: 'XE1' })
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', event: 'roster.cut' }), expect.objectContaining({ level: 'info', event: 'radio.neighbour' })])
  })
})
