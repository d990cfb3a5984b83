import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { normalisePlate, skeletonOf, tryNormalisePlate } from '../../src/plates/index.js'
import { isC5Error } from '../../src/errors.js'

describe('normalisePlate (Mexican plates)', () => {
  it.each([
    ['YUC-123-A', 'YUC123A'],
    ['yuc 123 a', 'YUC123A'],
    ['Yuc.123.a', 'YUC123A'],
    ['  ABC-12-34 ', 'ABC1234'],
    ['123-ABC', '123ABC'],
    ['Ñ12-ABC', 'N12ABC'],
    ['é1 23', 'E123'],
    ['A12/BCD', 'A12BCD']
  ])('%j → %s', (raw, want) => { expect(normalisePlate(raw)).toBe(want) })

  it.each([
    ['', 'empty'], ['A', 'one character'], ['ABCDEFGHIJK', 'eleven characters'], ['ABC*123', 'a star'],
    ['ABC\u0000123', 'a NUL'], ['x'.repeat(40), 'too long'], ['----', 'only separators']
  ])('refuses %j (%s) with PLATES_BAD_PLATE', (raw) => {
    expect(() => normalisePlate(raw)).toThrow(expect.objectContaining({ code: 'PLATES_BAD_PLATE' }))
    expect(tryNormalisePlate(raw)).toBeUndefined()
  })

  it('refuses what is not text', () => {
    for (const v of [undefined, null, 123, {}, ['ABC']]) {
      try { normalisePlate(v); expect.unreachable() } catch (err) { expect(isC5Error(err, 'PLATES_BAD_PLATE')).toBe(true) }
    }
  })

  it('is idempotent and yields only A–Z, 0–9 (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 20 }), (s) => {
      const p = tryNormalisePlate(s)
      if (p === undefined) return
      expect(p).toMatch(/^[A-Z0-9]{2,10}$/)
      expect(normalisePlate(p)).toBe(p)
    }), { numRuns: 2000 })
  })
})

describe('skeletonOf (OCR confusions 0/O/D/Q, 1/I, 8/B, 5/S, 2/Z)', () => {
  it('folds each confusion group to one character', () => {
    expect(skeletonOf('ODQ0')).toBe('0000')
    expect(skeletonOf('I1')).toBe('11')
    expect(skeletonOf('B8S5Z2')).toBe('885522')
    expect(skeletonOf('YUC123A')).toBe('YUC123A')
  })
  it('leaves other characters alone', () => {
    expect(skeletonOf('ACEFGHJKLMNPRTUVWXY34679')).toBe('ACEFGHJKLMNPRTUVWXY34679')
  })
  it('plates that differ only within groups share a skeleton; others do not', () => {
    expect(skeletonOf('JD6085B')).toBe(skeletonOf('JO6O858'))
    expect(skeletonOf('ABC123')).not.toBe(skeletonOf('ABC124'))
  })
})
