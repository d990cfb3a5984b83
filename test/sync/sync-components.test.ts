/**
 * The node's sync components (src/node/sync-components.ts): one set serves every session of
 * a node, so `holds` answers true for an id being ingested from any peer, and only while
 * that ingest is under way.
 */
import { describe, expect, it } from 'vitest'
import { INGEST_MS_WEIGHT, syncComponentsFor } from '../../src/node/sync-components.js'
import type { NodeCore } from '../../src/node/core.js'
import type { IngestResult } from '../../src/node/types.js'

function stubCore (stored: Set<string>) {
  const gates: Array<(r: IngestResult) => void> = []
  const core = {
    clock: { now: () => 0 },
    store: { holds: (d: Uint8Array) => stored.has(Buffer.from(d).toString('hex')) },
    ingest: { ingest: async () => await new Promise<IngestResult>(resolve => { gates.push(resolve) }) }
  } as unknown as NodeCore
  return { core, gates }
}

describe('sync components: holds', () => {
  it('is true while an ingest of the id runs (two at once, from two peers), then follows the store', async () => {
    const stored = new Set<string>()
    const { core, gates } = stubCore(stored)
    const c = syncComponentsFor(core)
    const id = new Uint8Array(32).fill(7)
    const other = new Uint8Array(32).fill(8)
    expect(c.holds!(id)).toBe(false)
    const first = c.ingest(Uint8Array.of(1), 'peer:a', id)
    const second = c.ingest(Uint8Array.of(1), 'peer:b', id)
    expect(c.holds!(id)).toBe(true)
    expect(c.holds!(other)).toBe(false)
    gates[0]({ ok: false, code: 'INGEST_INTERNAL', message: 'x' })
    await first
    expect(c.holds!(id)).toBe(true) // the second is still under way
    gates[1]({ ok: false, code: 'ENVELOPE_BAD_SIGNATURE', message: 'x' })
    await second
    expect(c.holds!(id)).toBe(false) // refused: not held
    stored.add(Buffer.from(id).toString('hex'))
    expect(c.holds!(id)).toBe(true)
  })

  it('ingestMs follows the time of accepted ingests only (duplicates say nothing of the load)', async () => {
    let now = 0
    const gates: Array<(r: IngestResult) => void> = []
    const core = {
      clock: { now: () => now },
      store: { holds: () => false },
      ingest: { ingest: async () => await new Promise<IngestResult>(resolve => { gates.push(resolve) }) }
    } as unknown as NodeCore
    const c = syncComponentsFor(core)
    expect(c.ingestMs!()).toBe(0)
    const slow = c.ingest(Uint8Array.of(1), 'peer:a', new Uint8Array(32).fill(1))
    now += 160
    gates[0]({ ok: true } as unknown as IngestResult)
    await slow
    expect(c.ingestMs!()).toBeCloseTo(160 * INGEST_MS_WEIGHT)
    const dup = c.ingest(Uint8Array.of(2), 'peer:b', new Uint8Array(32).fill(2))
    now += 1000
    gates[1]({ ok: false, code: 'INGEST_DUPLICATE', message: 'x' })
    await dup
    expect(c.ingestMs!()).toBeCloseTo(160 * INGEST_MS_WEIGHT)
  })
})
