/**
 * The node's local HTTP API (fastify): what the console and the CLI use. Bound to loopback
 * by default; every route but /healthz (and the console's static files) needs an operator's
 * bearer token; Host allow-list and foreign-Origin refusal (security.ts); a cap on
 * concurrent expensive requests (limits.ts) and a rate limit on posts; bounded event
 * stream (sse.ts); every input validated by zod schemas that also generate the OpenAPI 3
 * document at /v1/openapi.json; every error `{ code, message, field? }`.
 *
 * Routes live in modules (src/api/routes/*, listed in routes/index.ts); a module added
 * there inherits all of the above. See docs/protocol/api.md for the routes.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'
import type { ZodType } from 'zod'
import { C5Error } from '../errors.js'
import type { NodeCore } from '../node/core.js'
import type { MeshNode } from '../node/mesh.js'
import { ROSTER_ENVELOPE_MAX_BYTES } from '../node/roster-envelope.js'
import type { OperatorDirectory } from '../operators/index.js'
import { badRequest, type ComposePolicy } from '../node/compose-request.js'
import type { ApiContext } from './context.js'
import { errorBody, httpStatusOf } from './errors.js'
import { createGate } from './limits.js'
import { createMetrics } from './metrics.js'
import { ROUTE_MODULES } from './routes/index.js'
import { allowedHostSet, createHostGuard } from './security.js'
import { createEventHub } from './sse.js'

export const JSON_BODY_LIMIT_BYTES = 64 * 1024
export const DEFAULT_POSTS_PER_MINUTE = 120
export const DEFAULT_MAX_CONCURRENT_QUERIES = 4
export const QUERY_QUEUE = 16
export const QUERY_WAIT_MS = 5_000
import type { NodePlates } from '../plates/node.js'
import { platesRoutes } from './routes/plates.js'
import { capRoutes, type CapRoutesOptions } from './routes/cap.js'
import { radioPeerRows, type RadioLinkView } from './radio.js'
import { bundleRoutes, type BundleRouteOptions } from './routes/bundle.js'

export interface ApiOptions {
  core: NodeCore
  mesh?: MeshNode
  operators: OperatorDirectory
  /** This node's org (what its operators sign as). */
  org: string
  /** The address it will listen on (for the Host allow-list). Default 127.0.0.1. */
  host?: string
  /** Further names the API answers to (a reverse proxy's). */
  allowedHosts?: string[]
  postsPerMinute?: number
  maxConcurrentQueries?: number
  /** Extra fields for /v1/status (pid, org, peer id…). */
  info?: () => Record<string, unknown>
  receipts?: () => { sent: number, ids: number, failures: number, pending: number }
  /** The node's compose policy (maximum lifetime, known orgs: src/node/orgs.ts). */
  composePolicy?: ComposePolicy
  /** Bounds of the event stream (sse.ts defaults). */
  events?: Parameters<typeof createEventHub>[1]
  /** The hotlist and plate-read routes (src/api/routes/plates.ts), when the node runs them. */
  plates?: NodePlates
  /** CAP import/export and the Atom feed (src/api/routes/cap.ts): this node's org (imports are signed by the calling operator). */
  cap?: Omit<CapRoutesOptions, 'core'>
  /** The radio links' views (GET /v1/radio, and their neighbours in GET /v1/peers). */
  radio?: () => RadioLinkView[]
  /** Bundles and manifests for a courier (src/api/routes/bundle.ts): the node key that signs them. */
  bundles?: BundleRouteOptions
}

