/**
 * `c5mesh start`: the long-running node. Opens the store (its LevelDB lock keeps a second
 * daemon out of the folder), starts the libp2p mesh and the loopback HTTP API, writes
 * <data>/daemon.json so the CLI finds it, and shuts down cleanly on SIGINT/SIGTERM.
 * On a fresh folder it first makes a development identity and roster (init --dev).
 */
import { writeFile, rm, rename } from 'node:fs/promises'
import type { Logger } from 'pino'
import { createLogger, type LogFormat, type NodeLogger } from './log.js'
import { createEventLog } from './event-log.js'
import { timersOf } from '../util/clock.js'
import { C5Error, isC5Error } from '../errors.js'
import type { NodeConfig } from '../config/index.js'
import { readKeyFile, fromHex, toHex } from '../identity/index.js'
import { createApi } from '../api/server.js'
import { isLoopback } from '../api/security.js'
import { createOperatorDirectory, DEFAULT_OPERATOR, ensureToken, operatorFiles } from '../operators/index.js'
import { availableParallelism } from 'node:os'
import { openNodeCore, type NodeCore } from './core.js'
import { createVerifyPool } from './verify-pool.js'
import { composePolicy } from './orgs.js'
import { watchIsolation, type IsolationWatch } from './isolation-watch.js'
import type { IsolationWarning } from './isolation.js'
import { startMesh, type MeshNode } from './mesh.js'
import { startRadioLinks, type RadioLinks } from './radio-links.js'
import { createReceiptEmitter } from '../receipts/emitter.js'
import type { DataPaths } from './paths.js'
import { startNodePlates, type NodePlates } from '../plates/node.js'

export interface Daemon {
  core: NodeCore
  mesh: MeshNode
  /** Radio links from config.radio (empty when none). */
  radio: RadioLinks
  apiUrl: string
  /** What isolates this node now (no roster, not on it, no peer reached): start and status show them. */
  warnings: () => IsolationWarning[]
  /** Reopens the log file (SIGHUP, after logrotate moved it). */
  reopenLog: () => void
  stop: () => Promise<void>
}

export interface DaemonOptions {
  paths: DataPaths
  config: NodeConfig
  /** Injected logger (tests); otherwise one from config.log (src/node/log.ts). */
  logger?: Logger
  /** Overrides config.log.format (`start --log-format`). */
  logFormat?: LogFormat
}

