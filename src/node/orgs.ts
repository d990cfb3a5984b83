/**
 * The orgs a message may be addressed to (`--scope`, the API's `scope`): the 32 states of
 * Mexico (ISO 3166-2:MX, src/receipts/orgs.ts), the orgs of the roster in
 * force (agencies such as CNI are there), and any listed in config `knownOrgs`. A typo in a
 * scope would address a flash alert to nobody.
 */
import type { ComposePolicy } from './compose-request.js'
import { MX_STATE_CODES } from '../receipts/orgs.js'

export { MX_STATE_CODES }

/** The states, the roster's orgs and the configured extra orgs, as one set. */
export function knownOrgs (rosterOrgs: Iterable<string>, configured: Iterable<string> = []): Set<string> {
  return new Set([...MX_STATE_CODES, ...rosterOrgs, ...configured])
}

/** This node's compose policy (compose-request.ts) from its config and roster in force. */
export function composePolicy (core: { roster: { state: { members: () => ReadonlyArray<{ org: string }> } } }, config: { knownOrgs: string[], compose: { maxLifetimeMs: number } }): ComposePolicy {
  return {
    maxLifetimeMs: config.compose.maxLifetimeMs,
    knownOrgs: () => knownOrgs(core.roster.state.members().map(m => m.org), config.knownOrgs)
  }
}
