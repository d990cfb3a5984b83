/**
 * `c5mesh init`: makes a node's data folder — node key, operator key, config — and with
 * `dev`, a local root key and a roster (signed by it) naming this node and operator, so a
 * fresh machine runs a node with no national roster at hand.
 *
 * Nothing is half-written: everything is built in a temporary sibling folder and moved into
 * place; config.json moves last and marks the folder initialised.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile, readdir } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { C5Error } from '../errors.js'
import { generateKeyPair, writeKeyFile, toHex, type KeyPair } from '../identity/index.js'
import { createDevRoster } from '../roster/index.js'
import { ORG_CODE_PATTERN } from '../envelope/index.js'
import { dataPaths, type DataPaths } from './paths.js'
import { openNodeCore } from './core.js'
import { wrapRoster } from './roster-envelope.js'

export const DEFAULT_DEV_ORG = 'MX-CMX'

export interface InitOptions { dir: string, org?: string, dev?: boolean, now?: number }
export interface InitResult { paths: DataPaths, org: string, node: KeyPair, operator: KeyPair, root?: KeyPair }

async function exists (p: string): Promise<boolean> {
  try { await stat(p); return true } catch { return false }
}

export async function isInitialised (dir: string): Promise<boolean> {
  return exists(dataPaths(dir).config)
}

export async function initNode (options: InitOptions): Promise<InitResult> {
  const org = options.org ?? DEFAULT_DEV_ORG
  if (!ORG_CODE_PATTERN.test(org)) {
    throw new C5Error('CLI_BAD_ARGUMENT', `--org: expected an ISO 3166-2 code such as MX-YUC or an agency code such as CNI, got "${org}"`)
  }
  const paths = dataPaths(options.dir)
  for (const p of [paths.config, paths.keysDir, paths.db]) {
    if (await exists(p)) throw new C5Error('NODE_ALREADY_INITIALISED', `${options.dir} is already a c5mesh data folder (${basename(p)} exists)`)
  }
  const now = options.now ?? Date.now()
  await mkdir(dirname(options.dir), { recursive: true })
  const tmp = await mkdtemp(join(dirname(options.dir), `.${basename(options.dir)}.init-`))
  try {
    const t = dataPaths(tmp)
    const node = generateKeyPair()
    const operator = generateKeyPair()
    const root = options.dev === true ? generateKeyPair() : undefined
    await writeKeyFile(t.nodeKey, 'node', node)
    await writeKeyFile(t.operatorKey, 'operator', operator)
    const config: Record<string, unknown> = { org }
    if (root !== undefined) {
      await writeKeyFile(t.rootKey, 'root', root)
      config.trustAnchors = { keys: [toHex(root.publicKey)], threshold: 1 }
      const anchors = { keys: [root.publicKey], threshold: 1 }
      const signed = createDevRoster({ rootKeyPair: root, nodeKey: node.publicKey, operatorKey: operator.publicKey, org, now })
      const core = await openNodeCore({ storePath: t.db, anchors, clock: { now: () => now } })
      try {
        const r = await core.ingest.ingest(wrapRoster(signed, root, now).bytes, 'local', { sync: true })
        if (!r.ok) throw new C5Error(r.code, `development roster refused: ${r.message}`)
      } finally {
        await core.close()
      }
    }
    await writeFile(t.config, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 })
    await mkdir(options.dir, { recursive: true, mode: 0o700 })
    for (const entry of (await readdir(tmp)).filter(e => e !== 'config.json')) await rename(join(tmp, entry), join(options.dir, entry))
    await rename(t.config, paths.config)
    return { paths, org, node, operator, ...(root === undefined ? {} : { root }) }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
