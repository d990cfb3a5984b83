/**
 * c5mesh join-request | join — a state joins the national network (src/node/join.ts has the
 * file formats and the whole sequence). Registration loads nothing heavy.
 */
import type { Command } from 'commander'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { C5Error } from '../../errors.js'
import type { CliContext } from '../context.js'
import { readDaemonInfo } from '../context.js'
import { emit, type Out } from '../output.js'
import { parseOrg, readInputFile } from '../parse.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }

/** Where other nodes reach this one: what a running node listens on, else from config. */
export async function nodeAddrs (ctx: CliContext): Promise<{ peerId: string, addrs: string[] }> {
  const [{ peerIdOf }, { shareableAddrs }, { networkInterfaces }] = await Promise.all([import('../../identity/index.js'), import('../../node/addresses.js'), import('node:os')])
  const cfg = await ctx.config()
  const peerId = peerIdOf((await ctx.key('node')).publicKey).toString()
  const running = await readDaemonInfo(ctx.paths)
  let runningAddrs: string[] | undefined
  if (running !== undefined) {
    try { runningAddrs = (JSON.parse(await readFile(ctx.paths.daemon, 'utf8')) as { addrs?: string[] }).addrs } catch {}
  }
  return { peerId, addrs: shareableAddrs({ peerId, listen: cfg.listen, announce: cfg.announce, interfaces: networkInterfaces(), ...(runningAddrs === undefined ? {} : { running: runningAddrs }) }) }
}

/** A file, or standard input for "-". */
async function readFileOrStdin (what: string, file: string): Promise<Uint8Array> {
  if (file !== '-') return await readInputFile(what, file)
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return new Uint8Array(Buffer.concat(chunks))
}

async function writeJsonFile (path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o644 })
  await rename(tmp, path)
}

/** A yes from the operator on a terminal; without one (a pipe, a script) only --yes says yes. */
async function confirm (question: string): Promise<boolean> {
  if (process.stdin.isTTY !== true) return false
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try { return /^(y|yes|s|si|sí)$/i.test((await rl.question(question)).trim()) } finally { rl.close() }
}

