/**
 * The node's sync components (src/node/sync-components.ts): one set serves every session of
 * a node, so `holds` answers true for an id being ingested from any peer, and only while
 * that ingest is under way.
 */
import { describe, expect, it } from 'vitest'
import { syncComponentsFor } from '../../src/node/sync-components.js'
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
})
