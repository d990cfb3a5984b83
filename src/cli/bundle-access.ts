/**
 * The bundle commands' way to a node (src/links/bundle/node.ts): in this process when the
 * store is free, or through the running daemon's API (src/api/bundle.ts) when it holds it.
 */
import { C5Error, type ErrorCode } from '../errors.js'
import type { KeyPair } from '../identity/index.js'
import { localBundleNode, type BundleNode, type ExportView, type ImportSummary } from '../links/bundle/index.js'
import { BUNDLE_MEDIA_TYPE, MANIFESTS_MEDIA_TYPE, encodeManifestList } from '../api/routes/bundle.js'
import type { NodeAccess } from './access.js'

export function bundleNodeFor (access: NodeAccess, signer: KeyPair, org: string): BundleNode {
  if (access.core !== undefined) return localBundleNode({ core: access.core, signer, org })
  if (access.api !== undefined) return daemonBundleNode(access.api)
  throw new C5Error('NODE_NOT_RUNNING', 'no way to reach the node')
}

/** The daemon's API: its base URL and the headers every call carries (authorisation). */
export interface DaemonApi { url: string, headers: Record<string, string> }

function unreachable (daemon: DaemonApi, cause: unknown): C5Error {
  return new C5Error('API_UNREACHABLE', `the daemon does not answer at ${daemon.url}`, { cause })
}

async function refusal (res: Response): Promise<C5Error> {
  const json = await res.json().catch(() => undefined) as { code?: string, message?: string } | undefined
  if (json?.code !== undefined) return new C5Error(json.code as ErrorCode, json.message ?? 'refused')
  return new C5Error('API_UNREACHABLE', `the daemon answered ${res.status}`)
}

/** A response body as chunks; a connection cut mid-way is API_UNREACHABLE, not a bare TypeError. */
async function * bodyOf (daemon: DaemonApi, res: Response, first?: Uint8Array): AsyncGenerator<Uint8Array> {
  if (first !== undefined && first.length > 0) yield first
  if (res.body === null) return
  try {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) yield c
  } catch (cause) {
    throw new C5Error('API_UNREACHABLE', `the daemon at ${daemon.url} stopped sending the bundle`, { cause })
  }
}

export function daemonBundleNode (daemon: DaemonApi): BundleNode {
  async function call (path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response
    try {
      res = await fetch(daemon.url + path, { ...init, headers: { ...daemon.headers, ...(init.headers as Record<string, string> | undefined) } })
    } catch (cause) {
      throw unreachable(daemon, cause)
    }
    if (!res.ok) throw await refusal(res)
    return res
  }
  return {
    mode: 'daemon',
    hasSeen: async id => ((await (await call(`/v1/bundles/seen/${id}`)).json()) as { seen: boolean }).seen,
    import: async (source, name) => {
      const res = await call(`/v1/bundles/import?${new URLSearchParams({ name })}`, {
        method: 'POST',
        headers: { 'content-type': BUNDLE_MEDIA_TYPE },
        body: source as unknown as RequestInit['body'],
        duplex: 'half'
      } as RequestInit)
      return await res.json() as ImportSummary
    },
    manifest: async capacity => new Uint8Array(await (await call(`/v1/bundles/manifest${capacity === undefined ? '' : `?capacity=${capacity}`}`)).arrayBuffer()),
    export: async request => {
      const query = request.since === undefined ? '' : `?since=${request.since}`
      const res = await call(`/v1/bundles/export${query}`, {
        method: 'POST',
        headers: { 'content-type': MANIFESTS_MEDIA_TYPE },
        body: Buffer.from(encodeManifestList(request.manifests ?? []))
      })
      // One JSON line (what the bundle carries), then the bundle's bytes.
      if (res.body === null) throw new C5Error('API_UNREACHABLE', 'the daemon sent no bundle')
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      let head = new Uint8Array(0)
      let nl = -1
      while (nl < 0) {
        const { value, done } = await reader.read().catch((cause: unknown) => { throw unreachable(daemon, cause) })
        if (done === true) throw new C5Error('API_UNREACHABLE', 'the daemon ended the export before its first line')
        head = Buffer.concat([head, value])
        nl = head.indexOf(0x0a)
        if (nl < 0 && head.length > 16 * 1024 * 1024) throw new C5Error('API_UNREACHABLE', 'the daemon\'s export line is too long')
      }
      const view = JSON.parse(Buffer.from(head.subarray(0, nl)).toString('utf8')) as ExportView
      reader.releaseLock()
      return { view, body: bodyOf(daemon, res, head.subarray(nl + 1)) }
    }
  }
}
