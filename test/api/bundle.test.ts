/**
 * The bundle routes of the local API, as the CLI uses them while a daemon holds the store:
 * a real fastify server on loopback over a real store, called through daemonBundleNode
 * with an operator's token. A multi-megabyte bundle comes in (spooled, then imported),
 * exports stream out; without the token nothing is answered.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { createApi } from '../../src/api/server.js'
import { BUNDLE_MEDIA_TYPE } from '../../src/api/routes/bundle.js'
import { daemonBundleNode } from '../../src/cli/bundle-access.js'
import { decodeManifest, localBundleNode, openBundle, type BundleNode } from '../../src/links/bundle/index.js'
import { isC5Error } from '../../src/errors.js'
import { createTestWorld, type TestWorld, UNLIMITED_TEST_QUOTAS } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'
import { T0, chunked, collect, ingestAll, messages, openNode, type TestNode } from '../links/bundle/helpers.js'

let dir: { path: string, cleanup: () => Promise<void> }
let world: TestWorld
let a: TestNode
let b: TestNode
let api: Awaited<ReturnType<typeof createApi>>
let remote: BundleNode
let url: string
const clock = { now: () => T0 }
const TOKEN = 'bundle-test-token-' + 'x'.repeat(24)
const auth = { authorization: `Bearer ${TOKEN}` }

beforeAll(async () => {
  dir = await tempDir('c5mesh-api-bundle-')
  world = createTestWorld(['MX-YUC', 'MX-CMX'], T0 - 86_400_000, [], { quotas: UNLIMITED_TEST_QUOTAS })
  a = await openNode(world, 0, dir.path, clock)
  b = await openNode(world, 1, dir.path, clock)
  const operators = { byToken: async (t: string) => t === TOKEN ? { name: 'operator', key: world.members[1].operator } : undefined, names: async () => ['operator'] }
  api = await createApi({ core: b.core, org: b.org, operators, bundles: { signer: b.key, org: b.org, spoolDir: dir.path } })
  await api.listen({ host: '127.0.0.1', port: 0 })
  url = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`
  remote = daemonBundleNode({ url, headers: auth })
})
afterAll(async () => {
  await api?.close()
  await a?.close()
  await b?.close()
  await dir?.cleanup()
})

describe('bundle routes', { timeout: 120_000 }, () => {
  it('an 8,000-message bundle (1.5 MB, above the API\'s 1 MiB body limit) streams in; seen afterwards', async () => {
    await ingestAll(a.core, messages(world, 0, 8000, T0 - 8_000_000))
    const bytes = await collect((await localBundleNode({ core: a.core, signer: a.key, org: a.org }).export({})).body)
    expect(bytes.length).toBeGreaterThan(1024 * 1024)
    const s = await remote.import(chunked(bytes, 65536), 'a.bundle')
    expect(s).toMatchObject({ new: 8000, known: 1, intact: true })
    expect(b.core.store.count()).toBe(8001)
    expect(await remote.hasSeen(s.bundle.id)).toBe(true)
    expect(await remote.hasSeen('0'.repeat(32))).toBe(false)
  })

  it('manifest and export: the daemon answers a manifest with exactly what its owner lacks, signed with its key', async () => {
    const extra = messages(world, 1, 7, T0 - 100_000, 'b-only')
    await ingestAll(b.core, extra)
    const manifest = decodeManifest(await localBundleNode({ core: a.core, signer: a.key, org: a.org }).manifest())
    const { view, body } = await remote.export({ manifests: [{ name: 'a.manifest', bytes: manifest.bytes }] })
    expect(view).toMatchObject({ count: 7, skipped: [], used: [expect.objectContaining({ org: 'MX-YUC', messages: 7, method: 'symbols' })] })
    const reader = await openBundle(body)
    expect(reader.headerSignatureValid).toBe(true)
    expect(Buffer.from(reader.header.exporter).equals(Buffer.from(b.key.publicKey))).toBe(true)
    const got: string[] = []
    for await (const ev of reader.events()) if (ev.type === 'record') got.push(Buffer.from(ev.digest).toString('hex'))
    expect(got.sort()).toEqual(extra.map(e => Buffer.from(e.digest).toString('hex')).sort())
    expect(reader.end().intact).toBe(true)
    const own = decodeManifest(await remote.manifest(10))
    expect(own).toMatchObject({ org: 'MX-CMX', size: 8008, capacity: 10 })
  })

  it('refusals come back as codes: a foreign body, a wrong media type, bad JSON, a bad capacity', async () => {
    const foreign = await remote.import(chunked(new TextEncoder().encode('not a bundle, just text')), 'x.bundle').then(() => undefined, e => e)
    expect(isC5Error(foreign, 'BUNDLE_FOREIGN')).toBe(true)
    const call = async (path: string, init: RequestInit = {}): Promise<{ status: number, code?: string }> => {
      const res = await fetch(url + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } })
      return { status: res.status, code: ((await res.json().catch(() => ({}))) as { code?: string }).code }
    }
    expect(await call('/v1/bundles/import?name=x', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'C5MB' })).toEqual({ status: 415, code: 'API_UNSUPPORTED_MEDIA_TYPE' })
    expect(await call('/v1/bundles/import', { method: 'POST', headers: { 'content-type': BUNDLE_MEDIA_TYPE }, body: 'C5MB' })).toEqual({ status: 400, code: 'API_BAD_REQUEST' })
    expect(await call('/v1/bundles/export?since=yesterday', { method: 'POST' })).toEqual({ status: 400, code: 'API_BAD_REQUEST' })
    expect(await call('/v1/bundles/export', { method: 'POST', headers: { 'content-type': 'application/vnd.c5mesh.manifests' }, body: Uint8Array.of(0, 9, 1) })).toEqual({ status: 400, code: 'API_BAD_REQUEST' })
    expect(await call('/v1/bundles/manifest?capacity=-3')).toEqual({ status: 400, code: 'API_BAD_REQUEST' })
    expect(await call('/v1/bundles/seen/zz')).toEqual({ status: 400, code: 'API_BAD_REQUEST' })
    // Without an operator's token: nothing.
    const anon = await fetch(`${url}/v1/bundles/manifest`)
    expect(anon.status).toBe(401)
    expect(b.core.store.count()).toBe(8008)
  })
})
