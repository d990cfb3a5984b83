/** c5mesh sim SCENARIO: the testers' disaster simulator (src/sim, docs/SIMULATOR.md). */
import type { Command } from 'commander'
import { C5Error } from '../../errors.js'

const int = (flag: string, v: string, min: number, max: number): number => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected a whole number from ${min} to ${max}, got "${v}"`)
  return Number(v)
}

export function registerSim (program: Command, write: (s: string) => void): void {
  program.command('sim')
    .description('simulate a disaster scenario on virtual time: c5mesh beside two baselines, assertions, report (docs/SIMULATOR.md)')
    .argument('<scenario>', 'a scenario file (YAML or JSON), or the name of one in config/scenarios/')
    .option('--seed <n>', 'random seed (default: the scenario\'s)')
    .option('--out <dir>', 'write report.json, report.html and trace.log there')
    .option('--baseline <name>', 'baselines run beside c5mesh: all, none, gossip or flood', 'all')
    .option('--short', 'the scenario\'s short form (a fraction of its workload, as CI runs it)')
    .option('--scale <f>', 'multiply every workload count by this (0 < f ≤ 10)')
    .option('--disk <dir>', 'keep the simulated nodes\' stores in LevelDB under this folder (default: in memory)')
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (scenario: string, o: { seed?: string, out?: string, baseline: string, short?: boolean, scale?: string, disk?: string, quiet?: boolean, json?: boolean }) => {
      const { simCommand, BASELINE_CHOICES } = await import('../../sim/command.js')
      if (!(BASELINE_CHOICES as readonly string[]).includes(o.baseline)) throw new C5Error('CLI_BAD_ARGUMENT', `--baseline: expected one of ${BASELINE_CHOICES.join(', ')}, got "${o.baseline}"`)
      const scale = o.scale === undefined ? undefined : Number(o.scale)
      if (scale !== undefined && !(scale > 0 && scale <= 10)) throw new C5Error('CLI_BAD_ARGUMENT', `--scale: expected a number above 0 and at most 10, got "${o.scale}"`)
      await simCommand(scenario, {
        ...(o.seed === undefined ? {} : { seed: int('--seed', o.seed, 0, 2 ** 32 - 1) }),
        ...(o.out === undefined ? {} : { out: o.out }),
        baseline: o.baseline as 'all',
        ...(o.short === true ? { short: true } : {}),
        ...(scale === undefined ? {} : { scale }),
        ...(o.disk === undefined ? {} : { disk: o.disk }),
        quiet: o.quiet === true,
        json: o.json === true,
        write,
        ...(process.stderr.isTTY && o.quiet !== true ? { progress: { write: (s: string) => { process.stderr.write(s) }, columns: process.stderr.columns ?? 100 } } : {})
      })
    })
}

export function registerLab (program: Command, write: (s: string) => void): void {
  program.command('lab')
    .description('run a small scenario with real c5mesh start processes in Linux network namespaces (root; docs/SIMULATOR.md "The lab")')
    .argument('<scenario>', 'a scenario file of at most 8 nodes on IP links, or a name in config/scenarios/lab/')
    .option('--speed <f>', 'divide the scenario\'s times by this (default 1: real time)')
    .option('--scale <f>', 'multiply every workload count by this')
    .option('--keep', 'keep the data folders (their path is printed)')
    .action(async (scenario: string, o: { speed?: string, scale?: string, keep?: boolean }) => {
      const num = (flag: string, v: string | undefined): number | undefined => {
        if (v === undefined) return undefined
        const n = Number(v)
        if (!(n > 0 && n <= 1000)) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected a number above 0 and at most 1000, got "${v}"`)
        return n
      }
      const { labCommand } = await import('../../sim/lab/command.js')
      const speed = num('--speed', o.speed)
      const scale = num('--scale', o.scale)
      await labCommand(scenario, { ...(speed === undefined ? {} : { speed }), ...(scale === undefined ? {} : { scale }), keep: o.keep === true, write })
    })
}
