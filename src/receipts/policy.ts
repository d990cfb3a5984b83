/**
 * Which stored messages a node receipts (docs/protocol/receipts.md §2), pure: an alert or
 * bulletin of a receipted precedence, addressed to this node's org (national, or listing
 * it), from another org (a message is its own org's proof of delivery).
 */
import type { Envelope, Precedence } from '../envelope/types.js'

export function needsReceipt (env: Pick<Envelope, 'kind' | 'org' | 'scope' | 'precedence'>, ourOrg: string, precedences: ReadonlySet<Precedence>): boolean {
  if (env.kind !== 'alert' && env.kind !== 'bulletin') return false
  if (!precedences.has(env.precedence)) return false
  if (env.org === ourOrg) return false
  return env.scope.length === 0 || env.scope.includes(ourOrg)
}
