/** /healthz (no token: the process answers), /readyz (store writable, roster held), /metrics. */
import type { RouteModule } from '../context.js'

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', { config: { public: true }, schema: { summary: 'The process answers (no token needed)', tags: ['health'], security: [] } }, async () => ({ ok: true }))

  app.get('/readyz', { schema: { summary: 'Ready: the store writes and a roster is held (503 with the reasons otherwise)', tags: ['health'] } }, async (_req, reply) => {
    const r = ctx.ready()
    return await reply.status(r.ready ? 200 : 503).send(r)
  })

  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text exposition format)', tags: ['health'] } }, async (_req, reply) => {
    return await reply.type('text/plain; version=0.0.4; charset=utf-8').send(await ctx.metrics.scrape())
  })

  app.get('/v1/openapi.json', { schema: { summary: 'This API as an OpenAPI 3 document, generated from the schemas that validate it', tags: ['health'] } }, async () => app.swagger())
}
