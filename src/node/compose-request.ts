/**
 * What an operator asks to send, as plain JSON (the API's `POST /v1/messages`, the CLI's
 * `send` and `ack`), and how it becomes a signed envelope. One schema validates both entry
 * points and documents the API (OpenAPI is generated from it), so the CLI, the console and
 * any script are refused the same way, naming the field.
 *
 * @example
 *   const req = parseComposeRequest({ headline: 'Robo de vehículo', precedence: 'flash', parameters: [{ name: 'placa', value: 'YUC-123-A' }] })
 *   const env = composeFromRequest(req, { org: 'MX-YUC', operator, now: Date.now() })
 */
import { z } from 'zod'
import { C5Error } from '../errors.js'
import { composeEnvelope, digestFromId, ORG_CODE_PATTERN } from '../envelope/index.js'
import { CATEGORIES, CERTAINTIES, MSG_TYPES, PRECEDENCES, SEVERITIES, URGENCIES, type Content, type Envelope } from '../envelope/types.js'
import type { KeyPair } from '../identity/keys.js'
import { withArticle } from '../util/words.js'

/** Longest time-to-live an operator may ask for: the wire's limit (400 days). */
export const MAX_TTL_S = 34_560_000
/** Shortest: a message must live long enough to travel. */
export const MIN_TTL_S = 60
export const DEFAULT_COMPOSE_TTL_S = 86_400

/** 90 → "90 seconds", 86400 → "1 day", 129600 → "1 day 12 hours": lifetimes in words. */
export function durationWords (seconds: number): string {
  const units: Array<[number, string]> = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute'], [1, 'second']]
  const parts: string[] = []
  let rest = Math.max(0, Math.round(seconds))
  for (const [size, name] of units) {
    const n = Math.floor(rest / size)
    if (n > 0 && parts.length < 2) { parts.push(`${n} ${name}${n === 1 ? '' : 's'}`); rest -= n * size }
    if (parts.length > 0 && rest === 0) break
  }
  return parts.length === 0 ? '0 seconds' : parts.join(' ')
}

const org = z.string().regex(ORG_CODE_PATTERN, 'an org code such as MX-YUC or CNI')
const text = z.string().min(1)
const id = z.string().min(1).max(128).describe('a message id (bafkrei…)')

export const composeRequestSchema = z.strictObject({
  kind: z.enum(['alert', 'bulletin']).default('alert').describe('alert or bulletin'),
  /** Default: derived from urgency and severity (docs/protocol/envelope.md §Precedence). */
  precedence: z.enum(PRECEDENCES).optional().describe(`one of ${PRECEDENCES.join(', ')} (default: from urgency and severity)`),
  msgType: z.enum(MSG_TYPES).default('Alert').describe(`one of ${MSG_TYPES.join(', ')}`),
  headline: text.describe('one line of text: what it is'),
  description: text.optional(),
  instruction: text.optional(),
  event: text.optional(),
  category: z.enum(CATEGORIES).optional().describe(`one of ${CATEGORIES.join(', ')}`),
  urgency: z.enum(URGENCIES).optional().describe(`one of ${URGENCIES.join(', ')}`),
  severity: z.enum(SEVERITIES).optional().describe(`one of ${SEVERITIES.join(', ')}`),
  certainty: z.enum(CERTAINTIES).optional().describe(`one of ${CERTAINTIES.join(', ')}`),
  area: z.strictObject({
    description: text,
    circles: z.array(z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), radiusKm: z.number().positive() })).optional(),
    polygons: z.array(z.array(z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]))).optional(),
    geocodes: z.array(z.strictObject({ name: text, value: z.string() })).optional()
  }).optional(),
  parameters: z.array(z.strictObject({ name: text, value: z.string() })).optional(),
  /** 'national', or the orgs it is addressed to. */
  scope: z.union([z.literal('national'), z.array(org).min(1)]).default('national').describe('"national", or a list of org codes such as ["MX-YUC", "CNI"]'),
  /** Ids this updates or cancels (required for Update and Cancel). */
  references: z.array(id).optional().describe('the ids of the messages this updates or cancels'),
  expiresInS: z.number({ error: 'expected a whole number of seconds' }).int({ error: 'expected a whole number of seconds' })
    .min(MIN_TTL_S, { error: `must be at least ${durationWords(MIN_TTL_S)}` })
    .max(MAX_TTL_S, { error: `must be at most ${durationWords(MAX_TTL_S)} (the longest any node accepts)` })
    .default(DEFAULT_COMPOSE_TTL_S)
})
export type ComposeRequest = z.output<typeof composeRequestSchema>
export type ComposeRequestInput = z.input<typeof composeRequestSchema>

