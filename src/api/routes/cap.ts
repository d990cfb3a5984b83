/**
 * CAP routes (docs/protocol/cap.md), registered by server.ts as a plugin so they inherit the
 * server's hooks (authentication, limits):
 *
 *   POST /v1/cap                  a CAP 1.2/1.1 document (application/cap+xml, application/xml,
 *                                 text/xml) → signed with the calling operator's key (as
 *                                 POST /v1/messages composes), ingested;
 *                                 ?kind=alert|bulletin&scope=MX-YUC,MX-CAM&precedence=…
 *   GET  /v1/messages/:id/cap     one message as CAP 1.2 (application/cap+xml)
 *   GET  /v1/cap/feed.atom        Atom feed of the active alerts, each linking its CAP
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { C5Error } from '../../errors.js'
import { PRECEDENCES, type Precedence } from '../../envelope/types.js'
import { ORG_CODE_PATTERN } from '../../envelope/index.js'
import type { NodeCore } from '../../node/core.js'
import { envelopeView } from '../../node/views.js'
import { capFeed, composeFromCap, messageAsCap } from '../../cap/index.js'
import { CAP_MAX_BYTES } from '../../cap/constants.js'
import { httpStatusOf } from '../errors.js'
import { operatorOf } from '../context.js'

export interface CapRoutesOptions {
  core: NodeCore
  org: string
}

export const capRoutes: FastifyPluginAsync<CapRoutesOptions> = async (app: FastifyInstance, { core, org }) => {
  // Parsed as text here and as XML by src/cap (never by fastify), within the CAP size bound.
  app.addContentTypeParser(['application/cap+xml', 'application/xml', 'text/xml'], { parseAs: 'string', bodyLimit: CAP_MAX_BYTES }, (_req, body, done) => { done(null, body) })

  app.post<{ Querystring: { kind?: string, scope?: string, precedence?: string } }>('/v1/cap', async (req, reply) => {
    if (typeof req.body !== 'string') throw new C5Error('CAP_NOT_XML', 'send a CAP document as application/cap+xml (or application/xml, text/xml)')
    // Every request is an authenticated operator's (server.ts): an import is signed with that
    // operator's own key, like a message composed on POST /v1/messages — never a shared one.
    const operator = operatorOf(req).key
    const { kind, scope, precedence } = req.query
    if (kind !== undefined && kind !== 'alert' && kind !== 'bulletin') throw new C5Error('API_BAD_REQUEST', `kind: expected alert or bulletin, got ${JSON.stringify(kind)}`, { details: { field: 'kind' } })
    if (precedence !== undefined && !(PRECEDENCES as readonly string[]).includes(precedence)) throw new C5Error('API_BAD_REQUEST', `precedence: expected one of ${PRECEDENCES.join(', ')}, got ${JSON.stringify(precedence)}`, { details: { field: 'precedence' } })
    const orgs = scope === undefined || scope === 'national' ? [] : scope.split(',').map(s => s.trim())
    if (orgs.some(o => !ORG_CODE_PATTERN.test(o))) throw new C5Error('API_BAD_REQUEST', `scope: expected national, or org codes such as MX-YUC,MX-CAM, got ${JSON.stringify(scope)}`, { details: { field: 'scope' } })
    const { envelope, omitted } = await composeFromCap(core, req.body, operator, {
      org, now: core.clock.now(), scope: orgs, ...(kind === undefined ? {} : { kind }), ...(precedence === undefined ? {} : { precedence: precedence as Precedence })
    })
    const r = await core.ingest.ingest(envelope.bytes, 'local', { sync: true })
    if (!r.ok) return reply.status(httpStatusOf(r.code)).send(r)
    return reply.status(201).send({ ok: true, message: envelopeView(r.envelope), omitted })
  })

  app.get<{ Params: { id: string } }>('/v1/messages/:id/cap', async (req, reply) => {
    const xml = await messageAsCap(core, req.params.id)
    return reply.type('application/cap+xml; charset=utf-8').send(xml)
  })

  app.get('/v1/cap/feed.atom', async (req, reply) => {
    const base = `${req.protocol}://${req.headers.host ?? '127.0.0.1'}`
    return reply.type('application/atom+xml; charset=utf-8').send(await capFeed(core, base, org))
  })
}
