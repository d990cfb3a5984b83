/**
 * The local API as a client (console, CLI, a script) meets it over real HTTP: tokens on
 * every route but /healthz, each operator signing with their own key, bad input refused
 * with a code and the field, fastify's own refusals in the same shape, Host/Origin guard,
 * no CORS, a rate limit on posts, and an OpenAPI document generated from the schemas.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { request } from 'node:http'
import { composeEnvelope } from '../../src/envelope/index.js'
import { keyId, toHex } from '../../src/identity/keys.js'
import { addOperator } from '../../src/operators/index.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { startTestApi, type TestApi } from '../helpers/api.js'

let world: TestWorld
let api: TestApi
let alertId: string

beforeAll(async () => {
  world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
  api = await startTestApi(world, world.members[0], { postsPerMinute: 1000 })
  const sent = await api.call('POST', '/v1/messages', { body: { headline: 'Robo de vehículo', precedence: 'flash', parameters: [{ name: 'placa', value: 'YUC-123-A' }] } })
  expect(sent.status).toBe(201)
  alertId = sent.body.message.id
})
afterAll(async () => { await api?.close() })

/** Every route of the OpenAPI document, with a real id in its path. */
async function routes (): Promise<Array<[string, string]>> {
  const doc = (await api.call('GET', '/v1/openapi.json')).body
  const out: Array<[string, string]> = []
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) out.push([method.toUpperCase(), path.replace('{id}', alertId)])
  }
  return out
}

/** A raw request with any Host header (fetch will not send a foreign Host). */
async function rawGet (path: string, headers: Record<string, string>): Promise<{ status: number, body: any, headers: Record<string, unknown> }> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port, path, method: 'GET', headers }, res => {
      let text = ''
      res.on('data', c => { text += c })
      res.on('end', () => { resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('API authentication', () => {
  it('every route but /healthz answers 401 API_UNAUTHORIZED without a token, and with a wrong one', async () => {
    const all = await routes()
    expect(all.length).toBeGreaterThanOrEqual(12)
    for (const [method, path] of all) {
      if (path === '/healthz') continue
      for (const token of [null, 'x'.repeat(43)]) {
        const r = await api.call(method, path, { token, ...(method === 'POST' ? { body: { headline: 'x' } } : {}) })
        expect(r.status, `${method} ${path}`).toBe(401)
        expect(r.body.code).toBe('API_UNAUTHORIZED')
        expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/)
      }
    }
    expect((await api.call('GET', '/healthz', { token: null })).status).toBe(200)
    // An unknown path is 401 too without a token: nothing to learn about what exists.
    expect((await api.call('GET', '/v1/nothing-here', { token: null })).status).toBe(401)
  })

  it('each operator signs with their own key; a key not on the roster may not sign', async () => {
    const added = await addOperator(api.paths, 'noche')
    const other = await api.call('POST', '/v1/messages', { token: added.token, body: { headline: 'sin roster' } })
    expect(other.status).toBe(403)
    expect(other.body.code).toBe('ROSTER_UNKNOWN_AUTHOR')
    const me = await api.call('GET', '/v1/me', { token: added.token })
    expect(me.body).toMatchObject({ name: 'noche', key: added.key, onRoster: false, precedences: [] })
    const mine = await api.call('GET', '/v1/me')
    expect(mine.body).toMatchObject({ name: 'operator', key: toHex(world.members[0].operator.publicKey), onRoster: true, precedences: ['flash', 'immediate', 'priority', 'routine'] })
    const stored = await api.core.store.get(alertId)
    expect(toHex(stored!.envelope.author)).toBe(toHex(keyId(world.members[0].operator.publicKey)))
  })
})

describe('API input', () => {
  it('bad bodies and queries: 400 API_BAD_REQUEST naming the field; nothing stored', async () => {
    const before = api.core.store.count()
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/v1/messages', {}, 'headline'],
      ['POST', '/v1/messages', { headline: 'x', precedence: 'urgent' }, 'precedence'],
      ['POST', '/v1/messages', { headline: 'x', colour: 'red' }, 'colour'],
      ['POST', '/v1/messages', { headline: 'x', scope: ['yucatan'] }, 'scope.0'],
      ['POST', '/v1/messages', { headline: 'x', expiresInS: 5 }, 'expiresInS'],
      ['POST', '/v1/messages', { headline: 'x', msgType: 'Update' }, 'references'],
      ['POST', '/v1/messages', { headline: 'x', msgType: 'Cancel', references: ['nope'] }, 'references.0'],
      ['POST', `/v1/messages/${alertId}/ack`, { note: 5 }, 'note']
    ]
    for (const [method, path, body, field] of cases) {
      const r = await api.call(method, path, { body })
      expect(r.status, JSON.stringify(body)).toBe(400)
      expect(r.body).toMatchObject({ code: 'API_BAD_REQUEST', field })
      expect(typeof r.body.message).toBe('string')
    }
    for (const [query, field] of [['limit=500', 'limit'], ['limit=abc', 'limit'], ['order=sideways', 'order'], ['cursor=zz', 'cursor'], ['colour=red', 'colour']]) {
      const r = await api.call('GET', `/v1/messages?${query}`)
      expect(r.status, query).toBe(400)
      expect(r.body).toMatchObject({ code: 'API_BAD_REQUEST', field })
    }
    const notJson = await api.call('POST', '/v1/messages', { raw: '{"headline": ', type: 'application/json' })
    expect(notJson.body).toMatchObject({ code: 'API_BAD_REQUEST', field: 'body' })
    // never zod's own wording ("Invalid input: expected string, received number")
    for (const [body, field, message] of [
      [[1], 'body', 'body: expected an object, got [1]'],
      [{ headline: 'x', references: [5] }, 'references.0', 'references.0: expected text, got 5'],
      [{ headline: 'x', parameters: [{ name: 'a', value: 1 }] }, 'parameters.0.value', 'parameters.0.value: expected text, got 1'],
      [{ headline: 'x', area: { description: 'Mérida', circles: [{ lat: 95, lon: 0, radiusKm: 1 }] } }, 'area.circles.0.lat', 'area.circles.0.lat: expected at most 90, got 95']
    ] as Array<[unknown, string, string]>) {
      const r = await api.call('POST', '/v1/messages', { body })
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: 'API_BAD_REQUEST', field, message })
    }
    expect(api.core.store.count()).toBe(before)
  })

  it('fastify\'s own refusals have the same shape: 404, 415, 413', async () => {
    const nf = await api.call('GET', '/v1/nothing-here')
    expect(nf).toMatchObject({ status: 404, body: { code: 'API_NOT_FOUND' } })
    const plain = await api.call('POST', '/v1/messages', { raw: 'hola', type: 'text/plain' })
    expect(plain).toMatchObject({ status: 415, body: { code: 'API_UNSUPPORTED_MEDIA_TYPE' } })
    const big = await api.call('POST', '/v1/messages', { body: { headline: 'x'.repeat(70 * 1024) } })
    expect(big).toMatchObject({ status: 413, body: { code: 'API_BODY_TOO_LARGE' } })
    const notFoundId = await api.call('GET', '/v1/messages/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    expect(notFoundId).toMatchObject({ status: 404, body: { code: 'NODE_NOT_FOUND' } })
    for (const r of [nf, plain, big, notFoundId]) expect(Object.keys(r.body).sort()).toEqual(expect.arrayContaining(['code', 'message']))
  })

  it('a pre-signed envelope is taken as it is (application/octet-stream)', async () => {
    const env = composeEnvelope({ kind: 'bulletin', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'boletín firmado fuera' } }, world.members[0].operator, { now: Date.now() })
    const r = await api.call('POST', '/v1/messages', { raw: env.bytes })
    expect(r).toMatchObject({ status: 201, body: { ok: true, message: { id: env.id } } })
    const again = await api.call('POST', '/v1/messages', { raw: env.bytes })
    expect(again).toMatchObject({ status: 409, body: { ok: false, code: 'INGEST_DUPLICATE' } })
  })
})

