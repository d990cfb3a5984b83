/**
 * Durations as testers write them in scenarios: "90s", "30m", "2h", "1h30m", "3d", "1d12h",
 * "250ms". A bare number is refused (is 30 seconds or minutes?), so is a negative one
 * (except where a sign is allowed: a clock skew "+15m" / "-2h").
 */
export const DURATION_UNITS_MS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 })

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/

/** What the parser expects, for error messages. */
export const DURATION_EXPECTED = 'a duration such as 90s, 30m, 2h, 1h30m or 3d'

/** Milliseconds of a duration text; undefined when it is not one. */
export function parseDuration (text: unknown, options: { signed?: boolean } = {}): number | undefined {
  if (typeof text !== 'string') return undefined
  let t = text.trim().replace(/\s+/g, '')
  let sign = 1
  if (options.signed === true && (t.startsWith('+') || t.startsWith('-'))) { sign = t.startsWith('-') ? -1 : 1; t = t.slice(1) }
  if (!WHOLE.test(t)) return undefined
  let ms = 0
  for (const m of t.matchAll(PART)) ms += Number(m[1]) * DURATION_UNITS_MS[m[2]]
  return Number.isFinite(ms) ? sign * Math.round(ms) : undefined
}

/** "1d 2h 03m", "45m 10s", "350 ms": a duration for people (reports, progress). */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms)) return '∞'
  const neg = ms < 0
  let rest = Math.abs(Math.round(ms))
  if (rest < 1_000) return `${neg ? '-' : ''}${rest} ms`
  const d = Math.floor(rest / 86_400_000); rest -= d * 86_400_000
  const h = Math.floor(rest / 3_600_000); rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000); rest -= m * 60_000
  const s = rest / 1_000
  const parts: string[] = []
  if (d > 0) parts.push(`${d}d`)
  if (h > 0 || d > 0) parts.push(`${h}h`)
  if (d === 0 && (m > 0 || h > 0)) parts.push(`${String(m).padStart(h > 0 ? 2 : 1, '0')}m`)
  if (d === 0 && h === 0) parts.push(m > 0 ? `${Math.round(s)}s` : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`)
  return (neg ? '-' : '') + parts.join(' ')
}
