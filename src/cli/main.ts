/** Entry of the `c5mesh` bin (bin/c5mesh.js): runs the CLI and sets the exit code. */
import { runCli } from './program.js'

process.exitCode = await runCli(process.argv.slice(2))
