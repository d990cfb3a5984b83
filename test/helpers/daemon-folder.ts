/**
 * Data folders for `c5mesh start` processes in tests: each member's keys, a config.json
 * and the world's roster already in the store (what an authority hands a C5), so several
 * daemons share one root and roster.
 */
import { mkdir, writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeKeyFile, toHex } from '../../src/identity/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { dataPaths } from '../../src/node/paths.js'
import type { TestWorld, WorldMember } from './world.js'

export interface FolderOptions {
  /** Default: one TCP address on loopback, any port. */
  listen?: string[]
  bootstrap?: string[]
  /** Default false. */
  mdns?: boolean
  /** More config.json fields (e.g. radio links). */
  extra?: Record<string, unknown>
  /** api.postsPerMinute (default the node's): tests that post a backlog raise it. */
  postsPerMinute?: number
}

export async function prepareFolder (world: TestWorld, member: WorldMember, dir: string, options: FolderOptions = {}): Promise<void> {
  const p = dataPaths(dir)
  await mkdir(dir, { recursive: true })
  await writeKeyFile(p.nodeKey, 'node', member.node)
  await writeKeyFile(p.operatorKey, 'operator', member.operator)
  await writeFile(p.config, JSON.stringify({
    org: member.org,
    trustAnchors: { keys: world.anchors.keys.map(toHex), threshold: 1 },
    listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: options.bootstrap ?? [],
    mdns: options.mdns ?? false,
    dht: false,
    api: { host: '127.0.0.1', port: 0, ...(options.postsPerMinute === undefined ? {} : { postsPerMinute: options.postsPerMinute }) },
    ...options.extra
  }))
  const core = await openNodeCore({ storePath: p.db, anchors: world.anchors })
  try {
    const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
    if (!r.ok) throw new Error(r.code)
  } finally { await core.close() }
}

/**
 * What a running daemon wrote to <data>/daemon.json, and the default operator's API token
 * (made by the daemon at start) as the header every API call needs.
 */
export async function daemonInfo (dir: string): Promise<{ api: string, peerId: string, addrs: string[], token: string, auth: { authorization: string } }> {
  const info = JSON.parse(await readFile(join(dir, 'daemon.json'), 'utf8'))
  const token = (await readFile(join(dir, 'keys', 'operator.token'), 'utf8')).trim()
  return { ...info, token, auth: { authorization: `Bearer ${token}` } }
}
