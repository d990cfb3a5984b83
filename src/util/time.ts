/**
 * Times as operators read them: in the node's time zone (config `timeZone`, by default the
 * system's), always with the UTC offset, so a time is never ambiguous on a screen read at
 * 4 a.m. or quoted over the phone to another state: `2026-12-04 13:25:06 -06:00`.
 */

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor (timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? ''
  let f = formatters.get(key)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      ...(timeZone === undefined ? {} : { timeZone }),
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23', timeZoneName: 'longOffset'
    })
    if (formatters.size < 64) formatters.set(key, f)
  }
  return f
}

/** Whether `timeZone` is an IANA time zone this Node knows ("America/Mexico_City"). */
export function isTimeZone (timeZone: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone }); return true } catch { return false }
}

/** The system's time zone (what `timeZone` defaults to). */
export function systemTimeZone (): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}

/** `2026-12-04 13:25:06 -06:00` (with `millis`: `13:25:06.123`). */
export function formatLocalTime (ms: number, timeZone?: string, options: { millis?: boolean } = {}): string {
  if (!Number.isFinite(ms)) return '?'
  const parts: Record<string, string> = {}
  for (const p of formatterFor(timeZone).formatToParts(ms)) parts[p.type] = p.value
  // longOffset reads "GMT-06:00", or "GMT" at offset zero.
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : (parts.timeZoneName ?? '').replace(/^GMT/, '')
  const frac = options.millis === true ? `.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}` : ''
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}${frac} ${offset}`
}