export function registerJoin (program: Command, get: Ctx): void {
  program.command('join-request')
    .description('write what the national authority needs to add this node to the roster (makes the node\'s keys first on a fresh folder)')
    .requiredOption('--org <code>', 'this state\'s org: ISO 3166-2 (MX-YUC) or agency code (CNI)')
    .requiredOption('--out <file>', 'where to write the request (JSON; "-" for standard output)')
    .option('--name <text>', 'a label for the roster, e.g. "C5 Yucatán, Mérida"')
    .option('--json', 'print JSON')
    .action(async (o: { org: string, out: string, name?: string, json?: boolean }) => {
      const { ctx, out } = get()
      const org = parseOrg('--org', o.org)
      const [{ initNode, isInitialised }, { makeJoinRequest }, { toHex }] = await Promise.all([import('../../node/init.js'), import('../../node/join.js'), import('../../identity/keys.js')])
      let made = false
      if (!await isInitialised(ctx.paths.dir)) { await initNode({ dir: ctx.paths.dir, org }); made = true }
      const cfg = await ctx.config()
      if (cfg.org !== org) throw new C5Error('CLI_BAD_ARGUMENT', `--org: this folder's node is ${cfg.org} (config.json), not ${org}`)
      const [node, operator, where] = await Promise.all([ctx.key('node'), ctx.key('operator'), nodeAddrs(ctx)])
      const req = makeJoinRequest({ org, ...(o.name === undefined ? {} : { name: o.name }), nodeKey: toHex(node.publicKey), operatorKey: toHex(operator.publicKey), peerId: where.peerId, addrs: where.addrs }, Date.now())
      if (o.out === '-') process.stdout.write(JSON.stringify(req, null, 2) + '\n')
      else await writeJsonFile(o.out, req)
      const summary = [
        ...(made ? [`made this node's keys in ${ctx.paths.dir} (org ${org})`] : []),
        `join request for ${org}${o.out === '-' ? '' : ` written to ${o.out}`}: send it to the national authority`,
        `  fingerprint  ${req.fingerprint}   (read it to the authority over the phone: they see the same)`,
        `  node key     ${req.nodeKey}`,
        `  operator key ${req.operatorKey}`,
        `  addresses    ${req.addrs.length === 0 ? '(none known: set listen or announce in config.json)' : req.addrs.join(' ')}`,
        '  then: c5mesh join WELCOME-FILE (the authority\'s answer)'
      ].join('\n')
      if (o.out === '-') process.stderr.write(summary + '\n')
      else emit(out(o.json), { ...req, out: o.out }, () => summary)
    })

  program.command('join <welcome>')
    .description('join the national network with the authority\'s welcome file: trust its roots, import its roster, add its bootstrap peers')
    .option('--yes', 'trust the root keys without asking (after checking their fingerprints with the authority)')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { yes?: boolean, json?: boolean }) => {
      const { ctx, out } = get()
      const [{ parseWelcome }, roster, { fromHex, toHex }, { openNodeCore }, { wrapRoster }] = await Promise.all([
        import('../../node/join.js'), import('../../roster/index.js'), import('../../identity/keys.js'), import('../../node/core.js'), import('../../node/roster-envelope.js')
      ])
      const w = parseWelcome(file, await readFileOrStdin('welcome file', file))
      const cfg = await ctx.config()
      const node = await ctx.key('node')
      const anchors = { keys: w.trustAnchors.keys.map(k => fromHex(k.key)), threshold: w.trustAnchors.threshold }
      const rosterBytes = new Uint8Array(Buffer.from(w.roster, 'base64'))
      const doc = roster.verifySignedRoster(rosterBytes, anchors) // k of n of the roots it names
      if (doc.version !== w.rosterVersion) throw new C5Error('CLI_BAD_ARGUMENT', `${file}: says roster version ${w.rosterVersion} but carries version ${doc.version}`)
      if (await readDaemonInfo(ctx.paths) !== undefined) throw new C5Error('NODE_LOCKED', `a node is running on ${ctx.paths.dir}: stop it first (join changes the roots it trusts), then start it again`)
      const raw = JSON.parse(await readFile(ctx.paths.config, 'utf8')) as Record<string, unknown>
      const had = cfg.trustAnchors
      const same = had !== undefined && had.threshold === w.trustAnchors.threshold && [...had.keys].sort().join() === w.trustAnchors.keys.map(k => k.key).sort().join()
      const listed = doc.members.some(m => m.role === 'node' && toHex(m.key) === toHex(node.publicKey))
      const lines = [
        `welcome to the national network: roster version ${doc.version}, ${doc.members.length} members, ${w.bootstrap.length} bootstrap peer(s)`,
        `root keys (${w.trustAnchors.threshold} of ${w.trustAnchors.keys.length} must sign every roster) — check each fingerprint with the authority:`,
        ...w.trustAnchors.keys.map(k => `  ${k.fingerprint}   ${k.key}`),
        listed ? `this node (${cfg.org}) is on the roster` : `WARNING: this node's key is NOT on this roster: peers will refuse it until the authority adds your join request`
      ]
      process.stderr.write(lines.join('\n') + '\n')
      if (o.yes !== true && !await confirm('Trust these root keys? (yes/no) ')) {
        throw new C5Error('CLI_BAD_ARGUMENT', 'not confirmed: check the root fingerprints with the authority, then run again and answer yes (or pass --yes)')
      }
      if (had !== undefined && !same) {
        // A folder that trusts other roots holds their roster too: mixing them is refused.
        throw new C5Error('CLI_BAD_ARGUMENT', `${ctx.paths.dir} already trusts other root keys (config.json trustAnchors): join needs a folder made by "c5mesh join-request" (or remove trustAnchors and the roster first)`)
      }
      const core = await openNodeCore({ storePath: ctx.paths.db, anchors, maxClockSkewMs: cfg.ingest.maxClockSkewMs })
      let imported: string
      try {
        const r = await core.ingest.ingest(wrapRoster(rosterBytes, node, Date.now()).bytes, 'local', { sync: true })
        if (r.ok) imported = `roster version ${doc.version} imported`
        else if (r.code === 'INGEST_DUPLICATE' || r.code === 'ROSTER_OLD_VERSION') imported = `roster version ${core.roster.version()} already held`
        else throw new C5Error(r.code, r.message)
      } finally { await core.close() }
      const bootstrap = [...new Set([...(Array.isArray(raw.bootstrap) ? raw.bootstrap as string[] : []), ...w.bootstrap])]
      await writeJsonFile(ctx.paths.config, { ...raw, trustAnchors: { keys: w.trustAnchors.keys.map(k => k.key), threshold: w.trustAnchors.threshold }, bootstrap })
      emit(out(o.json), { rosterVersion: doc.version, listed, anchors: w.trustAnchors, bootstrap }, () => [
        `${imported}; ${w.trustAnchors.keys.length} root key(s) trusted; ${bootstrap.length} bootstrap peer(s) in config.json`,
        'next: c5mesh start'
      ].join('\n'))
    })
}
