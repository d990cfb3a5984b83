/**
 * Delivery receipts on real LevelDB stores: which messages a node receipts, batching (one
 * receipt per precedence per interval naming several ids, at their precedence), and that
 * a pending receipt survives a crash (written in the message's own batch).
 */
import { describe, it, expect, afterEach } from 'vitest'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope, Precedence } from '../../src/envelope/types.js'
import { toHex } from '../../src/identity/keys.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { createReceiptEmitter, type ReceiptEmitter } from '../../src/receipts/index.js'
import { createTestWorld, type TestWorld, type WorldMember } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

async function openCore (world: TestWorld, dir: string): Promise<NodeCore> {
  const core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors })
  if (core.roster.version() === 0) expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
  return core
}

function alert (m: WorldMember, headline: string, precedence: Precedence, scope: string[] = [], now = Date.now()): Envelope {
  return composeEnvelope({ kind: 'alert', org: m.org, precedence, scope, content: { msgType: 'Alert', headline } }, m.operator, { now })
}

async function receiptsOf (core: NodeCore): Promise<Envelope[]> {
  return (await core.store.query({ kind: 'receipt', limit: 1000 })).map(m => m.envelope)
}

describe('delivery receipts', () => {
  it('batches: one receipt per precedence naming every id of the interval, at that precedence; not for its own org, routine, or another org\'s scope', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM', 'MX-ROO'], Date.now())
    const [yuc, cam] = world.members
    const dir = await tempDir('c5mesh-rcpt-')
    const core = await openCore(world, dir.path)
    const emitter = createReceiptEmitter({ core, nodeKey: cam.node }, { batchMs: 60_000 })
    await emitter.start()
    cleanups.push(async () => { await emitter.stop(); await core.close(); await dir.cleanup() })

    const flash = [alert(yuc, 'a', 'flash'), alert(yuc, 'b', 'flash'), alert(yuc, 'c', 'flash', ['MX-CAM'])]
    const immediate = [alert(yuc, 'd', 'immediate')]
    const skipped = [alert(yuc, 'e', 'routine'), alert(yuc, 'f', 'flash', ['MX-ROO']), alert(cam, 'g', 'flash')]
    for (const e of [...flash, ...immediate, ...skipped]) expect((await core.ingest.ingest(e.bytes, 'peer:test')).ok).toBe(true)
    expect(emitter.pending()).toBe(4)
    await emitter.flush()
    expect(emitter.pending()).toBe(0)
    const receipts = await receiptsOf(core)
    expect(receipts.map(r => r.precedence).sort()).toEqual(['flash', 'immediate'])
    const byPrec = Object.fromEntries(receipts.map(r => [r.precedence, r]))
    expect(byPrec.flash.references.map(toHex).sort()).toEqual(flash.map(e => toHex(e.digest)).sort())
    expect(byPrec.immediate.references.map(toHex)).toEqual([toHex(immediate[0].digest)])
    for (const r of receipts) {
      expect(r.org).toBe('MX-CAM')
      expect(r.scope).toEqual([]) // national: the originator, wherever it is, needs it
      expect(r.expires).toBeGreaterThanOrEqual(Math.max(...flash.map(e => e.expires)) - 1000)
    }
    expect(emitter.stats()).toMatchObject({ sent: 2, ids: 4, failures: 0 })
  })

  it('more ids than one receipt may name: several receipts of at most 64', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const [yuc, cam] = world.members
    const dir = await tempDir('c5mesh-rcpt-')
    const core = await openCore(world, dir.path)
    const emitter = createReceiptEmitter({ core, nodeKey: cam.node }, { batchMs: 60_000 })
    await emitter.start()
    cleanups.push(async () => { await emitter.stop(); await core.close(); await dir.cleanup() })
    const now = Date.now()
    for (let i = 0; i < 150; i++) expect((await core.ingest.ingest(alert(yuc, `x${i}`, 'immediate', [], now - i).bytes, 'peer:test')).ok).toBe(true)
    await emitter.flush()
    const receipts = await receiptsOf(core)
    expect(receipts.map(r => r.references.length).sort((a, b) => a - b)).toEqual([22, 64, 64])
    expect(new Set(receipts.flatMap(r => r.references.map(toHex))).size).toBe(150)
  })

  it('a crash before the interval ends loses nothing: the pending receipt was written with the message', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const [yuc, cam] = world.members
    const dir = await tempDir('c5mesh-rcpt-')
    cleanups.push(async () => { await dir.cleanup() })
    const first = await openCore(world, dir.path)
    const e1 = createReceiptEmitter({ core: first, nodeKey: cam.node }, { batchMs: 3_600_000 })
    await e1.start()
    const a = alert(yuc, 'antes del corte', 'flash')
    expect((await first.ingest.ingest(a.bytes, 'peer:test')).ok).toBe(true)
    // No stop (it would flush): the store closes as it would under a power cut.
    await first.close()

    const second = await openCore(world, dir.path)
    const e2 = createReceiptEmitter({ core: second, nodeKey: cam.node }, { batchMs: 3_600_000 })
    await e2.start()
    cleanups.push(async () => { await e2.stop(); await second.close() })
    expect(e2.pending()).toBe(1)
    await e2.flush()
    const receipts = await receiptsOf(second)
    expect(receipts).toHaveLength(1)
    expect(receipts[0].references.map(toHex)).toEqual([toHex(a.digest)])
    // …and once sent, it is not pending any more after the next restart.
    expect(await second.store.meta.list('receipt-pending/')).toEqual([])
  })

  it('the timer sends the batch after batchMs', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const [yuc, cam] = world.members
    const dir = await tempDir('c5mesh-rcpt-')
    const core = await openCore(world, dir.path)
    const emitter = createReceiptEmitter({ core, nodeKey: cam.node }, { batchMs: 50 })
    await emitter.start()
    cleanups.push(async () => { await emitter.stop(); await core.close(); await dir.cleanup() })
    const stored = new Promise<Envelope>(resolve => {
      core.ingest.events.on('message', ({ envelope }) => { if (envelope.kind === 'receipt') resolve(envelope) })
    })
    const a = alert(yuc, 'uno', 'flash')
    await core.ingest.ingest(a.bytes, 'peer:test')
    expect((await stored).references.map(toHex)).toEqual([toHex(a.digest)])
  })
})
