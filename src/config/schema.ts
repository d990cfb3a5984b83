/**
 * The node config schema, built from the field table (fields.ts): strict objects, so an
 * unknown or misspelt key is refused, not ignored.
 */
import { z } from 'zod'
import { CONFIG_FIELDS, OPTIONAL_GROUPS } from './fields.js'

function buildSchema () {
  const top: Record<string, z.ZodType> = {}
  const groups = new Map<string, Record<string, z.ZodType>>()
  for (const f of CONFIG_FIELDS) {
    const [head, leaf, ...rest] = f.path.split('.')
    if (rest.length > 0) throw new Error(`config paths are at most two deep: ${f.path}`)
    const schema = f.optional === true ? f.schema.optional() : f.schema
    if (leaf === undefined) {
      top[head] = schema
    } else {
      const g = groups.get(head) ?? {}
      g[leaf] = schema
      groups.set(head, g)
    }
  }
  for (const [name, shape] of groups) {
    const obj = z.strictObject(shape)
    top[name] = OPTIONAL_GROUPS.has(name) ? obj.optional() : obj
  }
  return z.strictObject(top)
}

export const configSchema = buildSchema()

interface RadioLinkCommon {
  stationId: string
  channel?: number
  bitRate: number
  maxFrameBytes?: number
  txDelayMs?: number
  txTailMs?: number
  fullDuplex?: boolean
  reconcileIntervalMs?: number
}
export type RadioLinkConfig =
  | (RadioLinkCommon & { kind: 'kiss-tcp', host: string, port: number })
  | (RadioLinkCommon & { kind: 'kiss-serial', path: string, baud: number })

/** The validated node configuration. */
export interface NodeConfig {
  dataDir?: string
  org: string
  listen: string[]
  announce: string[]
  bootstrap: string[]
  mdns: boolean
  dht: boolean
  connections: { allow: string[] }
  trustAnchors?: { keys: string[], threshold: number }
  api: { host: string, port: number, allowedHosts: string[], postsPerMinute: number, maxConcurrentQueries: number }
  ingest: { maxClockSkewMs: number, maxEnvelopeBytes: number }
  store: { tombstoneGraceMs: number, sweepIntervalMs: number }
  sync: {
    maxFrameBytes: number
    bytesPerSecond: number
    peerScoreBanThreshold: number
    maxMessagesPerSecondPerPeer: number
    reconcileIntervalMs: number
  }
  reconnect: { minBackoffMs: number, maxBackoffMs: number, isolationWarnMs: number }
  receipts: { precedences: Array<'flash' | 'immediate' | 'priority' | 'routine'>, batchMs: number }
  /** Radio links (docs/protocol/links.md §6 "Radio links"). */
  radio: RadioLinkConfig[]
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent', format: 'auto' | 'human' | 'json', file?: string }
  knownOrgs: string[]
  compose: { maxLifetimeMs: number }
  /** IANA time zone for what operators read; absent: the system's. */
  timeZone?: string
  plates: {
    hitKind: 'alert' | 'bulletin'
    hitPrecedence: 'flash' | 'immediate' | 'priority' | 'routine'
    possiblePrecedence: 'flash' | 'immediate' | 'priority' | 'routine'
    hitScope: 'concerned' | 'national'
    hitDedupMs: number
    nearMatches: boolean
    topology: string
  }
}
