import { describe, it, expect } from 'vitest'
import { runLinkCompliance } from './compliance.js'
import { radioLinkPair } from './radio-helpers.js'

// The radio link over a lossy channel (10 % of frames lost at each receiver, repaired by
// NACKs) passes the shared suite, with L4' for a shared medium.
runLinkCompliance('radio over a lossy in-memory channel', async () => await radioLinkPair({ loss: 0.1, linkReceiveBytes: 16 * 1024 }), {
  propertyRuns: 10,
  medium: 'shared',
  maxBufferedBytes: 16 * 1024
})

describe('radio link pair', () => {
  it('a link comes up between two stations and carries a frame', async () => {
    const p = await radioLinkPair({ loss: 0 })
    try {
      expect(p.a.remote).toBe('radio:B')
      const it = p.b.frames()[Symbol.asyncIterator]()
      await p.a.send(Uint8Array.of(1, 2, 3))
      expect(Array.from((await it.next()).value as Uint8Array)).toEqual([1, 2, 3])
    } finally { await p.cleanup() }
  })
})
