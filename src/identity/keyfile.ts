/**
 * Key files: JSON with the raw seed in hex, created with mode 0600 and refused when group
 * or others can read them (a leaked operator key lets anyone sign national alerts).
 */
import { open, readFile, stat, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { C5Error } from '../errors.js'
import { keyPairFromSeed, toHex, fromHex, type KeyPair } from './keys.js'

export const KEY_FILE_TYPE = 'c5mesh-ed25519-key'
export const KEY_FILE_MODE = 0o600

export interface KeyFile {
  type: typeof KEY_FILE_TYPE
  /** What the key is for: 'node' (also the libp2p PeerId), 'operator' or 'root'. */
  role: 'node' | 'operator' | 'root'
  publicKey: string
  seed: string
}

/** Writes a new key file; refuses to overwrite (IDENTITY_KEY_EXISTS). */
export async function writeKeyFile (path: string, role: KeyFile['role'], pair: KeyPair): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const body: KeyFile = { type: KEY_FILE_TYPE, role, publicKey: toHex(pair.publicKey), seed: toHex(pair.seed) }
  let fh
  try {
    fh = await open(path, 'wx', KEY_FILE_MODE)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new C5Error('IDENTITY_KEY_EXISTS', `key file ${path} already exists`, { cause })
    throw cause
  }
  try {
    await fh.writeFile(JSON.stringify(body, null, 2) + '\n')
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Typically the folder was made by another user (root, or a container's user). */
function unreadable (path: string, cause: unknown, owner?: number): C5Error {
  const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
  const uid = process.getuid?.()
  const who = owner === undefined || uid === undefined ? '' : ` (it belongs to uid ${owner}, c5mesh runs as uid ${uid})`
  const hint = code === 'EACCES' ? `${who}: run c5mesh as the user that owns the data folder` : ''
  return new C5Error('IDENTITY_KEY_UNREADABLE', `cannot read key file ${path}: ${code === 'EACCES' ? 'permission denied' : code}${hint}`, { cause })
}

export async function readKeyFile (path: string): Promise<{ role: KeyFile['role'], pair: KeyPair }> {
  let st
  try {
    st = await stat(path)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, cause)
    throw new C5Error('IDENTITY_KEY_MISSING', `no key file at ${path}`, { cause })
  }
  if ((st.mode & 0o077) !== 0) {
    throw new C5Error('IDENTITY_KEY_PERMISSIONS', `key file ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}`)
  }
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw unreadable(path, cause, st.uid)
  }
  let parsed: Partial<KeyFile>
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new C5Error('IDENTITY_KEY_INVALID', `key file ${path} is not valid JSON`, { cause })
  }
  if (parsed.type !== KEY_FILE_TYPE || typeof parsed.seed !== 'string' || typeof parsed.publicKey !== 'string' ||
      !['node', 'operator', 'root'].includes(parsed.role as string)) {
    throw new C5Error('IDENTITY_KEY_INVALID', `key file ${path} is not a c5mesh key file`)
  }
  const pair = keyPairFromSeed(fromHex(parsed.seed))
  if (toHex(pair.publicKey) !== parsed.publicKey.toLowerCase()) {
    throw new C5Error('IDENTITY_KEY_INVALID', `key file ${path}: public key does not match the seed`)
  }
  return { role: parsed.role as KeyFile['role'], pair }
}
