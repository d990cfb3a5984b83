/**
 * The hotlist of a national store rebuilt at start (issue 11): 100,000 signed stolen-vehicle
 * reports on real LevelDB, with Updates, Cancels and expired reports among them; the node
 * restarts and its plates service rebuilds the hotlist from the store's kind index. What an
 * LPR analyst depends on: every active report is on the list with its latest details, no
 * recovered (cancelled) or expired one is, and the result is the hotlist that applying the
 * same messages one by one gives. Its speed is the bench's (`npm run bench -- plates`,
 * rebuild_ms), not asserted here.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { digestFromId, signEnvelope } from '../../src/envelope/index.js'
import type { Envelope, UnsignedEnvelope, VehicleReport } from '../../src/envelope/types.js'
import { keyId } from '../../src/identity/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { createHotlist, createPlatesService, REPORT_TTL_S, reportMessageOf } from '../../src/plates/index.js'
import { createTestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'

const REPORTS = 100_000
const UPDATED = 300
const CANCELLED = 200
const EXPIRED = 50
const LETTERS = 'ACEFGHJKLMNPRTUVWXY'

/** Distinct plates AAA1234 / AAA123A from a counter. */
function plateOf (i: number): string {
  const l = (k: number): string => LETTERS[k % LETTERS.length]
  const a = `${l(i)}${l(Math.floor(i / 19))}${l(Math.floor(i / 361))}`
  const n = Math.floor(i / 6859)
  return `${a}${String(n % 1000).padStart(3, '0')}${n < 1000 ? 'A' : l(n)}`
}

describe('hotlist rebuild at start', () => {
  it(`${REPORTS.toLocaleString('en')} reports, with Updates, Cancels and expired ones, rebuild to the same active hotlist`, async () => {
    const now = Date.now()
    const world = createTestWorld(['MX-JAL'], now)
    const op = world.members[0].operator
    const author = keyId(op.publicKey)
    const dir = await tempDir('c5mesh-rebuild-')
    const all: Envelope[] = []
    const report = (i: number, extra: Partial<VehicleReport> = {}): VehicleReport => ({ msgType: 'Alert', plate: plateOf(i), plateState: 'MX-JAL', make: 'Nissan', model: 'Versa', year: 2015 + (i % 10), colour: 'gris', caseNumber: `FGE/JAL/2026/${i}`, ...extra })
    const vehicle = (created: number, v: VehicleReport, references: Uint8Array[] = [], ttlMs = REPORT_TTL_S * 1000): Envelope => {
      const u: UnsignedEnvelope = { version: 1, kind: 'vehicle', author, org: 'MX-JAL', created, expires: created + ttlMs, precedence: 'priority', scope: [], references, vehicle: v }
      return signEnvelope(u, op.privateKey)
    }
    try {
      let core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
      const put = async (list: Envelope[]): Promise<void> => { await Promise.all(list.map(async e => await core.store.put(e, { received: now, source: 'test' }))) }
      // Written straight to the store, as ingest leaves them (this is about the rebuild).
      for (let i = 0; i < REPORTS; i += 2000) {
        const batch = Array.from({ length: Math.min(2000, REPORTS - i) }, (_, j) => vehicle(now - 60_000, report(i + j)))
        all.push(...batch)
        await put(batch)
      }
      const roots = all.slice(0, UPDATED + CANCELLED)
      const updates = roots.slice(0, UPDATED).map((r, k) => vehicle(now - 30_000, report(k, { msgType: 'Update', colour: 'rojo' }), [digestFromId(r.id)]))
      const cancels = roots.slice(UPDATED).map((r, k) => vehicle(now - 20_000, { ...report(UPDATED + k), msgType: 'Cancel' }, [digestFromId(r.id)]))
      const expired = Array.from({ length: EXPIRED }, (_, k) => vehicle(now - 7_200_000, report(REPORTS + k), [], 3_600_000))
      await put([...updates, ...cancels, ...expired])
      all.push(...updates, ...cancels, ...expired)
      await core.close()

      // The restart.
      core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
      const svc = createPlatesService({ store: core.store, ingest: core.ingest, clock: core.clock })
      const r = await svc.start()
      svc.stop()
      expect(r.messages).toBe(all.length)
      expect(svc.stats().active).toBe(REPORTS - CANCELLED)
      // Updated: the latest details, counted; cancelled (recovered) and expired: off the list.
      const updated = svc.check(plateOf(7))
      expect(updated.status).toBe('hit')
      expect(updated.matches[0].entry).toMatchObject({ root: all[7].id, id: updates[7].id, updates: 1, report: { colour: 'rojo', caseNumber: 'FGE/JAL/2026/7' } })
      expect(svc.check(plateOf(UPDATED + 3)).status).toBe('none')
      expect(svc.check(plateOf(REPORTS + 3)).status).toBe('none')
      for (let i = UPDATED + CANCELLED; i < REPORTS; i += 997) {
        const c = svc.check(plateOf(i))
        expect(c.status, plateOf(i)).toBe('hit')
        expect(c.matches[0].entry).toMatchObject({ root: all[i].id, report: { caseNumber: `FGE/JAL/2026/${i}`, colour: 'gris' } })
      }
      // The same as applying every message one at a time, newest first (order does not matter).
      const ref = createHotlist()
      for (const e of [...all].reverse()) ref.apply(reportMessageOf(e), core.clock.now())
      const key = (x: { root: string, id: string, plate: string, updates: number }): string => `${x.root} ${x.id} ${x.plate} ${x.updates}`
      expect(svc.list(REPORTS).map(key).sort()).toEqual(ref.list(core.clock.now(), REPORTS).map(key).sort())
      await core.close()
    } finally {
      await dir.cleanup()
    }
  }, 300_000)
})
