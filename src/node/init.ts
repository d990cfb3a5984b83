/**
 * `c5mesh init`: makes a node's data folder — node key, operator key, config — and with
 * `dev`, a local root key and a roster (signed by it) naming this node and operator, so a
 * fresh machine runs a node with no national roster at hand.
 *
 * Nothing is half-written: everything is built in a staging folder INSIDE the data folder
 * (`<data>/.init-XXXXXX`) and renamed into place; config.json moves last and marks the
 * folder initialised. Inside, not beside: the data folder is often a mount point (a Docker
 * volume, a tmpfs, a disk) whose parent belongs to someone else (EACCES) or lies on another
 * file system (rename fails with EXDEV). A staging folder left by a crash is removed by the
 * next init.
 */
import { access, constants, mkdir, mkdtemp, rename, rm, stat, writeFile, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { C5Error } from '../errors.js'
import { generateKeyPair, writeKeyFile, toHex, type KeyPair } from '../identity/index.js'
import { DEFAULT_OPERATOR, newToken, operatorFiles, writeTokenFile } from '../operators/index.js'
import { createDevRoster } from '../roster/index.js'
import { ORG_CODE_PATTERN } from '../envelope/index.js'
import { dataPaths, type DataPaths } from './paths.js'
import { openNodeCore } from './core.js'
import { wrapRoster } from './roster-envelope.js'

export const DEFAULT_DEV_ORG = 'MX-CMX'
const STAGING_PREFIX = '.init-'

export interface InitOptions { dir: string, org?: string, dev?: boolean, now?: number }
export interface InitResult { paths: DataPaths, org: string, node: KeyPair, operator: KeyPair, root?: KeyPair }

async function exists (p: string): Promise<boolean> {
  try { await stat(p); return true } catch { return false }
}

export async function isInitialised (dir: string): Promise<boolean> {
  return exists(dataPaths(dir).config)
}

/**
 * A folder with keys or a store but no config.json lost its config (deleted, not restored
 * from a backup): refusing with what to do beats "not initialised" (then init would refuse
 * too) or a new identity.
 */
export async function checkNotHalfInitialised (dir: string): Promise<void> {
  const p = dataPaths(dir)
  if (await exists(p.config)) return
  const found: string[] = []
  if (await exists(p.keysDir)) found.push('keys/')
  if (await exists(p.db)) found.push('db/')
  if (found.length > 0) {
    throw new C5Error('CONFIG_NOT_FOUND', `${dir} has ${found.join(' and ')} but no config.json: restore it from a backup (it holds org and trustAnchors); this folder's identity is kept, so init refuses to make another`, { details: { file: p.config } })
  }
}

function uidNote (owner: number | undefined): string {
  const uid = process.getuid?.()
  return uid === undefined || owner === undefined ? '' : ` (it belongs to uid ${owner}, c5mesh runs as uid ${uid})`
}

/** NODE_DATA_PERMISSION for an EACCES/EPERM/EROFS on the data folder, else the error itself. */
export async function dataFolderError (dir: string, err: unknown): Promise<unknown> {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return err
  let owner: number | undefined
  // The owner of the folder, or of its nearest existing parent when it could not be made.
  for (let d = dir; owner === undefined; d = dirname(d)) {
    try { owner = (await stat(d)).uid } catch { if (d === dirname(d)) break }
  }
  const what = code === 'EROFS' ? 'is on a read-only file system' : `is not readable and writable by this user${uidNote(owner)}`
  return new C5Error('NODE_DATA_PERMISSION', `data folder ${dir} ${what}: make it writable by the user that runs c5mesh (chown), or choose another with --data`, { cause: err })
}

/** The data folder exists (made if need be) and this user may read and write it. */
export async function ensureDataFolder (dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await access(dir, constants.R_OK | constants.W_OK | constants.X_OK)
  } catch (err) {
    throw await dataFolderError(dir, err)
  }
}

export async function initNode (options: InitOptions): Promise<InitResult> {
  const org = options.org ?? DEFAULT_DEV_ORG
  if (!ORG_CODE_PATTERN.test(org)) {
    throw new C5Error('CLI_BAD_ARGUMENT', `--org: expected an ISO 3166-2 code such as MX-YUC or an agency code such as CNI, got "${org}"`)
  }
  const paths = dataPaths(options.dir)
  if (await exists(paths.config)) throw new C5Error('NODE_ALREADY_INITIALISED', `${options.dir} is already a c5mesh data folder (config.json exists)`)
  await checkNotHalfInitialised(options.dir)
  const now = options.now ?? Date.now()
  await ensureDataFolder(options.dir)
  // Staging folders of an init that crashed: nothing in them was ever in use.
  for (const e of await readdir(options.dir)) if (e.startsWith(STAGING_PREFIX)) await rm(join(options.dir, e), { recursive: true, force: true })
  let tmp: string
  try {
    tmp = await mkdtemp(join(options.dir, STAGING_PREFIX))
  } catch (err) {
    throw await dataFolderError(options.dir, err)
  }
  try {
    const t = dataPaths(tmp)
    const node = generateKeyPair()
    const operator = generateKeyPair()
    const root = options.dev === true ? generateKeyPair() : undefined
    await writeKeyFile(t.nodeKey, 'node', node)
    await writeKeyFile(t.operatorKey, 'operator', operator)
    // The default operator's API token (0600, like the keys): what the CLI and console present.
    await writeTokenFile(operatorFiles(t, DEFAULT_OPERATOR).tokenFile, newToken())
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
    const moved: string[] = []
    try {
      for (const entry of (await readdir(tmp)).filter(e => e !== 'config.json')) {
        await rename(join(tmp, entry), join(options.dir, entry))
        moved.push(entry)
      }
      await rename(t.config, paths.config)
    } catch (err) {
      // Leave the folder as it was: keys without a config would block the next init.
      for (const entry of moved) await rm(join(options.dir, entry), { recursive: true, force: true })
      throw err
    }
    return { paths, org, node, operator, ...(root === undefined ? {} : { root }) }
  } catch (err) {
    throw await dataFolderError(options.dir, err)
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