function openLog (config: NodeConfig, format?: LogFormat): NodeLogger {
  try {
    return createLogger({ level: config.log.level, format: format ?? config.log.format, ...(config.timeZone === undefined ? {} : { timeZone: config.timeZone }), ...(config.log.file === undefined ? {} : { file: config.log.file }) })
  } catch (err) {
    throw new C5Error('CONFIG_INVALID', `log.file: cannot open ${config.log.file ?? '?'} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err })
  }
}

export async function startDaemon (options: DaemonOptions): Promise<Daemon> {
  const { paths, config } = options
  const logger = options.logger === undefined ? openLog(config, options.logFormat) : undefined
  const log = options.logger ?? logger!.log
  const nodeKey = (await readKeyFile(paths.nodeKey)).pair
  if (config.trustAnchors === undefined || config.trustAnchors.keys.length === 0) {
    throw new C5Error('NODE_NOT_JOINED', `${paths.dir} has not joined the national network yet (no trustAnchors in config.json): run "c5mesh join WELCOME-FILE" with the authority's welcome file`)
  }
  const anchors = { keys: config.trustAnchors.keys.map(fromHex), threshold: config.trustAnchors.threshold }
  // Signatures are checked on worker threads when there is more than one core, so a sync
  // burst uses every core while the event loop decodes, stores and forwards.
  const pool = availableParallelism() > 1 ? createVerifyPool() : undefined
  let core: NodeCore
  try {
    core = await openNodeCore({
      ...(pool === undefined ? {} : { verifier: pool }),
      storePath: paths.db,
      anchors,
      maxClockSkewMs: config.ingest.maxClockSkewMs,
      tombstoneGraceMs: config.store.tombstoneGraceMs,
      sweepIntervalMs: config.store.sweepIntervalMs
    })
  } catch (err) {
    await pool?.close()
    if (isC5Error(err, 'STORE_LOCKED')) throw new C5Error('NODE_LOCKED', `another c5mesh node is running on ${paths.dir}`, { cause: err })
    throw err
  }
  let mesh: MeshNode | undefined
  let radio: RadioLinks | undefined
  let api: Awaited<ReturnType<typeof createApi>> | undefined
  let plates: NodePlates | undefined
  let isolation: IsolationWatch | undefined
  let operator: Awaited<ReturnType<typeof readKeyFile>>['pair'] | undefined
  // Before the mesh: every message stored from the first sync on gets its receipt.
  // One line per event an administrator acts on; per-message lines at debug (event-log.ts).
  const eventLog = createEventLog({ log, clock: timersOf(core.clock, { unref: true }) })
  const receipts = createReceiptEmitter({ core, nodeKey }, { precedences: config.receipts.precedences, batchMs: config.receipts.batchMs, log: (event, fields) => log.warn({ event, ...fields }) })
  try {
    await receipts.start()
    // The hotlist is complete (rebuilt from the store) before the API answers a lookup.
    // Hits are signed with this node's operator key (docs/protocol/plates.md §"Hits").
    operator = await readKeyFile(paths.operatorKey).then(f => f.pair, (err: unknown) => { if (isC5Error(err, 'IDENTITY_KEY_MISSING')) return undefined; throw err })
    plates = await startNodePlates(core, config, operator)
    mesh = await startMesh({
      core,
      nodeKey,
      listen: config.listen,
      announce: config.announce,
      bootstrap: config.bootstrap,
      mdns: config.mdns,
      dht: config.dht,
      allowInbound: config.connections.allow,
      sync: {
        reconcileIntervalMs: config.sync.reconcileIntervalMs,
        banThreshold: config.sync.peerScoreBanThreshold,
        receiveMessagesPerS: config.sync.maxMessagesPerSecondPerPeer,
        ...(config.sync.bytesPerSecond > 0 ? { bytesPerSecond: config.sync.bytesPerSecond } : {})
      },
      reconnect: { minBackoffMs: config.reconnect.minBackoffMs, maxBackoffMs: config.reconnect.maxBackoffMs },
      log: eventLog.mesh
    })
    const m = mesh
    radio = startRadioLinks({
      core,
      nodeKey,
      links: config.radio,
      sync: { banThreshold: config.sync.peerScoreBanThreshold, receiveMessagesPerS: config.sync.maxMessagesPerSecondPerPeer },
      log: (level, event, fields) => { if (level === 'info') eventLog.mesh(event, fields); else log[level]({ event, ...fields }) }
    })
    const radios = radio
    // Every API route but /healthz needs an operator's token; the default operator's is made
    // at init (and here, for folders made before tokens existed).
    const operators = createOperatorDirectory(paths, core.clock.now)
    const hasDefault = await readKeyFile(paths.operatorKey).then(() => true, (err: unknown) => { if (isC5Error(err, 'IDENTITY_KEY_MISSING')) return false; throw err })
    if (hasDefault) await ensureToken(operatorFiles(paths, DEFAULT_OPERATOR))
    if (!isLoopback(config.api.host) && (await operators.names()).length === 0) {
      throw new C5Error('CONFIG_INVALID', `api.host: refusing to listen on ${config.api.host} (not loopback) with no operator token to guard it: make one with "c5mesh operator add NAME"`)
    }
    api = await createApi({
      core,
      mesh: m,
      operators,
      org: config.org,
      host: config.api.host,
      allowedHosts: config.api.allowedHosts,
      postsPerMinute: config.api.postsPerMinute,
      maxConcurrentQueries: config.api.maxConcurrentQueries,
      receipts: () => ({ ...receipts.stats(), pending: receipts.pending() }),
      composePolicy: composePolicy(core, config),
      radio: () => radios.views(),
      plates,
      // Bundles and manifests for a courier are signed with the node key (src/api/routes/bundle.ts).
      bundles: { signer: nodeKey, org: config.org, spoolDir: paths.dir },
      // CAP imports are signed with the calling operator's key (src/api/routes/cap.ts).
      cap: { org: config.org },
      info: () => ({ pid: process.pid, org: config.org, node: toHex(nodeKey.publicKey), dataDir: paths.dir, warnings: isolation?.warnings() ?? [] })
    })
    await api.listen({ host: config.api.host, port: config.api.port })
    log.info({ event: 'hotlist', ...plates.service.stats(), operatorKey: operator !== undefined })
    const addr = api.server.address()
    const apiUrl = `http://${config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host}:${typeof addr === 'object' && addr !== null ? addr.port : config.api.port}`
    const tmp = `${paths.daemon}.tmp`
    await writeFile(tmp, JSON.stringify({ pid: process.pid, api: apiUrl, peerId: m.peerId, startedAt: Date.now(), addrs: m.addrs() }, null, 2) + '\n')
    await rename(tmp, paths.daemon)
    // Once the node runs (a start that fails says only why it failed).
    const watch = watchIsolation({ core, mesh: m, nodeKey: nodeKey.publicKey, warnAfterMs: config.reconnect.isolationWarnMs, ...(config.timeZone === undefined ? {} : { timeZone: config.timeZone }), log })
    isolation = watch
    core.ingest.events.on('message', eventLog.message)
    core.ingest.events.on('rejected', eventLog.rejected)
    let stopped = false
    const a = api
    const p = plates
    return {
      core,
      mesh: m,
      radio: radios,
      apiUrl,
      warnings: () => watch.warnings(),
      reopenLog: () => { logger?.reopen() },
      stop: async () => {
        if (stopped) return
        stopped = true
        await rm(paths.daemon, { force: true })
        watch.stop()
        await a.close().catch(() => {})
        await radios.stop()
        await m.stop().catch(() => {})
        await receipts.stop() // what is still pending is on disk and goes at the next start
        p.stop()
        await core.close()
        await pool?.close()
        eventLog.flush()
        logger?.close()
      }
    }
  } catch (err) {
    isolation?.stop()
    await api?.close().catch(() => {})
    await radio?.stop()
    await mesh?.stop().catch(() => {})
    await receipts.stop().catch(() => {})
    plates?.stop()
    await core.close()
    await pool?.close()
    throw listenError(err, config)
  }
}

/**
 * One line for a port or address the node could not listen on. libp2p reports every failed
 * listen address in one multi-line message with stacks (UnsupportedListenAddressesError);
 * the first line of each is what the operator needs.
 */
export function listenError (err: unknown, config: Pick<NodeConfig, 'api' | 'listen'>): unknown {
  const e = err as NodeJS.ErrnoException
  if (e?.code === 'EADDRINUSE' || e?.code === 'EADDRNOTAVAIL' || e?.code === 'EACCES') {
    // The API (fastify/net): its own address.
    const what = `${config.api.host}:${config.api.port}`
    return e.code === 'EADDRINUSE'
      ? new C5Error('NODE_ADDRESS_IN_USE', `api.port: ${what} is already in use (another c5mesh node on this machine?): set api.port in config.json or C5MESH_API_PORT`, { cause: err })
      : new C5Error('CONFIG_INVALID', `api.host/api.port: cannot listen on ${what} (${e.code})`, { cause: err })
  }
  if (e?.name !== 'UnsupportedListenAddressesError' || typeof e.message !== 'string') return err
  const failed = [...e.message.matchAll(/^\s*(\/\S+): (?:Error: )?([^\n]*)$/gm)].map(m => ({ addr: m[1], reason: m[2] }))
  const list = failed.map(f => `${f.addr} (${f.reason.replace(/^listen /, '').replace(/ [\d.:[\]a-f]+$/i, '')})`).join(', ')
  if (failed.length > 0 && failed.every(f => f.reason.includes('EADDRINUSE'))) {
    return new C5Error('NODE_ADDRESS_IN_USE', `listen: ${list.replace(/EADDRINUSE: /g, '')}: another c5mesh node or program holds the port: set listen in config.json or C5MESH_LISTEN`, { cause: err })
  }
  return new C5Error('CONFIG_INVALID', `listen: cannot listen on ${list === '' ? config.listen.join(' ') : list}`, { cause: err })
}
