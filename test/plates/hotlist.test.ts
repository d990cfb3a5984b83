import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createHotlist, type ReportMessage } from '../../src/plates/index.js'
import type { MsgType, VehicleReport } from '../../src/envelope/types.js'

const T0 = 1_800_000_000_000
const DAY = 86_400_000
let n = 0
function msg (root: string | undefined, msgType: MsgType, report: Partial<VehicleReport> & { plate: string }, created = T0, expires = T0 + 30 * DAY): ReportMessage {
  const id = `id-${String(++n).padStart(4, '0')}`
  return { id, root: root ?? id, msgType, org: 'FGR', created, expires, report: { msgType, plateState: 'MX-JAL', ...report } }
}

describe('hotlist', () => {
  it('report → check hit → cancel → check none', () => {
    const h = createHotlist()
    const r = msg(undefined, 'Alert', { plate: 'JAL1234', make: 'Nissan', model: 'Versa', colour: 'gris' })
    expect(h.apply(r, T0)).toBe('added')
    const hit = h.check('jal-123-4', T0)
    expect(hit.status).toBe('hit')
    expect(hit.matches.map(m => [m.match, m.entry.root, m.entry.report.make])).toEqual([['exact', r.id, 'Nissan']])
    expect(h.apply(msg(r.id, 'Cancel', { plate: 'JAL1234', note: 'recuperado' }, T0 + 1000), T0)).toBe('cancelled')
    expect(h.check('JAL1234', T0).status).toBe('none')
    expect(h.size()).toBe(0)
    expect(h.isCancelled(r.id)).toBe(true)
  })

  it('near matches are "possible" with the reported plate as candidate, never hits', () => {
    const h = createHotlist()
    const r = msg(undefined, 'Alert', { plate: 'JD6085B' })
    h.apply(r, T0)
    const c = h.check('JO6O858', T0)
    expect(c.status).toBe('possible')
    expect(c.matches).toEqual([{ match: 'possible', entry: expect.objectContaining({ plate: 'JD6085B', root: r.id }) }])
    expect(h.check('JD6085B', T0).matches.map(m => m.match)).toEqual(['exact'])
    expect(h.check('JD6086B', T0).status).toBe('none')
  })

  it('an exact hit lists possible others after it', () => {
    const h = createHotlist()
    h.apply(msg(undefined, 'Alert', { plate: 'ABC120' }), T0)
    h.apply(msg(undefined, 'Alert', { plate: 'ABC12O' }), T0)
    const c = h.check('ABC120', T0)
    expect(c.status).toBe('hit')
    expect(c.matches.map(m => [m.match, m.entry.plate])).toEqual([['exact', 'ABC120'], ['possible', 'ABC12O']])
  })

  it('an Update changes the details (and the plate); an older Update changes nothing', () => {
    const h = createHotlist()
    const r = msg(undefined, 'Alert', { plate: 'AAA111', colour: 'rojo' })
    h.apply(r, T0)
    expect(h.apply(msg(r.id, 'Update', { plate: 'AAA112', colour: 'azul' }, T0 + 2000), T0)).toBe('updated')
    expect(h.apply(msg(r.id, 'Update', { plate: 'AAA113' }, T0 + 1000), T0)).toBe('ignored')
    expect(h.check('AAA111', T0).status).toBe('none')
    const e = h.check('AAA112', T0).matches[0].entry
    expect([e.report.colour, e.updates, e.reportedAt, e.updatedAt]).toEqual(['azul', 1, T0, T0 + 2000])
  })

  it('a Cancel that arrives before its report keeps the report off the list', () => {
    const h = createHotlist()
    const r = msg(undefined, 'Alert', { plate: 'XYZ999' })
    h.apply(msg(r.id, 'Cancel', { plate: 'XYZ999' }, T0 + 5), T0)
    expect(h.apply(r, T0)).toBe('ignored')
    expect(h.check('XYZ999', T0).status).toBe('none')
  })

  it('expired reports are ignored on arrival and dropped once they expire', () => {
    const h = createHotlist()
    expect(h.apply(msg(undefined, 'Alert', { plate: 'OLD123' }, T0 - 2 * DAY, T0 - DAY), T0)).toBe('ignored')
    h.apply(msg(undefined, 'Alert', { plate: 'NEW123' }, T0, T0 + DAY), T0)
    expect(h.check('NEW123', T0 + DAY - 1).status).toBe('hit')
    expect(h.check('NEW123', T0 + DAY).status).toBe('none')
    expect(h.size()).toBe(0)
    h.apply(msg(undefined, 'Alert', { plate: 'NEW124' }, T0, T0 + DAY), T0)
    expect(h.prune(T0 + DAY)).toBe(1)
    expect(h.list(T0)).toEqual([])
  })

  it('the final list does not depend on the order messages arrive in (property)', () => {
    const base = msg(undefined, 'Alert', { plate: 'PRP100' })
    const other = msg(undefined, 'Alert', { plate: 'PRP200' })
    const chain: ReportMessage[] = [
      base, other,
      msg(base.id, 'Update', { plate: 'PRP101' }, T0 + 10),
      msg(base.id, 'Update', { plate: 'PRP102' }, T0 + 20),
      msg(other.id, 'Update', { plate: 'PRP201' }, T0 + 10),
      msg(other.id, 'Cancel', { plate: 'PRP201' }, T0 + 30)
    ]
    const view = (h: ReturnType<typeof createHotlist>): unknown => h.list(T0).map(e => [e.root, e.plate, e.reportedAt, e.updatedAt, e.org])
    const want = createHotlist()
    for (const m of chain) want.apply(m, T0)
    expect(view(want)).toEqual([[base.id, 'PRP102', T0, T0 + 20, 'FGR']])
    fc.assert(fc.property(fc.shuffledSubarray(chain, { minLength: chain.length }), (order) => {
      const h = createHotlist()
      for (const m of order) h.apply(m, T0)
      expect(view(h)).toEqual(view(want))
    }))
  })
})