describe('API guard', () => {
  it('a foreign Host is refused (DNS rebinding); loopback names are served', async () => {
    const auth = { authorization: `Bearer ${api.token}` }
    expect((await rawGet('/v1/status', { ...auth, host: 'evil.example:4380' }))).toMatchObject({ status: 403, body: { code: 'API_HOST_NOT_ALLOWED' } })
    for (const host of [`127.0.0.1:${api.port}`, `localhost:${api.port}`]) expect((await rawGet('/v1/status', { ...auth, host })).status).toBe(200)
  })

  it('a foreign Origin is refused even for a GET; the node\'s own origin is served; no CORS header ever', async () => {
    const foreign = await api.call('GET', '/v1/messages', { headers: { origin: 'http://evil.example' } })
    expect(foreign).toMatchObject({ status: 403, body: { code: 'API_ORIGIN_REFUSED' } })
    const rebound = await api.call('GET', '/v1/messages', { headers: { origin: `http://evil.example:${api.port}` } })
    expect(rebound.status).toBe(403)
    const own = await api.call('GET', '/v1/messages', { headers: { origin: api.url } })
    expect(own.status).toBe(200)
    const preflight = await api.call('OPTIONS', '/v1/messages', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } })
    expect(preflight.status).toBe(403)
    for (const r of [foreign, own, preflight]) expect([...r.headers.keys()].filter(k => k.startsWith('access-control-'))).toEqual([])
  })

  it('posts are rate-limited per operator: 429 API_RATE_LIMITED', async () => {
    const limited = await startTestApi(world, world.members[0], { postsPerMinute: 3 })
    try {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) codes.push((await limited.call('POST', '/v1/messages', { body: { headline: `n${i}`, precedence: 'routine' } })).status)
      expect(codes).toEqual([201, 201, 201, 429, 429])
      const r = await limited.call('POST', '/v1/messages', { body: { headline: 'otra' } })
      expect(r.body.code).toBe('API_RATE_LIMITED')
      expect((await limited.call('GET', '/v1/messages')).status).toBe(200) // reads are not posts
    } finally { await limited.close() }
  })
})

describe('OpenAPI', () => {
  it('/v1/openapi.json is OpenAPI 3 generated from the validating schemas', async () => {
    const doc = (await api.call('GET', '/v1/openapi.json')).body
    expect(doc.openapi).toMatch(/^3\./)
    const list = doc.paths['/v1/messages'].get
    const limit = list.parameters.find((p: any) => p.name === 'limit')
    expect(limit).toMatchObject({ in: 'query' })
    expect(limit.schema.maximum).toBe(200)
    const post = doc.paths['/v1/messages'].post
    expect(post.requestBody.content['application/json'].schema.required).toContain('headline')
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/metrics', '/v1/status', '/v1/peers', '/v1/roster', '/v1/me', '/v1/events', '/v1/messages/{id}', '/v1/messages/{id}/matrix', '/v1/messages/{id}/ack']))
  })
})

describe('operator directory', () => {
  it('a burst of requests with a token the directory has not read yet: all are let in', async () => {
    const fresh = await startTestApi(world, world.members[0])
    try {
      const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await fresh.call('GET', '/v1/status')).status))
      expect(new Set(statuses)).toEqual(new Set([200]))
    } finally { await fresh.close() }
  })
})
