/** c5mesh start: run the node until SIGINT/SIGTERM. */
import type { Command } from 'commander'
import { C5Error } from '../../errors.js'

import { notInitialisedMessage, type CliContext } from '../context.js'
import type { Out } from '../output.js'
import { parseChoice, parseOrg } from '../parse.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }

export function registerStart (program: Command, get: Ctx): void {
  program.command('start')
    .description('run this node: mesh, sync and the local API')
    .option('--dev', 'development quick start: on a folder that is not initialised, first make a development identity and roster (npm start passes it)')
    .option('--org <code>', 'org for that development set-up (default MX-CMX)')
    .option('--log-format <format>', 'log lines on stderr: human, json, or auto (human on a terminal; default: config log.format)')
    .action(async (o: { org?: string, dev?: boolean, logFormat?: string }) => {
      const { ctx, out } = get()
      const w = out().write
      const [{ initNode, isInitialised, checkNotHalfInitialised }, { toHex }] = await Promise.all([import('../../node/init.js'), import('../../identity/keys.js')])
      if (!await isInitialised(ctx.paths.dir)) {
        await checkNotHalfInitialised(ctx.paths.dir)
        // Never a new identity and root by accident (started from another directory, a
        // volume not mounted): only the development quick start asks for one.
        if (o.dev !== true) throw new C5Error('CLI_NOT_INITIALISED', notInitialisedMessage(ctx.paths.dir))
        const r = await initNode({ dir: ctx.paths.dir, dev: true, ...(o.org === undefined ? {} : { org: parseOrg('--org', o.org) }) })
        w(`first run: made a development identity and roster in ${r.paths.dir}`)
        w(`  node key ${toHex(r.node.publicKey)}, operator key ${toHex(r.operator.publicKey)}, root key ${toHex(r.root!.publicKey)} (development only)`)
      }
      const logFormat = o.logFormat === undefined ? undefined : parseChoice('--log-format', o.logFormat, ['auto', 'human', 'json'] as const)
      const config = await ctx.config()
      const { startDaemon } = await import('../../node/daemon.js') // libp2p loads only for start
      const daemon = await startDaemon({ paths: ctx.paths, config, ...(logFormat === undefined ? {} : { logFormat }) })
      w(`c5mesh node ${config.org} running — peer id ${daemon.mesh.peerId}`)
      w(`  data      ${ctx.paths.dir}`)
      w(`  listening ${daemon.mesh.addrs().join(' ')}`)
      w(`  API       ${daemon.apiUrl}   (try: c5mesh status, c5mesh send --headline "prueba", c5mesh inbox)`)
      for (const x of daemon.warnings()) w(`  WARNING   ${x.message}`)
      w('  stop with Ctrl-C')
      await new Promise<void>(resolve => {
        const stop = (sig: string): void => {
          w(`${sig}: stopping…`)
          void daemon.stop().then(() => { w('stopped'); resolve() }, err => { process.stderr.write(`error during stop: ${(err as Error).message}\n`); resolve() })
        }
        process.once('SIGINT', () => { stop('SIGINT') })
        process.once('SIGTERM', () => { stop('SIGTERM') })
        // SIGHUP: on a terminal, the terminal closed (stop, as before); otherwise (systemd,
        // a redirected nohup) logrotate moved the log file: reopen it and go on.
        const onHup = (): void => { if (process.stdout.isTTY === true) { process.off('SIGHUP', onHup); stop('SIGHUP') } else daemon.reopenLog() }
        process.on('SIGHUP', onHup)
      })
    })
}
