/**
 * What every route module gets (src/api/routes/*): the node, the caller's operator (set by
 * the auth hook), the shared limits. A module is `(app, ctx) => void`: it adds routes with
 * zod schemas (validated, and documented in /v1/openapi.json) and inherits authentication,
 * the Host/Origin guard, error shapes and body limits from the server; `config: { public:
 * true }` on a route skips the token (only /healthz and the console's static files).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { NodeCore } from '../node/core.js'
import type { RadioLinkView } from './radio.js'
import type { ComposePolicy } from '../node/compose-request.js'
import type { MeshNode } from '../node/mesh.js'
import type { Operator, OperatorDirectory } from '../operators/index.js'
import type { EventHub } from './sse.js'
import type { Gate } from './limits.js'
import type { NodeMetrics } from './metrics.js'

export interface ApiContext {
  core: NodeCore
  mesh?: MeshNode
  operators: OperatorDirectory
  /** This node's org: what its operators sign as. */
  org: string
  /** What an operator may compose here beyond the roster's rules (lifetime, known orgs). */
  policy?: ComposePolicy
  hub: EventHub
  gate: Gate
  metrics: NodeMetrics
  /** The radio links' views (GET /v1/radio; their neighbours are rows of GET /v1/peers). */
  radio: () => RadioLinkView[]
  /** Extra fields for /v1/status (pid, peer id…). */
  info: () => Record<string, unknown>
  /** Whether the node is ready: store writable, roster held (GET /readyz). */
  ready: () => { ready: boolean, reasons: string[] }
}

export type RouteModule = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>

declare module 'fastify' {
  interface FastifyInstance { c5mesh: ApiContext }
  interface FastifyRequest { operator?: Operator }
  interface FastifyContextConfig { public?: boolean, rateLimited?: boolean }
}

/** The caller (the auth hook has run: every non-public route has one). */
export function operatorOf (req: FastifyRequest): Operator {
  if (req.operator === undefined) throw new Error('route reached without an operator: is it marked public?')
  return req.operator
}
