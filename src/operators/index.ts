/**
 * The operators of this node: each one an Ed25519 key of their own (on the roster, or it may
 * not sign) and a bearer token for the node's API. The node signs what an operator composes
 * through the API with that operator's key; the token says who is asking.
 *
 *   <data>/keys/operator.json, operator.token           the default operator ("operator")
 *   <data>/keys/operators/NAME.json, NAME.token         `c5mesh operator add NAME`
 *
 * Token files are 0600 like the keys and refused when others can read them.
 *
 * @example
 *   const made = await addOperator(paths, 'turno-noche')   // key + token; put made.key on the roster
 *   const dir = createOperatorDirectory(paths); (await dir.byToken(token))?.name
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { C5Error } from '../errors.js'
import { generateKeyPair, toHex, type KeyPair } from '../identity/keys.js'
import { readKeyFile, writeKeyFile, KEY_FILE_MODE } from '../identity/keyfile.js'
import type { DataPaths } from '../node/paths.js'

export const DEFAULT_OPERATOR = 'operator'
export const OPERATOR_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/
/** 32 random bytes, base64url: 43 characters. */
const TOKEN_BYTES = 32
/** An unknown token makes the directory look at the folder again, at most this often. */
const RESCAN_MIN_MS = 1_000

export interface OperatorFiles { name: string, keyFile: string, tokenFile: string }

export function operatorFiles (paths: Pick<DataPaths, 'keysDir' | 'operatorKey'>, name: string): OperatorFiles {
  if (name === DEFAULT_OPERATOR) return { name, keyFile: paths.operatorKey, tokenFile: join(paths.keysDir, 'operator.token') }
  if (!OPERATOR_NAME_PATTERN.test(name)) throw new C5Error('CLI_BAD_ARGUMENT', `operator name: expected 1–32 lowercase letters, digits or "-", got ${JSON.stringify(name)}`)
  const dir = join(paths.keysDir, 'operators')
  return { name, keyFile: join(dir, `${name}.json`), tokenFile: join(dir, `${name}.token`) }
}

export function newToken (): string { return randomBytes(TOKEN_BYTES).toString('base64url') }

/** Writes a token file (0600); refuses to overwrite. */
export async function writeTokenFile (path: string, token: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 })
  let fh
  try {
    fh = await open(path, 'wx', KEY_FILE_MODE)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw new C5Error('IDENTITY_KEY_EXISTS', `token file ${path} already exists`, { cause })
    throw cause
  }
  try { await fh.writeFile(token + '\n'); await fh.sync() } finally { await fh.close() }
}

export async function readTokenFile (path: string): Promise<string> {
  let st
  try { st = await stat(path) } catch (cause) {
    throw new C5Error('IDENTITY_KEY_MISSING', `no token file at ${path}`, { cause })
  }
  if ((st.mode & 0o077) !== 0) throw new C5Error('IDENTITY_KEY_PERMISSIONS', `token file ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${path}`)
  const token = (await readFile(path, 'utf8')).trim()
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) throw new C5Error('IDENTITY_KEY_INVALID', `token file ${path} does not hold a token`)
  return token
}

/** The default operator's token, made if missing (folders made before tokens existed). */
export async function ensureToken (files: OperatorFiles): Promise<string> {
  try {
    return await readTokenFile(files.tokenFile)
  } catch (err) {
    if (!(err instanceof C5Error && err.code === 'IDENTITY_KEY_MISSING')) throw err
  }
  const token = newToken()
  try {
    await writeTokenFile(files.tokenFile, token)
    return token
  } catch (err) {
    if (err instanceof C5Error && err.code === 'IDENTITY_KEY_EXISTS') return await readTokenFile(files.tokenFile) // made meanwhile
    throw err
  }
}

export interface AddedOperator { name: string, key: string, token: string, keyFile: string, tokenFile: string }

/** `c5mesh operator add NAME`: a new key and token (the key must be put on the roster to sign). */
export async function addOperator (paths: Pick<DataPaths, 'keysDir' | 'operatorKey'>, name: string): Promise<AddedOperator> {
  const files = operatorFiles(paths, name)
  if (name === DEFAULT_OPERATOR) throw new C5Error('CLI_BAD_ARGUMENT', `"${DEFAULT_OPERATOR}" is the default operator made by init`)
  const pair = generateKeyPair()
  await writeKeyFile(files.keyFile, 'operator', pair)
  const token = newToken()
  await writeTokenFile(files.tokenFile, token)
  return { name, key: toHex(pair.publicKey), token, keyFile: files.keyFile, tokenFile: files.tokenFile }
}

export interface Operator { name: string, key: KeyPair }

export interface OperatorDirectory {
  /** The operator a bearer token belongs to, or undefined. */
  byToken: (token: string) => Promise<Operator | undefined>
  /** Names of the operators with a token here. */
  names: () => Promise<string[]>
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/**
 * Tokens read from the data folder; an unknown token makes it look again (a new operator
 * added while the daemon runs), at most once a second. Compared by their sha-256 in
 * constant time, so a wrong guess teaches nothing about a right one.
 */
export function createOperatorDirectory (paths: Pick<DataPaths, 'keysDir' | 'operatorKey'>, now: () => number = Date.now): OperatorDirectory {
  let entries: Array<{ files: OperatorFiles, hash: Buffer }> = []
  const keys = new Map<string, KeyPair>()
  let scannedAt = -Infinity
  let seenMtimes = ''

  /** The folders' modification times: a token file added or removed changes them. */
  async function mtimes (): Promise<string> {
    const t = await Promise.all([paths.keysDir, join(paths.keysDir, 'operators')].map(async d => await stat(d).then(s => String(s.mtimeMs), () => '-')))
    return t.join('/')
  }

  // One scan at a time: concurrent callers (a burst of requests at start) share it.
  let scanning: Promise<void> | undefined
  async function scan (): Promise<void> {
    scanning ??= scanOnce().finally(() => { scanning = undefined })
    await scanning
  }

  async function scanOnce (): Promise<void> {
    scannedAt = now()
    seenMtimes = await mtimes()
    const names = [DEFAULT_OPERATOR]
    try {
      for (const f of await readdir(join(paths.keysDir, 'operators'))) {
        const m = /^([a-z0-9][a-z0-9-]{0,31})\.token$/.exec(f)
        if (m !== null) names.push(m[1])
      }
    } catch {}
    const next: typeof entries = []
    for (const name of names) {
      const files = operatorFiles(paths, name)
      try { next.push({ files, hash: digest(await readTokenFile(files.tokenFile)) }) } catch {} // a bad token file admits nobody
    }
    entries = next
  }

  function find (token: string): OperatorFiles | undefined {
    const h = digest(token)
    let hit: OperatorFiles | undefined
    for (const e of entries) if (timingSafeEqual(e.hash, h)) hit = e.files
    return hit
  }

  return {
    async byToken (token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 256) return undefined
      if (scanning !== undefined) await scanning
      let files = find(token)
      // An unknown token: look again if an operator was added (the folder changed), or
      // at most once a second (a token file rewritten in place).
      if (files === undefined && (now() - scannedAt >= RESCAN_MIN_MS || await mtimes() !== seenMtimes)) { await scan(); files = find(token) }
      if (files === undefined) return undefined
      let key = keys.get(files.name)
      if (key === undefined) {
        try { key = (await readKeyFile(files.keyFile)).pair } catch { return undefined }
        keys.set(files.name, key)
      }
      return { name: files.name, key }
    },
    async names () {
      if (now() - scannedAt >= RESCAN_MIN_MS) await scan()
      return entries.map(e => e.files.name)
    }
  }
}
