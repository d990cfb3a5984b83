/**
 * A progress bar on a terminal (stderr), nothing when it is not one (a pipe, a log, a test):
 *
 *   import c5mesh-MX-YUC-3f2a9c1b.bundle [##########..........]  52%  15.1 MB of 29.0 MB
 *
 * Redrawn at most every REDRAW_MS; cleared when the step ends, so what follows prints clean.
 */
import type { Progress, ProgressFactory } from '../links/bundle/index.js'

export const REDRAW_MS = 100
const WIDTH = 24
/** A terminal that does not know its size (a serial console, a pty never sized) reports 0 columns. */
const COLUMNS_UNKNOWN = 80

export interface Terminal { isTTY?: boolean, columns?: number, write: (s: string) => unknown }

function amount (n: number, unit: 'bytes' | 'messages'): string {
  if (unit === 'messages') return n.toLocaleString('en-US')
  return n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`
}

export function progressBars (term: Terminal, now: () => number = () => performance.now()): ProgressFactory {
  if (term.isTTY !== true) return () => ({ update: () => {}, end: () => {} })
  return (label, total, unit): Progress => {
    let last = -Infinity
    let drawn = false
    const draw = (done: number): void => {
      const share = total > 0 ? Math.min(1, done / total) : 0
      const filled = Math.round(share * WIDTH)
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${amount(done, unit)} of ${amount(total, unit)}${unit === 'messages' ? ' messages' : ''}`
      const columns = term.columns !== undefined && term.columns > 0 ? term.columns : COLUMNS_UNKNOWN
      term.write(`\r${line.slice(0, Math.max(20, columns - 1))}\x1b[K`)
      drawn = true
    }
    return {
      update: done => {
        const t = now()
        if (t - last < REDRAW_MS && done < total) return
        last = t
        draw(done)
      },
      end: () => { if (drawn) term.write('\r\x1b[K') }
    }
  }
}
