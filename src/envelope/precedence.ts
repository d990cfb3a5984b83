/**
 * Precedence derived from CAP urgency and severity when the author does not set one
 * (docs/protocol/envelope.md §"Precedence"). Rows: urgency; columns: severity.
 *
 *                 Extreme    Severe     Moderate   Minor     Unknown/absent
 *   Immediate     flash      immediate  priority   priority  priority
 *   Expected      immediate  priority   priority   routine   routine
 *   Future        priority   priority   routine    routine   routine
 *   Past/Unknown  routine    routine    routine    routine   routine
 *   absent        priority*  priority*  routine    routine   routine
 *
 * (*) no urgency but Extreme/Severe severity: priority — severity alone never jumps the
 * queue to flash or immediate, which need an explicit time pressure.
 */
import type { Precedence, Severity, Urgency } from './types.js'

const TABLE: Record<Urgency | 'none', Record<Severity | 'none', Precedence>> = {
  Immediate: { Extreme: 'flash', Severe: 'immediate', Moderate: 'priority', Minor: 'priority', Unknown: 'priority', none: 'priority' },
  Expected: { Extreme: 'immediate', Severe: 'priority', Moderate: 'priority', Minor: 'routine', Unknown: 'routine', none: 'routine' },
  Future: { Extreme: 'priority', Severe: 'priority', Moderate: 'routine', Minor: 'routine', Unknown: 'routine', none: 'routine' },
  Past: { Extreme: 'routine', Severe: 'routine', Moderate: 'routine', Minor: 'routine', Unknown: 'routine', none: 'routine' },
  Unknown: { Extreme: 'routine', Severe: 'routine', Moderate: 'routine', Minor: 'routine', Unknown: 'routine', none: 'routine' },
  none: { Extreme: 'priority', Severe: 'priority', Moderate: 'routine', Minor: 'routine', Unknown: 'routine', none: 'routine' }
}

export function derivePrecedence (urgency?: Urgency, severity?: Severity): Precedence {
  const row = TABLE[urgency ?? 'none'] ?? TABLE.none
  return row[severity ?? 'none'] ?? row.none
}