export async function createApi (options: ApiOptions): Promise<FastifyInstance> {
  const { core, mesh } = options
  const app = Fastify({
    logger: false,
    bodyLimit: Math.max(JSON_BODY_LIMIT_BYTES, ROSTER_ENVELOPE_MAX_BYTES + 1024),
    forceCloseConnections: true,
    // Slow clients must not hold a connection forever (slowloris).
    requestTimeout: 30_000,
    connectionTimeout: 0,
    return503OnClosing: true
  })

  // Bodies: JSON (bounded to what a composed message can need) and one envelope.
  app.removeAllContentTypeParsers() // fastify's text/plain one included: anything else is 415
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (_req, body, done) => {
    try { done(null, body === '' ? undefined : JSON.parse(body as string)) } catch (cause) {
      done(new C5Error('API_BAD_REQUEST', `body: not valid JSON (${(cause as Error).message})`, { cause, details: { field: 'body' } }), undefined)
    }
  })
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: ROSTER_ENVELOPE_MAX_BYTES }, (_req, body, done) => { done(null, body) })

  // Validation by the routes' zod schemas, refusing with API_BAD_REQUEST naming the field.
  // A binary body (one envelope) is the route's own business.
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    if (httpPart === 'body' && data instanceof Uint8Array) return { value: data }
    const r = (schema as ZodType).safeParse(data)
    return r.success ? { value: r.data } : { error: badRequest(r.error, data, schema) }
  })
  app.setSerializerCompiler(() => data => JSON.stringify(data))

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorBody(err)
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="c5mesh"')
    if (status === 503) void reply.header('retry-after', '2')
    if (status >= 500) req.log.error({ err }, 'api error')
    return reply.status(status).send(body)
  })
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ code: 'API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }))

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'c5mesh node API', version: '1', description: 'The local API of a c5mesh node (docs/protocol/api.md). Every route but /healthz needs `Authorization: Bearer <operator token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }]
    },
    transform: jsonSchemaTransform
  })

  const hub = createEventHub(core, options.events)
  const gate = createGate(options.maxConcurrentQueries ?? DEFAULT_MAX_CONCURRENT_QUERIES, QUERY_QUEUE, QUERY_WAIT_MS, core.clock)
  const metrics = createMetrics(core, { ...(mesh === undefined ? {} : { mesh }), hub, gate, ...(options.receipts === undefined ? {} : { receipts: options.receipts }) })
  const ctx: ApiContext = {
    core,
    ...(mesh === undefined ? {} : { mesh }),
    operators: options.operators,
    org: options.org,
    ...(options.composePolicy === undefined ? {} : { policy: options.composePolicy }),
    hub,
    gate,
    metrics,
    info: options.info ?? (() => ({})),
    radio: options.radio ?? (() => []),
    ready: () => {
      const reasons: string[] = []
      const fault = core.store.stats().writeFault
      if (fault !== undefined) reasons.push(`store writes failing since ${new Date(fault.since).toISOString()}: ${fault.reason}`)
      if (core.roster.version() === 0) reasons.push('no roster yet')
      return { ready: reasons.length === 0, reasons }
    }
  }

  // Every request: the Host/Origin guard, then the token (except public routes).
  const guard = createHostGuard(allowedHostSet(options.host ?? '127.0.0.1', options.allowedHosts ?? []))
  app.addHook('onRequest', guard)
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config?.public === true) return
    const h = req.headers.authorization
    const m = typeof h === 'string' ? /^Bearer ([A-Za-z0-9_-]{16,256})$/.exec(h) : null
    if (m === null) throw new C5Error('API_UNAUTHORIZED', 'an operator\'s token is needed: Authorization: Bearer <token> (c5mesh console prints one; c5mesh operator add NAME makes one)')
    const op = await options.operators.byToken(m[1])
    if (op === undefined) throw new C5Error('API_UNAUTHORIZED', 'this token is not known to this node')
    req.operator = op
  })
  // Every POST route is rate-limited per operator (set before the plugin reads route configs).
  const postsPerMinute = options.postsPerMinute ?? DEFAULT_POSTS_PER_MINUTE
  app.addHook('onRoute', route => {
    if (route.method === 'POST' || (Array.isArray(route.method) && route.method.includes('POST'))) {
      route.config = { ...route.config, rateLimit: { max: postsPerMinute, timeWindow: 60_000 } } as typeof route.config
    }
  })
  await app.register(rateLimit, {
    global: false,
    keyGenerator: req => req.operator?.name ?? req.ip,
    errorResponseBuilder: (_req, c) => new C5Error('API_RATE_LIMITED', `at most ${c.max} posts per ${c.after}: slow down`)
  })

  // What tests and embedders may inspect (the event hub, the gate, metrics).
  app.decorate('c5mesh', ctx)
  for (const mod of ROUTE_MODULES) await mod(app, ctx)
  // Plates and CAP (issue 11) register as plugins: encapsulated, they inherit the hooks above.
  if (options.plates !== undefined) await app.register(platesRoutes, { plates: options.plates })
  if (options.cap !== undefined) await app.register(capRoutes, { core, ...options.cap })
  if (options.bundles !== undefined) await app.register(bundleRoutes, { core, ...options.bundles })

  app.addHook('onClose', async () => { hub.close(); metrics.close() })
  return app
}

export { httpStatusOf }
