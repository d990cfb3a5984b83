/** GET /v1/events: the bounded server-sent event stream (sse.ts). */
import { C5Error } from '../../errors.js'
import type { RouteModule } from '../context.js'

export const eventRoutes: RouteModule = (app, ctx) => {
  app.get('/v1/events', {
    schema: { summary: 'Server-sent events: `message` for every message stored, `rejected` for refusals; resume with Last-Event-ID', tags: ['events'] }
  }, async (req, reply) => {
    const last = req.headers['last-event-id']
    if (ctx.hub.clients() >= ctx.hub.maxClients) throw new C5Error('API_BUSY', 'too many event-stream clients')
    reply.hijack()
    ctx.hub.attach(reply.raw, typeof last === 'string' ? last : undefined)
  })
}
