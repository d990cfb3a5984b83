/** Remote text made safe for a terminal, and times in the operator's zone with their offset. */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { displaySafe, jsonSafe } from '../../src/util/display.js'
import { formatLocalTime, isTimeZone } from '../../src/util/time.js'

const TERMINAL_ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c]/

describe('displaySafe', () => {
  it('leaves ordinary text alone (accents, emoji, tabs and newlines in multi-line fields)', () => {
    expect(displaySafe('Robo de vehículo — placa YUC-123-A 🚓')).toBe('Robo de vehículo — placa YUC-123-A 🚓')
    expect(displaySafe('línea 1\n\tlínea 2')).toBe('línea 1\n\tlínea 2')
  })

  it('makes ESC sequences, C1 controls and bidi overrides visible; one-line fields lose their newlines', () => {
    expect(displaySafe('x\u001b[31mRED\u0007')).toBe('x␛[31mRED␇')
    expect(displaySafe('a\u009b2Jb\u202eevil')).toBe('a\ufffd2Jb\ufffdevil')
    expect(displaySafe('first\nsecond\r\u2028', { oneLine: true })).toBe('first␤second␤␤')
  })

  it('never lets a terminal-active character through, for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), s => {
      expect(displaySafe(s)).not.toMatch(TERMINAL_ACTIVE)
      expect(displaySafe(s, { oneLine: true })).not.toMatch(/[\n\r\t\u2028\u2029]/)
      expect(displaySafe(s, { oneLine: true })).not.toMatch(TERMINAL_ACTIVE)
    }))
  })

  it('jsonSafe escapes what JSON.stringify leaves raw, and the JSON still parses to the same value', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), s => {
      const j = jsonSafe(JSON.stringify({ s }))
      expect(j).not.toMatch(TERMINAL_ACTIVE)
      expect(JSON.parse(j)).toEqual({ s })
    }))
  })
})

describe('formatLocalTime', () => {
  const t = Date.parse('2026-07-04T19:25:06.123Z')
  it('shows the zone\'s local time with its UTC offset, never bare UTC', () => {
    expect(formatLocalTime(t, 'America/Mexico_City')).toBe('2026-07-04 13:25:06 -06:00')
    expect(formatLocalTime(t, 'America/Cancun')).toBe('2026-07-04 14:25:06 -05:00')
    expect(formatLocalTime(t, 'Europe/Madrid', { millis: true })).toBe('2026-07-04 21:25:06.123 +02:00')
    expect(formatLocalTime(t, 'UTC')).toBe('2026-07-04 19:25:06 +00:00')
    expect(formatLocalTime(t)).toMatch(/^2026-07-0\d \d\d:\d\d:\d\d [+-]\d\d:\d\d$/)
  })

  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('America/Mexico_City')).toBe(true)
    expect(isTimeZone('Mexico/Yucatan')).toBe(false)
  })
})
