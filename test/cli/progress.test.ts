/** The progress bar: drawn on a terminal, throttled, cleared at the end; nothing at all when stderr is not a terminal. */
import { describe, it, expect } from 'vitest'
import { progressBars, REDRAW_MS } from '../../src/cli/progress.js'

function terminal (isTTY: boolean): { isTTY: boolean, columns: number, out: string[], write: (s: string) => void } {
  const out: string[] = []
  return { isTTY, columns: 100, out, write: s => { out.push(s) } }
}

describe('progress bars', () => {
  it('on a terminal: redrawn at most every REDRAW_MS, always at the end, then cleared', () => {
    const term = terminal(true)
    let now = 0
    const bar = progressBars(term, () => now)('import a.bundle', 1000, 'messages')
    bar.update(1)
    bar.update(2) // same instant: not redrawn
    now += REDRAW_MS
    bar.update(500)
    bar.update(1000) // the end is always drawn
    bar.end()
    expect(term.out).toHaveLength(4)
    expect(term.out[1]).toMatch(/^\rimport a\.bundle \[#{12}\.{12}\]  50%  500 of 1,000 messages\x1b\[K$/)
    expect(term.out[2]).toContain('100%')
    expect(term.out[3]).toBe('\r\x1b[K')
    const bytes = progressBars(term, () => now)('import b.bundle', 29_000_000, 'bytes')
    bytes.update(15_100_000)
    expect(term.out[4]).toContain('15.1 MB of 29.0 MB')
  })

  it('not a terminal (a pipe, a log file, a test): writes nothing', () => {
    const term = terminal(false)
    const bar = progressBars(term, () => 0)('export', 10, 'messages')
    for (let i = 0; i <= 10; i++) bar.update(i)
    bar.end()
    expect(term.out).toEqual([])
  })
})
