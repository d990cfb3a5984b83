/**
 * What every command needs: the data folder, the node's config, its keys, and access to
 * the node — through the running daemon's HTTP API when a daemon holds the folder, or by
 * opening the store directly when none does (LevelDB allows one process per folder).
 *
 * Only what a command uses is loaded: a command against a running daemon reads two small
 * files and makes HTTP calls; config (zod), keys and the store load on first use.
 */
import { access, constants, readFile, stat } from 'node:fs/promises'
import { C5Error, isC5Error } from '../errors.js'
import type { NodeConfig } from '../config/index.js'
import type { KeyPair } from '../identity/keys.js'
import { dataPaths, resolveDataDir, type DataPaths } from '../node/paths.js'
import { createDaemonAccess, type NodeAccess } from './access.js'
import { httpCall } from './http.js'

/** What to do with a folder that holds no node: the two ways to make one. */
export function notInitialisedMessage (dir: string): string {
  return `${dir} is not a c5mesh data folder: to join the national network run "c5mesh join-request --org CODE --out FILE"; for a development node "c5mesh start --dev" (or pass --data DIR where the node's folder is)`
}

export interface GlobalFlags { data?: string, config?: string, operator?: string }

export interface CliContext {
  paths: DataPaths
  env: Record<string, string | undefined>
  config: () => Promise<NodeConfig>
  key: (which: 'node' | 'operator' | 'root') => Promise<KeyPair>
  /**
   * The time zone times are shown in (config `timeZone`, else the system's), read from the
   * config files and C5MESH_TIME_ZONE without loading the whole config.
   */
  timeZone: () => Promise<string | undefined>
  /** Opens access to the node (daemon if running, else the store). Close it when done. */
  access: () => Promise<NodeAccess>
}

export interface DaemonInfo { pid: number, api: string, peerId: string, startedAt: number }

export async function readDaemonInfo (paths: DataPaths): Promise<DaemonInfo | undefined> {
  let info: DaemonInfo
  try {
    info = JSON.parse(await readFile(paths.daemon, 'utf8'))
  } catch {
    return undefined
  }
  try {
    process.kill(info.pid, 0)
    return info
  } catch {
    return undefined // stale file from a daemon that died (power loss): the store is free
  }
}

/** How long the CLI waits for a daemon's API before treating daemon.json as stale. */
export const DAEMON_PROBE_TIMEOUT_MS = 2_000

async function answers (api: string): Promise<boolean> {
  try {
    const r = await httpCall(api, { method: 'GET', path: '/healthz', timeoutMs: DAEMON_PROBE_TIMEOUT_MS })
    return r.status === 200
  } catch {
    return false
  }
}

async function isInitialised (dir: string): Promise<boolean> {
  try { await stat(dataPaths(dir).config); return true } catch { return false }
}

export function createContext (flags: GlobalFlags, env: Record<string, string | undefined>): CliContext {
  const paths = dataPaths(resolveDataDir(flags.data, env))
  let config: NodeConfig | undefined

  async function requireInit (): Promise<void> {
    try {
      await access(paths.dir, constants.R_OK | constants.X_OK)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw await (await import('../node/init.js')).dataFolderError(paths.dir, err)
    }
    if (!await isInitialised(paths.dir)) {
      // (init.js loads the store: only on this error path)
      await (await import('../node/init.js')).checkNotHalfInitialised(paths.dir)
      throw new C5Error('CLI_NOT_INITIALISED', notInitialisedMessage(paths.dir))
    }
  }
  async function loadCfg (): Promise<NodeConfig> {
    if (config !== undefined) return config
    await requireInit()
    const { loadConfig } = await import('../config/index.js')
    config = await loadConfig({ files: [paths.config, ...(flags.config === undefined ? [] : [flags.config])], env })
    return config
  }
  async function key (which: 'node' | 'operator' | 'root'): Promise<KeyPair> {
    await requireInit()
    const { readKeyFile } = await import('../identity/keyfile.js')
    return (await readKeyFile(which === 'node' ? paths.nodeKey : which === 'operator' ? paths.operatorKey : paths.rootKey)).pair
  }

  async function timeZone (): Promise<string | undefined> {
    if (config !== undefined) return config.timeZone
    let tz = env.C5MESH_TIME_ZONE
    if (tz === undefined) {
      for (const f of [...(flags.config === undefined ? [] : [flags.config]), paths.config]) {
        try {
          const v = (JSON.parse(await readFile(f, 'utf8')) as { timeZone?: unknown }).timeZone
          if (typeof v === 'string') { tz = v; break }
        } catch {} // an unreadable or broken file is reported by the commands that load it
      }
    }
    if (tz === undefined) return undefined
    const { isTimeZone } = await import('../util/time.js')
    if (!isTimeZone(tz)) throw new C5Error('CONFIG_INVALID', `timeZone: expected an IANA time zone such as America/Mexico_City, got ${JSON.stringify(tz)}`)
    return tz
  }

  return {
    paths,
    env,
    config: loadCfg,
    timeZone,
    key,
    access: async () => {
      await requireInit()
      const daemon = await readDaemonInfo(paths)
      // A daemon.json whose pid is alive but whose API does not answer is stale (a reused pid
      // after a crash): fall back to the store, which tells whether anyone really holds it.
      if (daemon !== undefined && await answers(daemon.api)) {
        // The API wants the operator's token (made by init, or by the daemon at its start).
        const { operatorFiles, readTokenFile, DEFAULT_OPERATOR } = await import('../operators/index.js')
        return createDaemonAccess(daemon, await readTokenFile(operatorFiles(paths, flags.operator ?? DEFAULT_OPERATOR).tokenFile))
      }
      const cfg = await loadCfg()
      const [{ fromHex }, { openNodeCore }, { createLocalAccess }] = await Promise.all([import('../identity/keys.js'), import('../node/core.js'), import('./access-local.js')])
      const anchors = { keys: (cfg.trustAnchors?.keys ?? []).map(fromHex), threshold: cfg.trustAnchors?.threshold ?? 1 }
      if (anchors.keys.length === 0) throw new C5Error('NODE_NOT_JOINED', `${paths.dir} has not joined the national network yet (no trustAnchors in config.json): run "c5mesh join WELCOME-FILE" with the authority's welcome file`)
      let core
      try {
        core = await openNodeCore({ storePath: paths.db, anchors, maxClockSkewMs: cfg.ingest.maxClockSkewMs })
      } catch (err) {
        if (isC5Error(err, 'STORE_LOCKED')) throw new C5Error('NODE_LOCKED', `another process holds ${paths.dir} and its API does not answer`, { cause: err })
        throw err
      }
      return createLocalAccess(core, cfg, async () => await key('operator'), async () => await key('node'))
    }
  }
}
