/**
 * Bundle routes (docs/protocol/bundle.md §8), registered by server.ts as a plugin so they
 * inherit the server's hooks (operator token, Host/Origin guard, rate limit on posts):
 * what `c5mesh bundle …` and `c5mesh courier` need while a daemon holds the store. The CLI
 * reads and writes the stick's files; the daemon ingests, plans and signs.
 *
 *   GET  /v1/bundles/seen/:id            { seen: boolean }: imported completely before?
 *   POST /v1/bundles/import?name=FILE     body: the bundle (application/vnd.c5mesh.bundle)
 *                                        → the import summary (JSON)
 *   GET  /v1/bundles/manifest?capacity=N → this node's manifest (application/vnd.c5mesh.manifest)
 *   POST /v1/bundles/export?since=T       body: manifests (application/vnd.c5mesh.manifests,
 *                                        below) → one JSON line (what it carries), "\n",
 *                                        then the bundle (application/vnd.c5mesh.export)
 *
 * An import is spooled to a file in the data folder first, then read from it: the upload
 * ends in seconds (the server refuses requests that take longer than 30 s to arrive,
 * against slow clients) while ingest takes its time.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { C5Error } from '../../errors.js'
import type { KeyPair } from '../../identity/index.js'
import type { NodeCore } from '../../node/core.js'
import {
  fileSource, hasSeen, importBundle, manifestOf, planExport, streamOf, viewOf, writeExport, writeFileAtomic,
  MANIFEST_CAPACITY_MAX, MANIFEST_DEFAULT_CAPACITY, TEMP_PREFIX
} from '../../links/bundle/index.js'

export const BUNDLE_MEDIA_TYPE = 'application/vnd.c5mesh.bundle'
export const MANIFEST_MEDIA_TYPE = 'application/vnd.c5mesh.manifest'
export const MANIFESTS_MEDIA_TYPE = 'application/vnd.c5mesh.manifests'
export const EXPORT_MEDIA_TYPE = 'application/vnd.c5mesh.export'
/** Largest list of manifests in one export request: 32 nodes' with room to spare. */
export const EXPORT_REQUEST_MAX_BYTES = 64 * 1024 * 1024
/** Largest bundle accepted in one import (a whole store of 100,000 messages is ~40 MB). */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024 * 1024

export interface BundleRouteOptions {
  signer: Pick<KeyPair, 'publicKey' | 'privateKey'>
  org: string
  /** Where an import is spooled (the data folder). */
  spoolDir: string
}

/**
 * The export request body: per manifest, its file name (u16 length, UTF-8) and its bytes
 * (u32 length), big-endian, back to back.
 */
export function encodeManifestList (manifests: Array<{ name: string, bytes: Uint8Array }>): Uint8Array {
  const parts: Buffer[] = []
  for (const m of manifests) {
    const name = Buffer.from(m.name, 'utf8')
    const head = Buffer.alloc(6)
    head.writeUInt16BE(name.length, 0)
    head.writeUInt32BE(m.bytes.length, 2)
    parts.push(head.subarray(0, 2), name, head.subarray(2), Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength))
  }
  return new Uint8Array(Buffer.concat(parts))
}

export function decodeManifestList (body: Uint8Array): Array<{ name: string, bytes: Uint8Array }> {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const out: Array<{ name: string, bytes: Uint8Array }> = []
  let o = 0
  const bad = (): never => { throw new C5Error('API_BAD_REQUEST', 'body: not a list of manifests (u16 name length, name, u32 length, manifest)…', { details: { field: 'body' } }) }
  while (o < b.length) {
    if (o + 2 > b.length) bad()
    const nameLen = b.readUInt16BE(o)
    if (nameLen === 0 || nameLen > 512 || o + 2 + nameLen + 4 > b.length) bad()
    const name = b.toString('utf8', o + 2, o + 2 + nameLen)
    const len = b.readUInt32BE(o + 2 + nameLen)
    const at = o + 2 + nameLen + 4
    if (at + len > b.length) bad()
    out.push({ name, bytes: new Uint8Array(b.subarray(at, at + len)) })
    o = at + len
    if (out.length > 256) bad()
  }
  return out
}

