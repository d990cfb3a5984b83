/**
 * The attack bench's national network (bench/attacks.ts): one roster naming the victim V,
 * the honest state H that sends flash alerts, a probe that checks V still lets roster peers
 * in, and one org per attack that needs a roster key of its own — a roster key that
 * misbehaves is banned, and bans (and quotas) are per key and per org, so one attack must
 * not disarm the next. The attackers run in child processes: they get the keys as seeds.
 */
import { keyPairFromSeed, toHex, fromHex, type KeyPair } from '../../src/identity/index.js'
import { createTestWorld, type TestWorld } from '../../src/sim/world.js'

export const VICTIM_ORG = 'MX-CMX'
export const HONEST_ORG = 'MX-GRO'
export const PROBE_ORG = 'MX-YUC'
/** Orgs whose operators sign the background traffic of the SSE attack (quotas are per author and org). */
export const TRAFFIC_ORGS = ['MX-JAL', 'MX-NAY', 'MX-COL', 'MX-AGS']
/** The roster org (node and operator keys) each insider attack speaks as. */
export const INSIDER_ORGS: Record<string, string> = {
  malformed_frames: 'MX-SON',
  list_sketch_amplification: 'MX-SIN',
  slowloris: 'MX-CHH',
  session_churn: 'MX-COA',
  insider_flood: 'MX-NLE',
  nonmember_false_roster_claim: 'MX-TAM',
  far_expired_future: 'MX-DUR',
  burst_64k: 'MX-ZAC',
  sse_non_reading: TRAFFIC_ORGS[0]
}

export function benchWorld (now: number): TestWorld {
  const orgs = new Set([VICTIM_ORG, HONEST_ORG, PROBE_ORG, ...TRAFFIC_ORGS, ...Object.values(INSIDER_ORGS)])
  return createTestWorld([...orgs], now)
}

export interface MemberKeys { org: string, node: KeyPair, operator: KeyPair }
/** What a child process gets: every member's seeds, by org. */
export type WorldSeeds = Record<string, { node: string, operator: string }>

export function worldSeeds (world: TestWorld): WorldSeeds {
  return Object.fromEntries(world.members.map(m => [m.org, { node: toHex(m.node.seed), operator: toHex(m.operator.seed) }]))
}

export function memberFromSeeds (seeds: WorldSeeds, org: string): MemberKeys {
  const s = seeds[org]
  if (s === undefined) throw new Error(`no member ${org} in the bench world`)
  return { org, node: keyPairFromSeed(fromHex(s.node)), operator: keyPairFromSeed(fromHex(s.operator)) }
}
