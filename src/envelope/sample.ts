/**
 * A reference alert for benchmarks and size figures (issue 2 "Benchmark"): msgType Alert,
 * category Security, an event, urgency/severity/certainty, a ~40-character headline, a
 * 200-character description, org MX-YUC, authored by an 8-byte key id.
 */
import type { UnsignedEnvelope } from './types.js'
import { derivePrecedence } from './precedence.js'

export interface SampleAlertOptions {
  /** 8-byte key id or 32-byte key (default: 8 bytes 0x01). */
  author?: Uint8Array
  /** ms since the epoch (default 2026-11-28T00:00:00Z). */
  created?: number
  ttlS?: number
  descriptionChars?: number
  headlineChars?: number
  /** Varies the text so that many samples have distinct ids. */
  seq?: number
  org?: string
}

export const SAMPLE_CREATED_MS = Date.UTC(2026, 10, 28)
const DESCRIPTION_TEXT = 'Se reporta robo con violencia de vehiculo sedan color gris, placas YUC-123-A, ' +
  'visto por ultima vez en periferico norte con direccion a Progreso. Dos ocupantes armados. ' +
  'No intervenir; informar al C5 y a Guardia Nacional por el canal de emergencia. '

function fit (text: string, chars: number): string {
  let s = text
  while (s.length < chars) s += text
  return s.slice(0, chars)
}

export function sampleAlert (opts: SampleAlertOptions = {}): UnsignedEnvelope {
  const created = opts.created ?? SAMPLE_CREATED_MS
  const tag = opts.seq === undefined ? '' : ` #${opts.seq}`
  return {
    version: 1,
    kind: 'alert',
    author: opts.author ?? new Uint8Array(8).fill(1),
    org: opts.org ?? 'MX-YUC',
    created,
    expires: created + (opts.ttlS ?? 24 * 60 * 60) * 1000,
    precedence: derivePrecedence('Immediate', 'Severe'),
    scope: [],
    references: [],
    content: {
      msgType: 'Alert',
      category: 'Security',
      event: 'Robo de vehiculo',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: fit(`Robo de vehiculo en Merida, placas YUC-123-A${tag}`, opts.headlineChars ?? 40),
      description: fit(`${tag.trim()} ${DESCRIPTION_TEXT}`.trim(), opts.descriptionChars ?? 200)
    }
  }
}