function whole (v: string | undefined, field: string, max: number): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d{1,16}$/.test(v) || Number(v) > max) throw new C5Error('API_BAD_REQUEST', `${field}: a whole number 0…${max}`, { details: { field } })
  return Number(v)
}

/** The upload, refused past IMPORT_MAX_BYTES (the parser hands over the raw stream). */
async function * bounded (body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let n = 0
  for await (const c of body) {
    n += c.length
    if (n > IMPORT_MAX_BYTES) throw new C5Error('API_BODY_TOO_LARGE', `a bundle larger than ${IMPORT_MAX_BYTES} bytes`)
    yield c
  }
}

export const bundleRoutes: FastifyPluginAsync<BundleRouteOptions & { core: NodeCore }> = async (app: FastifyInstance, o) => {
  const { core } = o
  // The bundle arrives as a stream (spooled below); a list of manifests as bytes.
  app.addContentTypeParser(BUNDLE_MEDIA_TYPE, { bodyLimit: IMPORT_MAX_BYTES }, (_req, payload, done) => { done(null, payload) })
  app.addContentTypeParser(MANIFESTS_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: EXPORT_REQUEST_MAX_BYTES }, (_req, body, done) => { done(null, body) })

  app.get<{ Params: { id: string } }>('/v1/bundles/seen/:id', async req => {
    if (!/^[0-9a-f]{32}$/.test(req.params.id)) throw new C5Error('API_BAD_REQUEST', 'id: a bundle id is 32 hex characters', { details: { field: 'id' } })
    return { seen: await hasSeen(core.store, req.params.id) }
  })

  app.post<{ Querystring: { name?: string } }>('/v1/bundles/import', { bodyLimit: IMPORT_MAX_BYTES }, async req => {
    const name = req.query.name
    if (typeof name !== 'string' || name.length === 0 || name.length > 512) throw new C5Error('API_BAD_REQUEST', 'name: the bundle\'s file name (1…512 characters)', { details: { field: 'name' } })
    if (req.headers['content-type'] !== BUNDLE_MEDIA_TYPE) throw new C5Error('API_UNSUPPORTED_MEDIA_TYPE', `send the bundle as ${BUNDLE_MEDIA_TYPE}`)
    const spool = join(o.spoolDir, `${TEMP_PREFIX}import-${randomBytes(6).toString('hex')}.bundle`)
    try {
      await writeFileAtomic(spool, bounded(req.body as Readable))
      return await importBundle(core, (await fileSource(spool)).chunks, { name })
    } finally {
      await rm(spool, { force: true }).catch(() => {})
    }
  })

  app.get<{ Querystring: { capacity?: string } }>('/v1/bundles/manifest', async (req, reply) => {
    const capacity = whole(req.query.capacity, 'capacity', MANIFEST_CAPACITY_MAX) ?? MANIFEST_DEFAULT_CAPACITY
    const bytes = manifestOf({ core, signer: o.signer, org: o.org }, capacity)
    return reply.type(MANIFEST_MEDIA_TYPE).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  })

  app.post<{ Querystring: { since?: string } }>('/v1/bundles/export', { bodyLimit: EXPORT_REQUEST_MAX_BYTES }, async (req, reply) => {
    const since = whole(req.query.since, 'since', Number.MAX_SAFE_INTEGER)
    const manifests = req.body instanceof Uint8Array ? decodeManifestList(req.body) : []
    const plan = planExport(core, { ...(since === undefined ? {} : { since }), manifests })
    const body = streamOf(async sink => {
      await sink(new TextEncoder().encode(JSON.stringify(viewOf(plan)) + '\n'))
      await writeExport(core, o.signer, o.org, plan, sink)
    })
    return reply.type(EXPORT_MEDIA_TYPE).send(body)
  })
}
