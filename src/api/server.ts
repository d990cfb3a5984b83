/**
 * The node's local HTTP API (fastify), bound to loopback by default. The CLI uses it when a
 * daemon runs; the operator console (a later issue) will too. Errors answer
 * `{ code, message }` with the status from errors.ts.
 *
 *   GET  /v1/status              node, store, roster, ingest and peer counters
 *   GET  /v1/peers               roster peers with their connection and sync state
 *   GET  /v1/messages?kind&precedence&org&since&until&limit&order
 *   GET  /v1/messages/:id
 *   POST /v1/messages            body: one envelope (application/octet-stream) → ingest
 *   GET  /v1/roster
 *   GET  /v1/rejections          the last rejections kept by ingest
 *   GET  /v1/events              server-sent events: `message` (a MessageView) for every
 *                                message ingested from now on, `rejected` for refusals
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { C5Error } from '../errors.js'
import type { NodeCore } from '../node/core.js'
import type { MeshNode } from '../node/mesh.js'
import { rosterView, show, status } from '../node/service.js'
import { listMessages, loadMessage, matrixOf, messageDetail, parseListQuery } from '../inbox/index.js'
import { envelopeView } from '../node/views.js'
import type { KeyPair } from '../identity/keys.js'
import { composeAck, composeFromRequest, parseAckRequest, parseComposeRequest, type ComposePolicy } from '../node/compose-request.js'
import { digestFromId } from '../envelope/index.js'
import { httpStatusOf } from './errors.js'
import type { NodePlates } from '../plates/node.js'
import { platesRoutes } from './routes/plates.js'
import { capRoutes, type CapRoutesOptions } from './routes/cap.js'
import { radioPeerRows, type RadioLinkView } from './radio.js'

export interface ApiOptions {
  core: NodeCore
  mesh?: MeshNode
  /** Extra fields for /v1/status (pid, org, peer id…). */
  info?: () => Record<string, unknown>
  /** The hotlist and plate-read routes (src/api/routes/plates.ts), when the node runs them. */
  plates?: NodePlates
  /** CAP import/export and the Atom feed (src/api/routes/cap.ts): this node's org and operator key. */
  cap?: Omit<CapRoutesOptions, 'core'>
  /** Largest accepted request body, bytes (one envelope plus slack). */
  bodyLimitBytes?: number
  /** Who signs what operators compose here (POST /v1/messages as JSON, acks). */
  operator?: { org: string, key: KeyPair, policy?: ComposePolicy }
  /** The radio links' views (GET /v1/radio, and their neighbours in GET /v1/peers). */
  radio?: () => RadioLinkView[]
}

export async function createApi (options: ApiOptions): Promise<FastifyInstance> {
  const { core, mesh } = options
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, forceCloseConnections: true })
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof C5Error) return reply.status(httpStatusOf(err.code)).send(err.toJSON())
    const status = (err as { statusCode?: number }).statusCode ?? 500
    return reply.status(status).send({ code: status < 500 ? 'API_BAD_REQUEST' : 'INGEST_INTERNAL', message: (err as Error).message })
  })

  app.get('/v1/status', async () => {
    const peers = mesh === undefined ? undefined : await mesh.peers()
    return status(core, {
      running: true,
      ...options.info?.(),
      ...(mesh === undefined ? {} : { peerId: mesh.peerId, addrs: mesh.addrs(), peers: peers!.filter(p => p.state === 'connected').map(p => p.peerId), sessions: mesh.sessionCount() })
    })
  })
  app.get('/v1/peers', async () => [...(mesh === undefined ? [] : await mesh.peers()), ...radioPeerRows(options.radio?.() ?? [])])
  app.get('/v1/radio', async () => options.radio?.() ?? [])
  app.get('/v1/messages', async req => await listMessages(core, parseListQuery(req.query)))
  app.get<{ Params: { id: string } }>('/v1/messages/:id', async req => await messageDetail(core, req.params.id))
  app.get<{ Params: { id: string } }>('/v1/messages/:id/matrix', async req => (await matrixOf(core, await loadMessage(core, req.params.id))).matrix)
  const operator = (): NonNullable<ApiOptions['operator']> => {
    if (options.operator === undefined) throw new C5Error('API_BAD_REQUEST', 'this node has no operator key to sign with: send a pre-signed envelope (application/octet-stream)')
    return options.operator
  }
  app.get('/healthz', async () => ({ ok: true }))
  app.post('/v1/messages', async (req, reply) => {
    const body = req.body
    let bytes: Uint8Array
    if (body instanceof Uint8Array) {
      bytes = new Uint8Array(body)
    } else {
      const op = operator()
      bytes = composeFromRequest(parseComposeRequest(body), { org: op.org, operator: op.key, now: core.clock.now(), ...(op.policy === undefined ? {} : { policy: op.policy }) }).bytes
    }
    const r = await core.ingest.ingest(bytes, 'local', { sync: true })
    if (!r.ok) return reply.status(httpStatusOf(r.code)).send(r)
    return reply.status(201).send({ ok: true, message: envelopeView(r.envelope) })
  })
  app.post<{ Params: { id: string } }>('/v1/messages/:id/ack', async (req, reply) => {
    const ack = parseAckRequest(req.body)
    const target = await show(core, req.params.id)
    const op = operator()
    const env = composeAck({ ...target, digest: digestFromId(target.id) }, ack, { org: op.org, operator: op.key, now: core.clock.now() })
    const r = await core.ingest.ingest(env.bytes, 'local', { sync: true })
    if (!r.ok) return reply.status(httpStatusOf(r.code)).send(r)
    return reply.status(201).send({ ok: true, message: envelopeView(r.envelope), acknowledges: target.id })
  })
  app.get('/v1/roster', async () => rosterView(core))
  if (options.plates !== undefined) await app.register(platesRoutes, { plates: options.plates })
  if (options.cap !== undefined) await app.register(capRoutes, { core, ...options.cap })
  app.get('/v1/rejections', async () => core.ingest.recentRejections())
  app.get('/v1/events', (req, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    res.write(': c5mesh events\n\n')
    const send = (event: string, data: unknown): void => { res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) }
    const onMessage = ({ envelope, source }: { envelope: Parameters<typeof envelopeView>[0], source: string }): void => send('message', { ...envelopeView(envelope), source })
    const onRejected = (r: unknown): void => send('rejected', r)
    core.ingest.events.on('message', onMessage)
    core.ingest.events.on('rejected', onRejected)
    req.raw.on('close', () => {
      core.ingest.events.off('message', onMessage)
      core.ingest.events.off('rejected', onRejected)
    })
  })
  return app
}
