/** CAP over HTTP (fastify inject) on a real core: POST /v1/cap, GET /v1/messages/:id/cap, the Atom feed. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { createApi } from '../../src/api/server.js'
import { injectAuth } from '../helpers/api.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { createTestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'
import { sasmexQuake } from '../cap/examples.js'
import { keyId, toHex } from '../../src/identity/index.js'

let app: FastifyInstance
let core: NodeCore
let cleanup: () => Promise<void>
const world = createTestWorld(['MX-CMX'], Date.now())
const auth = injectAuth({ inject: (o: any) => app.inject(o) }, world.members[0].operator)
const inject = auth.inject

beforeAll(async () => {
  const dir = await tempDir('c5mesh-cap-api-')
  cleanup = dir.cleanup
  core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
  await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
  // The API wants a token and knows its Host names (the feed's links are made from Host).
  app = await createApi({ core, org: 'MX-CMX', operators: auth.operators, allowedHosts: ['c5.example'], cap: { org: 'MX-CMX' } })
})
afterAll(async () => { await app.close(); await core.close(); await cleanup() })

describe('CAP API', () => {
  it('POST /v1/cap → 201 with the stored message; GET …/cap gives CAP 1.2 back; the feed lists it', async () => {
    const r = await inject({ method: 'POST', url: '/v1/cap?scope=MX-CMX,MX-GRO', payload: sasmexQuake(Date.now()), headers: { 'content-type': 'application/cap+xml' } })
    expect(r.statusCode).toBe(201)
    const { message } = r.json()
    expect(message).toMatchObject({ kind: 'alert', org: 'MX-CMX', scope: ['MX-CMX', 'MX-GRO'], content: { event: 'Sismo' } })
    // Signed with the calling operator's own key (no node-wide CAP key is configured here).
    const stored = await core.store.get(message.id)
    const op = world.members[0].operator.publicKey
    expect([toHex(op), toHex(keyId(op))]).toContain(toHex(stored!.envelope.author))
    const cap = await inject(`/v1/messages/${message.id}/cap`)
    expect(cap.headers['content-type']).toContain('application/cap+xml')
    expect(cap.body).toContain('<identifier>SASMEX-20261128-101500</identifier>')
    const feed = await inject({ url: '/v1/cap/feed.atom', headers: { host: 'c5.example:4380' } })
    expect(feed.headers['content-type']).toContain('application/atom+xml')
    expect(feed.body).toContain(`href="http://c5.example:4380/v1/messages/${message.id}/cap"`)
  })

  it.each([
    ['not XML', 'hola', 'CAP_NOT_XML', 400],
    ['a DOCTYPE', '<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://127.0.0.1/x.dtd"><a/>', 'CAP_DOCTYPE_REFUSED', 400],
    ['a wrong namespace', '<alert xmlns="urn:x"/>', 'CAP_BAD_NAMESPACE', 400]
  ])('refuses %s with %s', async (_n, body, code, status) => {
    const before = core.store.count()
    const r = await inject({ method: 'POST', url: '/v1/cap', payload: body, headers: { 'content-type': 'application/xml' } })
    expect([r.statusCode, r.json().code]).toEqual([status, code])
    expect(core.store.count()).toBe(before)
  })

  it('bad query values are 400 API_BAD_REQUEST naming the field (the CLI\'s code is the CLI\'s); GET …/cap takes a short id as show does', async () => {
    for (const [query, field] of [['kind=vehicle', 'kind'], ['precedence=urgent', 'precedence'], ['scope=yucatan', 'scope']]) {
      const r = await inject({ method: 'POST', url: `/v1/cap?${query}`, payload: sasmexQuake(Date.now()), headers: { 'content-type': 'application/cap+xml' } })
      expect([r.statusCode, r.json()], query).toEqual([400, expect.objectContaining({ code: 'API_BAD_REQUEST', field })])
    }
    const sent = await inject({ method: 'POST', url: '/v1/cap', payload: sasmexQuake(Date.now() + 1), headers: { 'content-type': 'application/cap+xml' } })
    const id = String(sent.json().message.id)
    const short = await inject(`/v1/messages/${id.slice(7, 15)}/cap`)
    expect([short.statusCode, short.body]).toEqual([200, expect.stringContaining('<identifier>SASMEX-')])
    const notId = await inject('/v1/messages/abc/cap')
    expect([notId.statusCode, notId.json()]).toEqual([400, expect.objectContaining({ code: 'API_BAD_REQUEST', field: 'id' })])
  })

  it('a body over the CAP size limit is 413 before any parsing; an ack has no CAP form', async () => {
    const r = await inject({ method: 'POST', url: '/v1/cap', payload: '<a>' + 'x'.repeat(300 * 1024) + '</a>', headers: { 'content-type': 'application/cap+xml' } })
    expect(r.statusCode).toBe(413)
    const missing = await inject('/v1/messages/bafkreiapgcowxspvnqdz3do5krjjls2czoxdbeiro2tfatdcuf5suy6uhu/cap')
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'NODE_NOT_FOUND'])
  })
})
