/**
 * The daemon's log (src/node/log.ts): JSON lines with ISO times for machines, human lines in
 * the node's time zone on a terminal, remote text never raw, and a log file that survives
 * logrotate (reopened after a rename).
 */
import { describe, it, expect } from 'vitest'
import { PassThrough } from 'node:stream'
import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { createLogger, humanLine, resolveLogFormat } from '../../src/node/log.js'
import { tempDir } from '../helpers/tmp.js'

function capture (isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }, text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean }
  stream.isTTY = isTTY
  let text = ''
  stream.on('data', (d: Buffer) => { text += d.toString() })
  return { stream, text: () => text }
}

const tick = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('log', () => {
  it('auto is human on a terminal and JSON otherwise', () => {
    expect(resolveLogFormat('auto', { isTTY: true })).toBe('human')
    expect(resolveLogFormat('auto', {})).toBe('json')
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json')
    expect(resolveLogFormat('human', {})).toBe('human')
  })

  it('JSON lines carry an ISO time and the level by name', async () => {
    const out = capture(false)
    const { log } = createLogger({ level: 'info', format: 'auto', console: out.stream })
    log.warn({ event: 'rejected', code: 'ENVELOPE_BAD_FIELD' })
    await tick()
    const line = JSON.parse(out.text().trim())
    expect(line).toMatchObject({ level: 'warn', event: 'rejected', code: 'ENVELOPE_BAD_FIELD' })
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('human lines: local time with its offset, level, event, fields — control characters from other nodes escaped', async () => {
    const json = JSON.stringify({ level: 'warn', time: '2026-12-04T19:25:06.123Z', pid: 1, event: 'rejected', code: 'X', message: 'a\u001b[31mred\nforged line' })
    const line = humanLine(json, 'America/Mexico_City')
    expect(line).toBe('2026-12-04 13:25:06.123 -06:00 WARN  rejected code=X message="a␛[31mred␤forged line"')
    expect(line).not.toMatch(/[\u0000-\u001f]/)
    // nested fields as dotted keys, lists of plain values with commas (not escaped JSON)
    const nested = humanLine(JSON.stringify({ level: 30, time: '2026-12-04T19:25:06.123Z', event: 'hotlist', rebuild: { messages: 0, ms: 1 }, orgs: ['MX-YUC', 'MX-CAM'], byCode: { ROSTER_UNKNOWN_AUTHOR: 3 } }), 'UTC')
    expect(nested).toBe('2026-12-04 19:25:06.123 +00:00 INFO  hotlist rebuild.messages=0 rebuild.ms=1 orgs=MX-YUC,MX-CAM byCode.ROSTER_UNKNOWN_AUTHOR=3')
    const out = capture(true)
    const { log } = createLogger({ level: 'info', format: 'auto', console: out.stream, timeZone: 'UTC' })
    log.info({ event: 'message', id: 'bafkreiabc' })
    await tick()
    expect(out.text()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+00:00 INFO  message id=bafkreiabc\n$/)
  })

  it('the log file gets JSON lines, and after logrotate moves it a reopen writes a new file', async () => {
    const dir = await tempDir('c5mesh-log-')
    try {
      const file = join(dir.path, 'logs', 'c5mesh.log')
      const out = capture(true)
      const logger = createLogger({ level: 'info', format: 'human', console: out.stream, file })
      logger.log.info({ event: 'one' })
      await rename(file, `${file}.1`)
      logger.reopen()
      logger.log.info({ event: 'two' })
      logger.close()
      await tick()
      expect(JSON.parse(await readFile(`${file}.1`, 'utf8')).event).toBe('one')
      expect(JSON.parse(await readFile(file, 'utf8')).event).toBe('two')
      expect(out.text()).toContain('INFO  one')
    } finally {
      await dir.cleanup()
    }
  })
})
