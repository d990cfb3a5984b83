/**
 * c5mesh operator add NAME | operator list | console — the people who sign at this node.
 * Each operator has a key of their own (it must be on the roster to sign) and an API token
 * (what the console and the CLI present).
 */
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import { emit, type Out } from '../output.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }

export function registerOperator (program: Command, get: Ctx): void {
  const operator = program.command('operator').description('operators of this node: their keys and API tokens')

  operator.command('add <name>')
    .description('make an operator key and its API token (files 0600); put the key on the roster so its messages are accepted')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const { ctx, out } = get()
      const cfg = await ctx.config()
      const { addOperator } = await import('../../operators/index.js')
      const made = await addOperator(ctx.paths, name)
      emit(out(o.json), { ...made, org: cfg.org }, () => [
        `operator ${made.name}: key ${made.key}`,
        `  key file    ${made.keyFile}`,
        `  token file  ${made.tokenFile}   (the console: c5mesh --operator ${made.name} console)`,
        `  to sign, the key must be on the roster: c5mesh roster add --key ${made.key} --role operator --org ${cfg.org} --name "${made.name}"`
      ].join('\n'))
    })

  operator.command('list')
    .description('operators with a token on this node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { ctx, out } = get()
      const { createOperatorDirectory } = await import('../../operators/index.js')
      const names = await createOperatorDirectory(ctx.paths).names()
      emit(out(o.json), names, () => names.join('\n'))
    })

  program.command('console')
    .description('the address of this node\'s web console, signed in as the operator (--operator NAME)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { ctx, out } = get()
      const flags = program.opts() as { operator?: string }
      const [{ operatorFiles, readTokenFile, DEFAULT_OPERATOR }, { readDaemonInfo }] = await Promise.all([import('../../operators/index.js'), import('../context.js')])
      const token = await readTokenFile(operatorFiles(ctx.paths, flags.operator ?? DEFAULT_OPERATOR).tokenFile)
      const daemon = await readDaemonInfo(ctx.paths)
      let api = daemon?.api
      if (api === undefined) {
        const cfg = await ctx.config()
        api = `http://${cfg.api.host.includes(':') ? `[${cfg.api.host}]` : cfg.api.host}:${cfg.api.port}`
      }
      // The token travels in the fragment: browsers never send it to any server.
      const url = `${api}/#token=${token}`
      emit(out(o.json), { url, running: daemon !== undefined }, () => daemon === undefined ? `${url}\n  (the node is not running: start it with "c5mesh start")` : url)
    })
}