export const ackRequestSchema = z.strictObject({ note: text.optional() })
export type AckRequest = z.output<typeof ackRequestSchema>

/**
 * A zod failure as the API's error: API_BAD_REQUEST naming the first bad field, what it
 * expects (the field's schema description, which OpenAPI shows too) and what it got.
 */
/** zod's own messages begin so; a schema's error option does not. */
const ZOD_DEFAULT_WORDS = /^(Invalid|Too (big|small)|Unrecognized)/

const TYPE_WORDS: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', bigint: 'a whole number' }

/** What a zod issue expected, in our words (zod's own read "Invalid input: expected string, received number"). */
export function issueInWords (issue: z.core.$ZodIssue): string {
  const i = issue as unknown as { code: string, expected?: string, values?: unknown[], minimum?: number | bigint, maximum?: number | bigint, origin?: string, format?: string }
  const unit = i.origin === 'string' ? ' characters' : i.origin === 'array' || i.origin === 'set' ? ' items' : ''
  switch (i.code) {
    case 'invalid_type': return `expected ${TYPE_WORDS[i.expected ?? ''] ?? i.expected ?? 'another type'}`
    case 'invalid_value': return `expected ${(i.values ?? []).length === 1 ? '' : 'one of '}${(i.values ?? []).map(v => JSON.stringify(v)).join(', ')}`
    case 'too_small': return `expected at least ${String(i.minimum)}${unit}`
    case 'too_big': return `expected at most ${String(i.maximum)}${unit}`
    case 'invalid_format': return `expected ${i.format === 'regex' ? 'another form' : `a valid ${i.format ?? 'value'}`}`
    case 'not_multiple_of': return 'expected a whole number'
    default: return 'not of an accepted form'
  }
}

export function badRequest (error: z.ZodError, input?: unknown, schema?: unknown): C5Error {
  const issue = error.issues[0]
  if (issue.code === 'unrecognized_keys') {
    return new C5Error('API_BAD_REQUEST', `unknown field ${issue.keys.join(', ')}${issue.path.length > 0 ? ` in ${issue.path.join('.')}` : ''}`, { details: { field: [...issue.path, issue.keys[0]].join('.') } })
  }
  const field = issue.path.join('.') || 'body'
  let got: unknown = input
  for (const k of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey]
  const top = issue.path.length === 1 ? (schema as { shape?: Record<string, { description?: string }> } | undefined)?.shape?.[String(issue.path[0])]?.description : undefined
  // A field's own words (its schema's error option) stand alone; otherwise what it expects and what came.
  if (top === undefined && !ZOD_DEFAULT_WORDS.test(issue.message)) return new C5Error('API_BAD_REQUEST', `${field}: ${issue.message}`, { details: { field } })
  const what = top !== undefined ? `expected ${top}` : issueInWords(issue)
  return new C5Error('API_BAD_REQUEST', `${field}: ${what}, got ${JSON.stringify(got) ?? 'nothing'}`, { details: { field } })
}

export function parseComposeRequest (input: unknown): ComposeRequest {
  const r = composeRequestSchema.safeParse(input)
  if (!r.success) throw badRequest(r.error, input, composeRequestSchema)
  return r.data
}

export function parseAckRequest (input: unknown): AckRequest {
  const r = ackRequestSchema.safeParse(input ?? {})
  if (!r.success) throw badRequest(r.error, input, ackRequestSchema)
  return r.data
}

function references (ids: string[] | undefined): Uint8Array[] {
  return (ids ?? []).map((s, i) => {
    try { return digestFromId(s) } catch (cause) {
      throw new C5Error('API_BAD_REQUEST', `references.${i}: not a message id: ${s}`, { cause, details: { field: `references.${i}` } })
    }
  })
}

/**
 * This node's rules for what its operators compose (config `compose.maxLifetimeMs`,
 * `knownOrgs`, and the roster's orgs): a lifetime beyond what the network should carry,
 * or a scope naming an org nobody knows, is refused at compose, in words.
 */
export interface ComposePolicy {
  /** Longest lifetime, ms (default: the wire's MAX_TTL_S). */
  maxLifetimeMs?: number
  /** The orgs a scope may name (src/node/orgs.ts); absent: any well-formed code. */
  knownOrgs?: () => ReadonlySet<string>
}

