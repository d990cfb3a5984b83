/**
 * The `c5mesh` command (commander). Global `--data DIR` (or C5MESH_DATA, default ./data)
 * and `--config FILE`. Every failure prints one line "error CODE: message" on stderr and
 * exits non-zero: 2 for bad usage, 1 for everything else.
 *
 * @example
 *   c5mesh init --dev --org MX-YUC
 *   c5mesh send --headline "Robo de vehículo" --param placa=ABC1234 --precedence flash
 *   c5mesh inbox --json
 */
import { Command, CommanderError } from 'commander'
import { readFileSync } from 'node:fs'
import { C5Error } from '../errors.js'
import { projectPath } from '../util/root.js'
import { createContext, type CliContext } from './context.js'
import { errorLine, type Out } from './output.js'
import { registerBasic } from './commands/basic.js'
import { registerRoster } from './commands/roster.js'
import { registerStart } from './commands/start.js'
import { registerPlates } from './commands/plates.js'
import { registerOperator } from './commands/operator.js'
import { registerLab, registerSim } from './commands/sim.js'
import { registerBundle } from './commands/bundle.js'
import { registerJoin } from './commands/join.js'

const VERSION = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version

export function buildProgram (env: Record<string, string | undefined>, write: (s: string) => void, writeErr: (s: string) => void): Command {
  const program = new Command('c5mesh')
    .description('c5mesh: signed alerts and bulletins between C5 command centres, over any link')
    .version(VERSION, '-V, --version')
    .option('--data <dir>', 'data folder (default: $C5MESH_DATA or ./data)')
    .option('--config <file>', 'config file merged over the data folder\'s config.json')
    .option('--operator <name>', 'act as this operator (c5mesh operator add NAME); default: the one init made')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: s => write(s.replace(/\n$/, '')),
      writeErr: s => writeErr(s.replace(/\n$/, '')),
      // usage errors are printed once, as 'error CLI_BAD_ARGUMENT: …', by runCli
      outputError: () => {}
    })

  let ctx: CliContext | undefined
  const get = (): { ctx: CliContext, out: (json?: boolean) => Out } => {
    ctx ??= createContext(program.opts(), env)
    return { ctx, out: (json?: boolean) => ({ json: json === true, write }) }
  }
  registerBasic(program, get)
  registerRoster(program, get)
  registerStart(program, get)
  registerPlates(program, get)
  registerOperator(program, get)
  registerSim(program, write)
  registerLab(program, write)
  registerBundle(program, get)
  registerJoin(program, get)
  return program
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli (argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const program = buildProgram(env, s => { process.stdout.write(s + '\n') }, s => { process.stderr.write(s + '\n') })
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0 // --help, --version
      process.stderr.write(`error CLI_BAD_ARGUMENT: ${err.message.replace(/^error: /, '')}\n`)
      return 2
    }
    process.stderr.write(errorLine(err) + '\n')
    return err instanceof C5Error && err.code === 'CLI_BAD_ARGUMENT' ? 2 : 1
  }
}
