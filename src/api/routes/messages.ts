/**
 * Messages: list (pages, streamed), one with its matrix and versions, compose and send,
 * submit a pre-signed envelope, acknowledge.
 */
import { Readable } from 'node:stream'
import { z } from 'zod'
import { C5Error } from '../../errors.js'

import { listMessages, listQuerySchema, loadMessage, matrixOf, messageDetail } from '../../inbox/index.js'
import { ackRequestSchema, composeAck, composeFromRequest, composeRequestSchema, type ComposeRequest } from '../../node/compose-request.js'
import { envelopeView } from '../../node/views.js'
import { httpStatusOf } from '../errors.js'
import { operatorOf, type RouteModule } from '../context.js'
import { withArticle } from '../../util/words.js'

const idParams = z.strictObject({ id: z.string().min(1).max(128).describe('a message id (bafkrei…)') })

export const messageRoutes: RouteModule = (app, ctx) => {
  const { core } = ctx

  app.get('/v1/messages', {
    schema: { summary: 'List messages: filters, a bounded page and a cursor (the current version of each alert unless view=all)', tags: ['messages'], querystring: listQuerySchema }
  }, async (req, reply) => {
    const page = await ctx.gate.run(async () => await listMessages(core, req.query as z.output<typeof listQuerySchema>))
    // Streamed: one message at a time, never the whole page as one string.
    async function * body (): AsyncGenerator<string> {
      yield '{"messages":['
      for (let i = 0; i < page.messages.length; i++) yield (i === 0 ? '' : ',') + JSON.stringify(page.messages[i])
      yield `]${page.next === undefined ? '' : `,"next":${JSON.stringify(page.next)}`}}`
    }
    return reply.type('application/json; charset=utf-8').send(Readable.from(body()))
  })

  app.get('/v1/messages/:id', {
    schema: { summary: 'One message with its acks, delivery matrix and versions', tags: ['messages'], params: idParams }
  }, async req => await ctx.gate.run(async () => await messageDetail(core, (req.params as { id: string }).id)))

  app.get('/v1/messages/:id/matrix', {
    schema: { summary: 'The delivery matrix of an alert or bulletin', tags: ['messages'], params: idParams }
  }, async req => await ctx.gate.run(async () => {
    const m = await loadMessage(core, (req.params as { id: string }).id)
    if (m.envelope.kind !== 'alert' && m.envelope.kind !== 'bulletin') throw new C5Error('API_BAD_REQUEST', `only alerts and bulletins have a delivery matrix; this is ${withArticle(m.envelope.kind)}`, { details: { field: 'id' } })
    return (await matrixOf(core, m)).matrix
  }))

  app.post('/v1/messages', {
    schema: {
      summary: 'Send: compose from JSON (signed here with the caller\'s operator key), or submit one pre-signed envelope (application/octet-stream)',
      tags: ['messages'],
      consumes: ['application/json', 'application/octet-stream'],
      body: composeRequestSchema
    }
  }, async (req, reply) => {
    let bytes: Uint8Array
    if (req.body instanceof Uint8Array) {
      bytes = new Uint8Array(req.body)
    } else {
      if (req.body === undefined) throw new C5Error('API_BAD_REQUEST', 'body: send the message as JSON, or one envelope as application/octet-stream', { details: { field: 'body' } })
      const op = operatorOf(req)
      bytes = composeFromRequest(req.body as ComposeRequest, { org: ctx.org, operator: op.key, now: core.clock.now(), ...(ctx.policy === undefined ? {} : { policy: ctx.policy }) }).bytes
    }
    const r = await core.ingest.ingest(bytes, 'local', { sync: true })
    if (!r.ok) return await reply.status(httpStatusOf(r.code)).send(r)
    return await reply.status(201).send({ ok: true, message: envelopeView(r.envelope) })
  })

  app.post('/v1/messages/:id/ack', {
    schema: { summary: 'Acknowledge an alert or bulletin (a signed ack, the caller\'s key)', tags: ['messages'], params: idParams, body: ackRequestSchema.optional() }
  }, async (req, reply) => {
    const target = await loadMessage(core, (req.params as { id: string }).id)
    const op = operatorOf(req)
    const env = composeAck(target.envelope, (req.body ?? {}) as z.output<typeof ackRequestSchema>, { org: ctx.org, operator: op.key, now: core.clock.now() })
    const r = await core.ingest.ingest(env.bytes, 'local', { sync: true })
    if (!r.ok) return await reply.status(httpStatusOf(r.code)).send(r)
    return await reply.status(201).send({ ok: true, message: envelopeView(r.envelope), acknowledges: target.envelope.id })
  })
}