export interface ComposeContext { org: string, operator: Pick<KeyPair, 'publicKey' | 'privateKey'>, now: number, policy?: ComposePolicy }

function checkPolicy (req: ComposeRequest, policy: ComposePolicy | undefined): void {
  if (policy === undefined) return
  const maxS = Math.floor((policy.maxLifetimeMs ?? MAX_TTL_S * 1000) / 1000)
  if (req.expiresInS > maxS) {
    throw new C5Error('API_BAD_REQUEST', `expiresInS: must be between ${durationWords(MIN_TTL_S)} and ${durationWords(maxS)} (this node's compose.maxLifetimeMs), got ${durationWords(req.expiresInS)}`, { details: { field: 'expiresInS' } })
  }
  const known = policy.knownOrgs?.()
  if (known !== undefined && req.scope !== 'national') {
    req.scope.forEach((o, i) => {
      if (!known.has(o)) throw new C5Error('API_BAD_REQUEST', `scope.${i}: unknown org ${o}: expected one of the 32 states (MX-AGU … MX-ZAC), an org on the roster, or one in config knownOrgs`, { details: { field: `scope.${i}` } })
    })
  }
}

/**
 * An envelope field refused by the text rules or limits, as a refusal of the request's
 * field (content.parameters[0].value → parameters.0.value), so the CLI names its flag.
 */
function asRequestError (err: unknown): unknown {
  if (!(err instanceof C5Error) || (err.code !== 'ENVELOPE_BAD_FIELD' && err.code !== 'ENVELOPE_LIMIT_EXCEEDED')) return err
  const field = err.details?.field
  if (typeof field !== 'string' || !(field.startsWith('content.') || field === 'note')) return err
  const requestField = field.replace(/^content\./, '').replace(/\[(\d+)\]/g, '.$1')
  return new C5Error('API_BAD_REQUEST', `${requestField}: ${err.message.replace(/^[^:]*: /, '')}`, { cause: err, details: { ...err.details, field: requestField } })
}

/** Signs what the request asks for with the operator's key (limits: ENVELOPE_* errors). */
export function composeFromRequest (req: ComposeRequest, ctx: ComposeContext): Envelope {
  const content: Content = { msgType: req.msgType, headline: req.headline }
  for (const k of ['event', 'description', 'instruction', 'category', 'urgency', 'severity', 'certainty'] as const) {
    if (req[k] !== undefined) (content as unknown as Record<string, unknown>)[k] = req[k]
  }
  if (req.area !== undefined) content.area = req.area
  if (req.parameters !== undefined && req.parameters.length > 0) content.parameters = req.parameters
  const refs = references(req.references)
  if (req.msgType !== 'Alert' && refs.length === 0) {
    throw new C5Error('API_BAD_REQUEST', `references: an ${req.msgType} names the message(s) it replaces`, { details: { field: 'references' } })
  }
  checkPolicy(req, ctx.policy)
  try {
    return composeEnvelope({
      kind: req.kind,
      org: ctx.org,
      content,
      scope: req.scope === 'national' ? [] : req.scope,
      references: refs,
      ttlS: req.expiresInS,
      ...(req.precedence === undefined ? {} : { precedence: req.precedence })
    }, ctx.operator, { now: ctx.now })
  } catch (err) {
    throw asRequestError(err)
  }
}

/** An ack of `target` (an alert or bulletin held here), living as long as it does. */
export function composeAck (target: Pick<Envelope, 'kind' | 'digest' | 'expires' | 'id'>, req: AckRequest, ctx: ComposeContext): Envelope {
  if (target.kind !== 'alert' && target.kind !== 'bulletin') {
    throw new C5Error('API_BAD_REQUEST', `only alerts and bulletins are acknowledged; ${target.id} is ${withArticle(target.kind)}`, { details: { field: 'id' } })
  }
  try {
    return composeEnvelope({
      kind: 'ack',
      org: ctx.org,
      references: [target.digest],
      ...(req.note === undefined ? {} : { note: req.note }),
      // An ack lives as long as what it acknowledges (at least a minute).
      ttlS: Math.max(MIN_TTL_S, Math.ceil((target.expires - ctx.now) / 1000))
    }, ctx.operator, { now: ctx.now })
  } catch (err) {
    throw asRequestError(err)
  }
}
