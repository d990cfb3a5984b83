/**
 * c5mesh bundle export | manifest | import | inspect, and c5mesh courier DIR: the sneakernet
 * link (docs/protocol/bundle.md). Registration loads nothing heavy: each action imports
 * bundle-actions.ts, which does the work, with or without a running daemon.
 */
import type { Command } from 'commander'
import type { CliContext } from '../context.js'
import type { Out } from '../output.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }
const actions = async (): Promise<typeof import('./bundle-actions.js')> => await import('./bundle-actions.js')

export function registerBundle (program: Command, get: Ctx): void {
  const bundle = program.command('bundle').description('bundles a courier carries between C5s on a USB stick (sneakernet)')

  bundle.command('export')
    .description('write a signed bundle of this node\'s messages (only what MANIFEST\'s node lacks, with --for)')
    .requiredOption('--out <file>', 'the bundle file to write (atomically)')
    .option('--since <time>', 'only messages created since: an ISO time, or a duration ago (6h, 2d)')
    .option('--for <manifest>', 'another node\'s manifest (repeatable): carry only what it lacks', (v: string, acc: string[]) => [...acc, v], [])
    .option('--json', 'print JSON')
    .action(async (o: { out: string, since?: string, for: string[], json?: boolean }) => {
      const { ctx, out } = get()
      await (await actions()).exportCmd(ctx, out(o.json), o)
    })

  bundle.command('manifest')
    .description('write this node\'s manifest: what it holds, for another node to answer with a bundle')
    .requiredOption('--out <file>', 'the manifest file to write (atomically)')
    .option('--capacity <n>', 'difference it decodes exactly (default 1000; larger ones by ranges)')
    .option('--json', 'print JSON')
    .action(async (o: { out: string, capacity?: string, json?: boolean }) => {
      const { ctx, out } = get()
      await (await actions()).manifestCmd(ctx, out(o.json), o)
    })

  bundle.command('import <file>')
    .description('import a bundle: every message through ingest; prints new / already known / rejected')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const { ctx, out } = get()
      await (await actions()).importCmd(ctx, out(o.json), file)
    })

  bundle.command('inspect <file>')
    .description('what a bundle or manifest file holds (needs no node)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const { out } = get()
      await (await actions()).inspectCmd(out(o.json), file)
    })

  program.command('courier <dir>')
    .description('at a C5 with the stick at DIR: import its bundles, write this node\'s manifest and a bundle of what the others lack')
    .option('--capacity <n>', 'manifest capacity (default 1000)')
    .option('--json', 'print JSON')
    .action(async (dir: string, o: { capacity?: string, json?: boolean }) => {
      const { ctx, out } = get()
      await (await actions()).courierCmd(ctx, out(o.json), dir, o)
    })
}
