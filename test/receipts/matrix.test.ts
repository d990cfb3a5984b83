/** The delivery matrix, pure: rows, proofs, and the one promise — it only moves forward. */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { deliveryMatrix, matrixOrgs, MX_STATE_CODES, onlyForward, needsReceipt, type AckEvidence, type ReceiptEvidence } from '../../src/receipts/index.js'

const MSG = { id: 'm', org: 'MX-YUC', created: 1000, scope: 'national' as const }

describe('delivery matrix', () => {
  it('national: the 32 states and the roster\'s agencies; the origin delivered by its own message', () => {
    expect(matrixOrgs(MSG, ['CNI', 'FGR', 'CNI'])).toEqual([...MX_STATE_CODES, 'CNI', 'FGR'])
    const m = deliveryMatrix(MSG, [], [], ['CNI'])
    expect(m.counts).toEqual({ total: 33, pending: 32, delivered: 1, acknowledged: 0 })
    expect(m.rows.find(r => r.org === 'MX-YUC')).toEqual({ org: 'MX-YUC', state: 'delivered', delivered: { at: 1000, id: 'm', by: 'origin' } })
  })

  it('a listed scope has its rows; evidence from outside the scope adds a row rather than vanish', () => {
    const m = deliveryMatrix({ ...MSG, scope: ['MX-CAM', 'MX-ROO'] }, [{ id: 'r', org: 'MX-TAB', created: 1200 }], [])
    expect(m.rows.map(r => [r.org, r.state])).toEqual([['MX-CAM', 'pending'], ['MX-ROO', 'pending'], ['MX-TAB', 'delivered']])
  })

  it('earliest receipt is the delivery time; an ack alone also proves delivery', () => {
    const m = deliveryMatrix(MSG, [{ id: 'r2', org: 'MX-CAM', created: 1500 }, { id: 'r1', org: 'MX-CAM', created: 1300 }], [{ id: 'a', org: 'MX-ROO', created: 1400, author: 'k', note: 'ok' }])
    expect(m.rows.find(r => r.org === 'MX-CAM')).toMatchObject({ state: 'delivered', delivered: { at: 1300, id: 'r1', by: 'receipt' } })
    expect(m.rows.find(r => r.org === 'MX-ROO')).toMatchObject({ state: 'acknowledged', delivered: { by: 'ack', at: 1400 }, acknowledged: { id: 'a', note: 'ok' } })
  })

  it('adding any receipts and acks never moves a row backwards (property)', () => {
    const org = fc.constantFrom('MX-CAM', 'MX-ROO', 'MX-YUC', 'CNI', 'MX-JAL')
    const receipt = fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), org, created: fc.integer({ min: 0, max: 5000 }) })
    const ack = fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), org, created: fc.integer({ min: 0, max: 5000 }), author: fc.constant('k') })
    fc.assert(fc.property(fc.array(receipt), fc.array(ack), fc.array(receipt), fc.array(ack), (r1: ReceiptEvidence[], a1: AckEvidence[], r2: ReceiptEvidence[], a2: AckEvidence[]) => {
      const before = deliveryMatrix(MSG, r1, a1, ['CNI'])
      const after = deliveryMatrix(MSG, [...r1, ...r2], [...a1, ...a2], ['CNI'])
      expect(onlyForward(before, after)).toBe(true)
    }))
  })
})

describe('which messages are receipted', () => {
  const P = new Set(['flash', 'immediate'] as const)
  it('alerts and bulletins of a receipted precedence, addressed to us, from another org', () => {
    const base = { kind: 'alert' as const, org: 'MX-YUC', scope: [] as string[], precedence: 'flash' as const }
    expect(needsReceipt(base, 'MX-CAM', P)).toBe(true)
    expect(needsReceipt({ ...base, kind: 'bulletin' }, 'MX-CAM', P)).toBe(true)
    expect(needsReceipt({ ...base, scope: ['MX-CAM'] }, 'MX-CAM', P)).toBe(true)
    expect(needsReceipt({ ...base, scope: ['MX-ROO'] }, 'MX-CAM', P)).toBe(false)
    expect(needsReceipt({ ...base, precedence: 'routine' }, 'MX-CAM', P)).toBe(false)
    expect(needsReceipt(base, 'MX-YUC', P)).toBe(false)
    for (const kind of ['ack', 'receipt', 'roster', 'revocation'] as const) expect(needsReceipt({ ...base, kind }, 'MX-CAM', P)).toBe(false)
  })
})
