/**
 * The daemon's log (pino): JSON lines for machines — journald, Docker, a log shipper — and
 * readable lines for a person at a terminal; every line has an ISO time. An optional log
 * file receives the JSON lines too, appended, reopened on SIGHUP (after logrotate moved it).
 *
 *   format 'auto': human when the console stream is a terminal, JSON otherwise
 *
 * Human lines: `2026-12-04 13:25:06.123 -06:00 WARN  rejected code=… source=…`, in the
 * node's time zone. Values are printed with every control character escaped: log fields
 * can carry text that came from other nodes.
 *
 * Why not pino-pretty: its lines are not in the operator's time zone, it prints values as
 * they are (a remote ESC sequence would reach the terminal), and it brings a dozen packages;
 * the formatter below is one function.
 *
 * @example
 * const log = createLogger({ level: 'info', format: 'auto', timeZone: 'America/Mexico_City' })
 * log.info({ event: 'message', id })
 */
import { Writable } from 'node:stream'
import { pino, type Logger, type DestinationStream } from 'pino'
import { formatLocalTime } from '../util/time.js'
import { displaySafe } from '../util/display.js'

export type LogFormat = 'auto' | 'human' | 'json'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
  /** IANA time zone of human lines (default: the system's). */
  timeZone?: string
  /** Also append JSON lines to this file. */
  file?: string
  /** Where console lines go (default: stderr, fd 2). */
  console?: NodeJS.WritableStream & { isTTY?: boolean }
}

export interface NodeLogger {
  log: Logger
  /** Reopens the log file (SIGHUP after logrotate). */
  reopen: () => void
  /** Flushes and closes the file (at stop). */
  close: () => void
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' }
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'event', 'msg'])

function fieldText (v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  const safe = displaySafe(s, { oneLine: true })
  return /[\s"=]/.test(safe) || safe === '' ? JSON.stringify(safe) : safe
}

const NESTED_DEPTH_MAX = 3

/**
 * Nested objects as dotted keys and lists of plain values joined by commas, so that a human
 * line reads `rebuild.messages=0 rebuild.ms=1` rather than `rebuild="{\"messages\":0,…}"`.
 */
function fieldPairs (entries: Array<[string, unknown]>, depth = 0): Array<[string, unknown]> {
  return entries.flatMap(([k, v]): Array<[string, unknown]> => {
    if (Array.isArray(v) && v.every(x => x === null || ['string', 'number', 'boolean'].includes(typeof x))) return [[k, v.join(',')]]
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth < NESTED_DEPTH_MAX) {
      return fieldPairs(Object.entries(v).filter(([, x]) => x !== undefined).map(([j, x]) => [`${k}.${j}`, x]), depth + 1)
    }
    return [[k, v]]
  })
}

/** One JSON log line (as pino writes it) → one human line. */
export function humanLine (json: string, timeZone?: string): string {
  let o: Record<string, unknown>
  try { o = JSON.parse(json) } catch { return displaySafe(json, { oneLine: true }) }
  const t = typeof o.time === 'string' ? Date.parse(o.time) : typeof o.time === 'number' ? o.time : NaN
  const when = Number.isNaN(t) ? '?' : formatLocalTime(t, timeZone, { millis: true })
  const level = typeof o.level === 'number' ? LEVEL_NAMES[o.level] ?? String(o.level) : String(o.level ?? '').toUpperCase()
  const head = [o.event, o.msg].filter(x => typeof x === 'string' && x !== '').map(x => displaySafe(String(x), { oneLine: true })).join(' ')
  const rest = fieldPairs(Object.entries(o).filter(([k, v]) => !SKIP.has(k) && v !== undefined)).map(([k, v]) => `${k}=${fieldText(v)}`)
  return [when, level.padEnd(5), head, ...rest].filter(x => x !== '').join(' ')
}

function humanStream (out: NodeJS.WritableStream, timeZone?: string): Writable {
  let partial = ''
  return new Writable({
    write (chunk: Buffer | string, _enc, done) {
      partial += chunk.toString()
      let nl
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        if (line !== '') out.write(humanLine(line, timeZone) + '\n')
      }
      done()
    }
  })
}

export function resolveLogFormat (format: LogFormat, stream: { isTTY?: boolean }): 'human' | 'json' {
  return format === 'auto' ? (stream.isTTY === true ? 'human' : 'json') : format
}

export function createLogger (options: LoggerOptions): NodeLogger {
  const consoleOut = options.console ?? process.stderr
  const format = resolveLogFormat(options.format, consoleOut)
  const streams: pino.StreamEntry[] = [{ level: options.level === 'silent' ? 'fatal' : options.level, stream: format === 'human' ? humanStream(consoleOut, options.timeZone) : consoleOut as DestinationStream }]
  let file: ReturnType<typeof pino.destination> | undefined
  if (options.file !== undefined) {
    // Synchronous writes: a line is in the file when the call returns (a crash right after
    // an error must not lose the line that explains it).
    file = pino.destination({ dest: options.file, append: true, mkdir: true, sync: true })
    streams.push({ level: options.level === 'silent' ? 'fatal' : options.level, stream: file })
  }
  const log = pino({
    level: options.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { pid: process.pid },
    formatters: { level: label => ({ level: label }) }
  }, pino.multistream(streams))
  return {
    log,
    reopen: () => { file?.reopen() },
    close: () => { file?.flushSync(); file?.end() }
  }
}
