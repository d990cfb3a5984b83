import { describe, it, expect } from 'vitest'
import { readFile } from 'node:fs/promises'
import { configFromEnv, DEFAULT_CONFIG_FILE, validateConfig } from '../../src/config/index.js'
import { isC5Error } from '../../src/errors.js'

const base = async (): Promise<Record<string, unknown>> => ({ ...JSON.parse(await readFile(DEFAULT_CONFIG_FILE, 'utf8')), org: 'MX-YUC' })
const problems = async (radio: unknown): Promise<string> => {
  try { validateConfig({ ...(await base()), radio }); return 'valid' } catch (e) { expect(isC5Error(e, 'CONFIG_INVALID')).toBe(true); return (e as Error).message }
}

describe('config: radio links (docs/protocol/links.md §6 "Radio links")', () => {
  it('defaults to none, and takes a KISS TCP and a KISS serial entry', async () => {
    expect(validateConfig(await base()).radio).toEqual([])
    const radio = [
      { kind: 'kiss-tcp', host: '127.0.0.1', port: 8001, stationId: 'C5-YUC', bitRate: 1200 },
      { kind: 'kiss-serial', path: '/dev/ttyUSB0', baud: 9600, stationId: 'XE1ABC-2', bitRate: 9600, channel: 1, maxFrameBytes: 512, txDelayMs: 150, txTailMs: 50, fullDuplex: false, reconcileIntervalMs: 600000 }
    ]
    expect(validateConfig({ ...(await base()), radio }).radio).toEqual(radio)
  })

  it('names each bad field of an entry, with what it expects', async () => {
    expect(await problems([{ kind: 'kiss-tcp', host: 'tnc', port: 70000, stationId: 'C5-YUC', bitRate: 1200 }])).toBe('radio.0.port: expected a TCP port 1–65535, got 70000')
    expect(await problems([{ kind: 'kiss-udp' }])).toMatch(/^radio\.0\.kind: expected a radio link: kind "kiss-tcp" \(host, port\) or "kiss-serial" \(path, baud\), got "kiss-udp"$/)
    const msg = await problems([{ kind: 'kiss-serial', path: '/dev/ttyUSB0', baud: 9600, stationId: 'c5', bitRate: 1200, maxFrameBytes: 2000, typo: 1 }])
    expect(msg).toContain('radio.0.stationId: expected a station id')
    expect(msg).toContain('radio.0.maxFrameBytes: expected a radio frame size in bytes, 32–1023')
    expect(msg).toContain('radio.0.typo: expected no such setting (unknown key)')
    expect(await problems([{ kind: 'kiss-tcp', host: 'tnc', port: 8001, stationId: 'C5-YUC' }])).toBe("radio.0.bitRate: expected number, got nothing")
    expect(await problems('x')).toMatch(/^radio: expected a list of radio links/)
  })

  it('C5MESH_RADIO holds the list as JSON', () => {
    expect(configFromEnv({ C5MESH_RADIO: '[{"kind":"kiss-tcp","host":"h","port":1,"stationId":"A","bitRate":1200}]' })).toEqual({ radio: [{ kind: 'kiss-tcp', host: 'h', port: 1, stationId: 'A', bitRate: 1200 }] })
    expect(configFromEnv({ C5MESH_RADIO: 'not json' })).toEqual({ radio: 'not json' })
  })
})
