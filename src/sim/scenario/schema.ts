/**
 * The scenario format (docs/SIMULATOR.md "Scenario files"): what a tester writes, in YAML
 * or JSON, validated with zod. Durations are texts with units ("2h", "1h30m"), bandwidths
 * texts with units ("512 kbit/s", "1200 baud"), so that a file reads without a manual.
 * Every object is strict: a misspelt field is an error naming it, not silently ignored.
 */
import { z } from 'zod'
import { ORG_CODE_PATTERN } from '../../envelope/index.js'
import { PRECEDENCES } from '../../envelope/types.js'
import { DURATION_EXPECTED, parseDuration } from '../duration.js'

export const MAX_SCENARIO_NODES = 4096
export const MAX_WORKLOAD_MESSAGES = 1_000_000
export const MAX_TIMELINE_EVENTS = 10_000

/** A duration text → ms (≥ 0). */
export const duration = z.any().transform((v, ctx) => {
  const ms = parseDuration(v)
  if (ms === undefined || ms < 0) { ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXPECTED}, got ${JSON.stringify(v)}` }); return z.NEVER }
  return ms
})
/** A signed duration ("+15m", "-2h") → ms. */
export const signedDuration = z.any().transform((v, ctx) => {
  const ms = parseDuration(v, { signed: true })
  if (ms === undefined) { ctx.addIssue({ code: 'custom', message: `expected a signed duration such as +15m or -2h, got ${JSON.stringify(v)}` }); return z.NEVER }
  return ms
})

const RATE = /^(\d+(?:\.\d+)?)\s*(bit\/s|bps|baud|kbit\/s|kbps|Mbit\/s|Mbps|Gbit\/s|B\/s|kB\/s|MB\/s)$/
const RATE_FACTOR: Record<string, number> = { 'bit/s': 1 / 8, bps: 1 / 8, baud: 1 / 8, 'kbit/s': 125, kbps: 125, 'Mbit/s': 125_000, Mbps: 125_000, 'Gbit/s': 125_000_000, 'B/s': 1, 'kB/s': 1_000, 'MB/s': 1_000_000 }
/** "512 kbit/s", "1200 baud", "10 Mbit/s", "150 B/s" → bytes per second. */
export function parseRate (v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined
  const m = RATE.exec(v.trim())
  if (m === null) return undefined
  const r = Number(m[1]) * RATE_FACTOR[m[2]]
  return r > 0 && Number.isFinite(r) ? r : undefined
}
const rate = z.any().transform((v, ctx) => {
  const r = parseRate(v)
  if (r === undefined) { ctx.addIssue({ code: 'custom', message: `expected a bandwidth such as 512 kbit/s, 10 Mbit/s or 1200 baud, got ${JSON.stringify(v)}` }); return z.NEVER }
  return r
})

export const org = z.string().regex(ORG_CODE_PATTERN, 'expected an org code such as MX-GRO or CNI')
/** A region name from `regions`, an org code, or "all". */
const group = z.string().min(1).max(64)
/** One group, or a list of org codes / region names. */
const groups = z.union([group, z.array(group).min(1).max(MAX_SCENARIO_NODES)])
const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a short name in lowercase letters, digits and dashes')
const precedence = z.enum(PRECEDENCES)
const fraction = z.number().gt(0, 'expected a fraction above 0').max(1, 'expected a fraction of at most 1')

export const linkClassSchema = z.object({
  base: z.string().min(1),
  description: z.string().max(500).optional(),
  latency: duration.optional(),
  jitter: duration.optional(),
  bandwidth: rate.optional(),
  loss: z.number().min(0).max(0.9, 'expected a loss of at most 0.9').optional(),
  mtu: z.number().int().min(32).max(65_536).optional(),
  header: z.number().int().min(0).max(1_024).optional(),
  duplex: z.enum(['full', 'half']).optional(),
  keyup: duration.optional(),
  retry: duration.optional(),
  buffer: z.number().int().min(0).max(16 * 1024 * 1024).optional()
}).strict()

/** Which links an event is about. At least one selector; `fraction` keeps a seeded share of them. */
export const linkSelectorSchema = z.object({
  link: z.tuple([org, org]).optional(),
  links: z.array(z.tuple([org, org])).min(1).optional(),
  node: org.optional(),
  region: group.optional(),
  within: group.optional(),
  between: z.tuple([groups, groups]).optional(),
  channel: name.optional(),
  all: z.literal(true).optional(),
  only: z.string().min(1).optional(),
  fraction: fraction.optional()
}).strict()

export const nodeSelectorSchema = z.union([
  org,
  z.array(org).min(1),
  z.object({ nodes: groups.optional(), region: group.optional(), all: z.literal(true).optional(), fraction: fraction.optional() }).strict()
])

const messageFilterSchema = z.object({
  from: groups.optional(),
  precedence: z.union([precedence, z.array(precedence).min(1)]).optional(),
  kind: z.enum(['alert', 'bulletin']).optional(),
  tag: z.string().min(1).max(64).optional(),
  after: duration.optional(),
  before: duration.optional()
}).strict()

const precedenceMix = z.union([precedence, z.object({ flash: z.number().min(0).optional(), immediate: z.number().min(0).optional(), priority: z.number().min(0).optional(), routine: z.number().min(0).optional() }).strict()])

export const publishSchema = z.object({
  from: groups,
  kind: z.enum(['alert', 'bulletin']).optional(),
  precedence: precedence.optional(),
  headline: z.string().min(1).max(200).optional(),
  count: z.number().int().min(1).max(10_000).optional(),
  ttl: duration.optional(),
  bytes: z.number().int().min(0).max(60_000).optional(),
  scope: z.union([z.literal('national'), z.array(org).min(1)]).optional(),
  tag: z.string().min(1).max(64).optional()
}).strict()

export const workloadSchema = z.object({
  kind: z.enum(['alert', 'bulletin']).optional(),
  from: groups,
  count: z.number().int().min(1).max(MAX_WORKLOAD_MESSAGES),
  between: z.tuple([duration, duration]).optional(),
  precedence: precedenceMix.optional(),
  bytes: z.number().int().min(0).max(60_000).optional(),
  ttl: duration.optional(),
  tag: z.string().min(1).max(64).optional()
}).strict()

const degradeSchema = linkSelectorSchema.extend({ to: z.string().min(1) }).strict()

const courierSchema = z.object({
  name: z.string().min(1).max(64).optional(),
  route: z.array(org).min(2).max(64),
  /** Road time of each leg, or one time for every leg. */
  travel: z.union([duration, z.array(duration).min(1)]),
  stop: duration.optional()
}).strict()

const TIMELINE_ACTIONS = ['publish', 'cut', 'restore', 'degrade', 'power-off', 'power-on', 'courier', 'skew', 'revoke', 'roster-update', 'rogue'] as const
export type TimelineAction = typeof TIMELINE_ACTIONS[number]

export const timelineItemSchema = z.object({
  at: duration,
  note: z.string().max(500).optional(),
  publish: publishSchema.optional(),
  cut: linkSelectorSchema.optional(),
  restore: linkSelectorSchema.optional(),
  degrade: degradeSchema.optional(),
  'power-off': nodeSelectorSchema.optional(),
  'power-on': nodeSelectorSchema.optional(),
  courier: courierSchema.optional(),
  skew: z.object({ node: org, by: signedDuration }).strict().optional(),
  revoke: z.object({ org, role: z.enum(['operator', 'node']).optional(), via: org.optional(), reason: z.string().max(200).optional() }).strict().optional(),
  'roster-update': z.object({ rotate: z.array(org).min(1), via: org.optional() }).strict().optional(),
  rogue: z.object({
    node: org,
    forged: z.number().int().min(0).max(100_000).optional(),
    oversized: z.number().int().min(0).max(1_000).optional(),
    flood: z.number().int().min(0).max(1_000_000).optional(),
    over: duration.optional()
  }).strict().optional()
}).strict().superRefine((item, ctx) => {
  const actions = TIMELINE_ACTIONS.filter(a => item[a] !== undefined)
  if (actions.length !== 1) ctx.addIssue({ code: 'custom', message: actions.length === 0 ? `expected one action: ${TIMELINE_ACTIONS.join(', ')}` : `expected one action per event, got ${actions.join(' and ')} (write two events)` })
})

const scope = z.union([groups, z.literal('all')])

const ASSERTIONS = ['delivered', 'no-duplicates', 'revoked-refused', 'delivery-ratio', 'p99-latency', 'roster-converged'] as const
export const assertionSchema = z.object({
  name: z.string().min(1).max(120).optional(),
  delivered: z.object({ messages: messageFilterSchema.optional(), to: scope.optional(), by: duration }).strict().optional(),
  'no-duplicates': z.literal(true).optional(),
  'revoked-refused': z.literal(true).optional(),
  'delivery-ratio': z.object({ min: z.number().min(0).max(1), messages: messageFilterSchema.optional(), to: scope.optional(), by: duration.optional() }).strict().optional(),
  'p99-latency': z.object({ max: duration, precedence: precedence.optional(), messages: messageFilterSchema.optional(), to: scope.optional() }).strict().optional(),
  'roster-converged': z.literal(true).optional()
}).strict().superRefine((item, ctx) => {
  const kinds = ASSERTIONS.filter(a => item[a] !== undefined)
  if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: kinds.length === 0 ? `expected one assertion: ${ASSERTIONS.join(', ')}` : `expected one assertion per item, got ${kinds.join(' and ')}` })
})
export type AssertionKind = typeof ASSERTIONS[number]

export const scenarioFileSchema = z.object({
  name,
  title: z.string().min(1).max(200).optional(),
  description: z.string().min(1).max(20_000),
  topology: z.string().min(1).max(512).optional(),
  start: z.iso.datetime({ offset: true, message: 'expected a date and time such as 2023-10-25T00:00:00-06:00' }).optional(),
  duration,
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  regions: z.record(name, z.array(org).min(1).max(MAX_SCENARIO_NODES)).optional(),
  agencies: z.array(z.object({ org, name: z.string().max(200).optional(), links: z.array(z.object({ to: org, class: z.string().min(1) }).strict()).min(1) }).strict()).max(256).optional(),
  links: z.object({
    default: z.string().min(1).optional(),
    classes: z.record(name, linkClassSchema).optional(),
    assign: z.array(linkSelectorSchema.extend({ class: z.string().min(1) }).strict()).optional(),
    extra: z.array(z.object({ a: org, b: org, class: z.string().min(1), up: z.boolean().optional() }).strict()).optional()
  }).strict().optional(),
  channels: z.array(z.object({ name, class: z.string().min(1), members: groups, up: z.boolean().optional() }).strict()).max(64).optional(),
  partition: z.object({ groups: z.array(z.array(org).min(1)).min(2), at: duration.optional(), heal: duration.optional() }).strict().optional(),
  node: z.object({ reconcileInterval: duration.optional(), maxClockSkew: duration.optional(), bandwidth: rate.optional() }).strict().optional(),
  workload: z.array(workloadSchema).max(64).optional(),
  timeline: z.array(timelineItemSchema).max(MAX_TIMELINE_EVENTS).optional(),
  assertions: z.array(assertionSchema).max(256).optional(),
  /** The short form (CI): `scale` of the workload, the scenario's times × `time` (short.ts). */
  short: z.object({ scale: fraction, time: fraction.optional(), note: z.string().max(500).optional() }).strict().optional(),
  sample: duration.optional()
}).strict()

export type ScenarioFile = z.infer<typeof scenarioFileSchema>
export type LinkSelector = z.infer<typeof linkSelectorSchema>
export type NodeSelector = z.infer<typeof nodeSelectorSchema>
export type MessageFilter = z.infer<typeof messageFilterSchema>
export type TimelineItem = z.infer<typeof timelineItemSchema>
export type AssertionItem = z.infer<typeof assertionSchema>
export type WorkloadItem = z.infer<typeof workloadSchema>
export type PublishItem = z.infer<typeof publishSchema>
export { TIMELINE_ACTIONS, ASSERTIONS }
