/**
 * The real API (fastify, on loopback, port 0) over a real store in a temp data folder, for
 * tests: the world's roster, the member's operator as the default operator with its token,
 * and a `call` that sends the token unless told otherwise.
 */
import { join } from 'node:path'
import { writeKeyFile } from '../../src/identity/index.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { dataPaths, type DataPaths } from '../../src/node/paths.js'
import { createApi, type ApiOptions } from '../../src/api/server.js'
import { createOperatorDirectory, DEFAULT_OPERATOR, ensureToken, operatorFiles } from '../../src/operators/index.js'
import type { TestWorld, WorldMember } from './world.js'
import { tempDir } from './tmp.js'

export interface TestApi {
  core: NodeCore
  paths: DataPaths
  url: string
  port: number
  token: string
  call: (method: string, path: string, o?: { body?: unknown, raw?: Uint8Array | string, type?: string, headers?: Record<string, string>, token?: string | null }) => Promise<{ status: number, body: any, headers: Headers, text: string }>
  close: () => Promise<void>
}

export async function startTestApi (world: TestWorld, member: WorldMember, options: Partial<ApiOptions> = {}): Promise<TestApi> {
  const dir = await tempDir('c5mesh-api-')
  const paths = dataPaths(join(dir.path, 'data'))
  await writeKeyFile(paths.operatorKey, 'operator', member.operator)
  const token = await ensureToken(operatorFiles(paths, DEFAULT_OPERATOR))
  const core = await openNodeCore({ storePath: paths.db, anchors: world.anchors })
  const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
  if (!r.ok) throw new Error(r.code)
  const app = await createApi({ core, org: member.org, operators: createOperatorDirectory(paths), ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as { port: number }).port
  const url = `http://127.0.0.1:${port}`
  return {
    core,
    paths,
    url,
    port,
    token,
    call: async (method, path, o = {}) => {
      const headers: Record<string, string> = { ...o.headers }
      if (o.token !== null) headers.authorization = `Bearer ${o.token ?? token}`
      let body: string | Uint8Array | undefined
      if (o.body !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.body) }
      if (o.raw !== undefined) { headers['content-type'] = o.type ?? 'application/octet-stream'; body = o.raw }
      const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) })
      const text = await res.text()
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch { parsed = undefined }
      return { status: res.status, body: parsed, headers: res.headers, text }
    },
    close: async () => { await app.close(); await core.close(); await dir.cleanup() }
  }
}

/**
 * For tests that drive the API with fastify's inject: one operator with a fixed token (an
 * in-memory directory; the real one is src/operators, tested on its own), and an inject
 * that presents it.
 */
export function injectAuth (app: { inject: (o: any) => any }, operator: import('../../src/identity/keys.js').KeyPair, name = 'operator'): { operators: import('../../src/operators/index.js').OperatorDirectory, inject: (o: string | Record<string, any>) => Promise<any> } {
  const token = 'test-token-' + 'x'.repeat(32)
  return {
    operators: { byToken: async t => t === token ? { name, key: operator } : undefined, names: async () => [name] },
    inject: async o => {
      const opts = typeof o === 'string' ? { url: o } : o
      return await app.inject({ ...opts, headers: { authorization: `Bearer ${token}`, ...opts.headers } })
    }
  }
}
