#!/usr/bin/env node
// Entry point of the `c5mesh` command. It runs the compiled JavaScript of the current
// sources (scripts/build.js: dist/<key of the sources>), building it first if the sources
// changed since the last build, so an edited tree never runs old code.
import { ensureBuild } from '../scripts/build.js'

let dir
try {
  dir = ensureBuild({ onBuild: () => { if (process.stderr.isTTY) process.stderr.write('c5mesh: the sources changed since the last build; compiling…\n') } })
} catch (err) {
  process.stderr.write(`error BUILD_FAILED: ${(err.stdout?.toString() || err.stderr?.toString() || err.message).trim().split('\n')[0]}\n`)
  process.exit(1)
}
await import(`${dir}/src/util/shim.js`)
await import(`${dir}/src/cli/main.js`)
