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

/** Longest time-to-live an operator may ask for: the wire's limit (400 days). */
export const MAX_TTL_S = 34_560_000
/** Shortest: a message must live long enough to travel. */
export const MIN_TTL_S = 60
export const DEFAULT_COMPOSE_TTL_S = 86_400

const org = z.string().regex(ORG_CODE_PATTERN, 'an org code such as MX-YUC or CNI')
const text = z.string().min(1)
const id = z.string().min(1).max(128).describe('a message id (bafkrei…)')

export const composeRequestSchema = z.strictObject({
  kind: z.enum(['alert', 'bulletin']).default('alert'),
  /** Default: derived from urgency and severity (docs/protocol/envelope.md §Precedence). */
  precedence: z.enum(PRECEDENCES).optional(),
  msgType: z.enum(MSG_TYPES).default('Alert'),
  headline: text,
  description: text.optional(),
  instruction: text.optional(),
  event: text.optional(),
  category: z.enum(CATEGORIES).optional(),
  urgency: z.enum(URGENCIES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  certainty: z.enum(CERTAINTIES).optional(),
  area: z.strictObject({
    description: text,
    circles: z.array(z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180), radiusKm: z.number().positive() })).optional(),
    polygons: z.array(z.array(z.tuple([z.number().min(-90).max(90), z.number().min(-180).max(180)]))).optional(),
    geocodes: z.array(z.strictObject({ name: text, value: z.string() })).optional()
  }).optional(),
  parameters: z.array(z.strictObject({ name: text, value: z.string() })).optional(),
  /** 'national', or the orgs it is addressed to. */
  scope: z.union([z.literal('national'), z.array(org).min(1)]).default('national'),
  /** Ids this updates or cancels (required for Update and Cancel). */
  references: z.array(id).optional(),
  expiresInS: z.number().int().min(MIN_TTL_S).max(MAX_TTL_S).default(DEFAULT_COMPOSE_TTL_S)
})
export type ComposeRequest = z.output<typeof composeRequestSchema>
export type ComposeRequestInput = z.input<typeof composeRequestSchema>

export const ackRequestSchema = z.strictObject({ note: text.optional() })
export type AckRequest = z.output<typeof ackRequestSchema>

/** A zod failure as the API's error: API_BAD_REQUEST naming the first bad field. */
export function badRequest (error: z.ZodError): C5Error {
  const issue = error.issues[0]
  const field = issue.path.join('.') || 'body'
  return new C5Error('API_BAD_REQUEST', `${field}: ${issue.message}`, { details: { field } })
}

export function parseComposeRequest (input: unknown): ComposeRequest {
  const r = composeRequestSchema.safeParse(input)
  if (!r.success) throw badRequest(r.error)
  return r.data
}

export function parseAckRequest (input: unknown): AckRequest {
  const r = ackRequestSchema.safeParse(input ?? {})
  if (!r.success) throw badRequest(r.error)
  return r.data
}

function references (ids: string[] | undefined): Uint8Array[] {
  return (ids ?? []).map((s, i) => {
    try { return digestFromId(s) } catch (cause) {
      throw new C5Error('API_BAD_REQUEST', `references.${i}: not a message id: ${s}`, { cause, details: { field: `references.${i}` } })
    }
  })
}

export interface ComposeContext { org: string, operator: Pick<KeyPair, 'publicKey' | 'privateKey'>, now: number }

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
  return composeEnvelope({
    kind: req.kind,
    org: ctx.org,
    content,
    scope: req.scope === 'national' ? [] : req.scope,
    references: refs,
    ttlS: req.expiresInS,
    ...(req.precedence === undefined ? {} : { precedence: req.precedence })
  }, ctx.operator, { now: ctx.now })
}

/** An ack of `target` (an alert or bulletin held here), living as long as it does. */
export function composeAck (target: Pick<Envelope, 'kind' | 'digest' | 'expires' | 'id'>, req: AckRequest, ctx: ComposeContext): Envelope {
  if (target.kind !== 'alert' && target.kind !== 'bulletin') {
    throw new C5Error('API_BAD_REQUEST', `only alerts and bulletins are acknowledged; ${target.id} is ${/^[aeiou]/.test(target.kind) ? 'an' : 'a'} ${target.kind}`, { details: { field: 'id' } })
  }
  return composeEnvelope({
    kind: 'ack',
    org: ctx.org,
    references: [target.digest],
    ...(req.note === undefined ? {} : { note: req.note }),
    // An ack lives as long as what it acknowledges (at least a minute).
    ttlS: Math.max(MIN_TTL_S, Math.ceil((target.expires - ctx.now) / 1000))
  }, ctx.operator, { now: ctx.now })
}
