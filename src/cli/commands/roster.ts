/**
 * c5mesh roster show|add|remove|revoke|sign|export|import — what an authority needs.
 *
 * Edits go to a draft (<data>/roster-draft.cbor): the first edit starts it from the current
 * roster at version + 1; each edit clears the draft's signatures (they covered other bytes);
 * `sign` adds one root signature (k of n: each root holder signs in turn, passing the file);
 * `export` writes the signed draft; `import` sends a signed roster through ingest like any
 * message, so it is checked (k of n, newer version) and then travels to every peer.
 */
import type { Command } from 'commander'
import { readFile, writeFile, rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { C5Error } from '../../errors.js'
import { KINDS, PRECEDENCES } from '../../envelope/types.js'
import { ROLES, type RosterDocument, type SignedRoster, type Role } from '../../roster/types.js'
import type { CliContext } from '../context.js'
import { emit, type Out } from '../output.js'
import { parseChoice, parseDuration, parseKey, parseOrg, parseScope, parseTime, readInputFile } from '../parse.js'

/** The roster code, loaded by the actions that use it (registration stays light). */
async function lib () {
  const [roster, identity, wrap] = await Promise.all([import('../../roster/index.js'), import('../../identity/keyfile.js'), import('../../node/roster-envelope.js')])
  const { toHex, fromHex } = await import('../../identity/keys.js')
  return { ...roster, ...identity, ...wrap, toHex, fromHex }
}

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }
const YEAR_MS = 365 * 86_400_000

async function writeAtomic (path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, bytes, { mode: 0o644 })
  await rename(tmp, path)
}

async function readDraft (ctx: CliContext): Promise<SignedRoster | undefined> {
  let bytes: Uint8Array
  try { bytes = await readFile(ctx.paths.rosterDraft) } catch { return undefined }
  return (await lib()).decodeSignedRoster(bytes)
}

async function currentSigned (ctx: CliContext): Promise<Uint8Array | undefined> {
  const access = await ctx.access()
  try {
    const v = await access.roster()
    return v.signedRoster === undefined ? undefined : new Uint8Array(Buffer.from(v.signedRoster, 'base64'))
  } finally { await access.close() }
}

/** The draft document, starting one from the current roster (version + 1) if none. */
async function draftDocument (ctx: CliContext): Promise<RosterDocument> {
  const { decodeRosterDocument, decodeSignedRoster, nextVersion } = await lib()
  const draft = await readDraft(ctx)
  const now = Date.now()
  const cur = await currentSigned(ctx)
  const current = cur === undefined ? undefined : decodeRosterDocument(decodeSignedRoster(cur).document)
  if (draft !== undefined) {
    const doc = decodeRosterDocument(draft.document)
    // A draft at or below the version in force was imported already (or overtaken): start anew.
    if (current === undefined || doc.version > current.version) return doc
  }
  if (current === undefined) return { version: 1, issued: now, members: [], revocations: [] }
  return nextVersion(current, now)
}

async function saveDraft (ctx: CliContext, doc: RosterDocument): Promise<void> {
  const { encodeSignedRoster, encodeRosterDocument } = await lib()
  await writeAtomic(ctx.paths.rosterDraft, encodeSignedRoster({ document: encodeRosterDocument(doc), signatures: [] }))
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1000, MB: 1e6, GB: 1e9 }

/** "2000/16MiB" → { messages: 2000, bytes: 16 MiB }. */
function parseRate (flag: string, v: string): { messages: number, bytes: number } {
  const m = /^(\d{1,9})\/(\d{1,12})(B|KiB|MiB|GiB|KB|MB|GB)?$/.exec(v)
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new C5Error('CLI_BAD_ARGUMENT', `${flag}: expected messages/bytes such as 2000/16MiB, got "${v}"`)
  return { messages: Number(m[1]), bytes: Number(m[2]) * SIZE_UNITS[m[3] ?? ''] }
}

function docSummary (doc: RosterDocument, signatures: number): Record<string, unknown> {
  return { version: doc.version, members: doc.members.length, revocations: doc.revocations.length, signatures }
}

export function registerRoster (program: Command, get: Ctx): void {
  const roster = program.command('roster').description('the national trust roster: show, edit a draft, sign, export, import')

  roster.command('show')
    .option('--draft', 'show the draft being edited instead of the current roster')
    .option('--json', 'print JSON')
    .action(async (o: { draft?: boolean, json?: boolean }) => {
      const { ctx, out } = get()
      const { decodeRosterDocument, toHex } = await lib()
      if (o.draft === true) {
        const d = await readDraft(ctx)
        if (d === undefined) throw new C5Error('NODE_NOT_FOUND', 'no roster draft: start one with "c5mesh roster add"')
        const doc = decodeRosterDocument(d.document)
        const view = { ...docSummary(doc, d.signatures.length), signers: d.signatures.map(s => toHex(s.key)), members: doc.members.map(m => ({ key: toHex(m.key), role: m.role, org: m.org })), quotas: doc.quotas ?? null }
        emit(out(o.json), view, () => `draft version ${doc.version}: ${doc.members.length} members, ${doc.revocations.length} revocations, ${d.signatures.length} signatures\n` +
          doc.members.map(m => `  ${m.role.padEnd(10)} ${m.org.padEnd(8)} ${toHex(m.key)}`).join('\n'))
        return
      }
      const access = await ctx.access()
      try {
        const v = await access.roster()
        const { signedRoster: _s, ...shown } = v
        emit(out(o.json), shown, () => [
          `roster version ${v.version}${v.issued === undefined ? ' (none yet)' : `, issued ${v.issued}`}; anchors ${v.anchors.threshold} of ${v.anchors.keys.length}`,
          ...v.members.map(m => `  ${m.role.padEnd(10)} ${m.org.padEnd(8)} ${m.key}  until ${m.validUntil.slice(0, 10)}${m.revokedFrom === undefined ? '' : `  REVOKED from ${m.revokedFrom}`}`),
          ...v.revocations.map(r => `  revoked ${r.key} from ${r.effective}${r.reason === undefined ? '' : ` (${r.reason})`}`)
        ].join('\n'))
      } finally { await access.close() }
    })

  roster.command('add')
    .description('add a member to the draft (or, with --request, the node and operator of a state\'s join request)')
    .option('--request <file>', 'a join request (c5mesh join-request): adds its node and operator keys with its org')
    .option('--key <hex>', 'the member\'s Ed25519 public key (64 hex characters)')
    .option('--role <role>', ROLES.join(' | '))
    .option('--org <code>', 'MX-YUC, CNI, …')
    .option('--name <text>', 'a label, e.g. "C5 Yucatán nodo 1"')
    .option('--kinds <kinds>', `what it may issue, comma separated (default by role): ${KINDS.join(', ')}`)
    .option('--max-precedence <p>', PRECEDENCES.join(' | '), 'flash')
    .option('--scope <scope>', 'national, or the orgs it may address', 'national')
    .option('--valid-from <time>', 'ISO time, now, or +DURATION', 'now')
    .option('--valid-until <time>', 'ISO time or +DURATION (default one year)')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      const { addMember, DEFAULT_ROLE_KINDS, fromHex } = await lib()
      const now = Date.now()
      if (o.request !== undefined) {
        for (const f of ['key', 'role', 'org', 'kinds'] as const) if (o[f] !== undefined) throw new C5Error('CLI_BAD_ARGUMENT', `--${f}: not with --request (the request names its keys, roles and org)`)
        const { parseJoinRequest } = await import('../../node/join.js')
        const req = parseJoinRequest(o.request, await readInputFile('join request', o.request))
        const validFrom = parseTime('--valid-from', o.validFrom, now)
        const validUntil = o.validUntil === undefined ? validFrom + YEAR_MS : parseTime('--valid-until', o.validUntil, now)
        if (validUntil <= validFrom) throw new C5Error('CLI_BAD_ARGUMENT', '--valid-until: must be after --valid-from')
        const scope = parseScope('--scope', o.scope)
        const mayIssue = (role: Role) => ({ kinds: [...DEFAULT_ROLE_KINDS[role]], maxPrecedence: parseChoice('--max-precedence', o.maxPrecedence, PRECEDENCES), scope: scope.length === 0 ? 'national' as const : scope })
        const name = o.name ?? req.name
        let doc = await draftDocument(ctx)
        doc = addMember(doc, { key: fromHex(req.nodeKey), role: 'node', org: req.org, ...(name === undefined ? {} : { name }), mayIssue: mayIssue('node'), validFrom, validUntil })
        doc = addMember(doc, { key: fromHex(req.operatorKey), role: 'operator', org: req.org, ...(name === undefined ? {} : { name: `${name} (operador)` }), mayIssue: mayIssue('operator'), validFrom, validUntil })
        await saveDraft(ctx, doc)
        emit(out(o.json), { ...docSummary(doc, 0), org: req.org, fingerprint: req.fingerprint }, () => [
          `draft version ${doc.version}: added ${req.org}'s node and operator (${doc.members.length} members; signatures cleared: sign it again)`,
          `  fingerprint ${req.fingerprint}: confirm it with ${req.org} over the phone before signing`
        ].join('\n'))
        return
      }
      for (const f of ['key', 'role', 'org'] as const) if (o[f] === undefined) throw new C5Error('CLI_BAD_ARGUMENT', `--${f}: required (or --request FILE)`)
      const role = parseChoice('--role', o.role, ROLES) as Role
      const kinds = o.kinds === undefined ? [...DEFAULT_ROLE_KINDS[role]] : String(o.kinds).split(',').map(k => parseChoice('--kinds', k.trim(), KINDS))
      const validFrom = parseTime('--valid-from', o.validFrom, now)
      const validUntil = o.validUntil === undefined ? validFrom + YEAR_MS : parseTime('--valid-until', o.validUntil, now)
      if (validUntil <= validFrom) throw new C5Error('CLI_BAD_ARGUMENT', '--valid-until: must be after --valid-from')
      const scope = parseScope('--scope', o.scope)
      const doc = addMember(await draftDocument(ctx), {
        key: parseKey('--key', o.key), role, org: parseOrg('--org', o.org), ...(o.name === undefined ? {} : { name: o.name }),
        mayIssue: { kinds, maxPrecedence: parseChoice('--max-precedence', o.maxPrecedence, PRECEDENCES), scope: scope.length === 0 ? 'national' : scope },
        validFrom, validUntil
      })
      await saveDraft(ctx, doc)
      emit(out(o.json), docSummary(doc, 0), () => `draft version ${doc.version}: ${doc.members.length} members (signatures cleared: sign it again)`)
    })

  roster.command('remove')
    .description('remove a member from the draft')
    .requiredOption('--key <hex>')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      const { removeMember } = await lib()
      const doc = removeMember(await draftDocument(ctx), parseKey('--key', o.key))
      await saveDraft(ctx, doc)
      emit(out(o.json), docSummary(doc, 0), () => `draft version ${doc.version}: ${doc.members.length} members`)
    })

  roster.command('revoke')
    .description('revoke a key in the draft: its messages created at or after --effective are refused')
    .requiredOption('--key <hex>')
    .option('--effective <time>', 'ISO time, now, or +DURATION', 'now')
    .option('--reason <text>')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      const { addRevocationToDocument } = await lib()
      const doc = addRevocationToDocument(await draftDocument(ctx), {
        key: parseKey('--key', o.key), effective: parseTime('--effective', o.effective, Date.now()), ...(o.reason === undefined ? {} : { reason: o.reason })
      })
      await saveDraft(ctx, doc)
      emit(out(o.json), docSummary(doc, 0), () => `draft version ${doc.version}: ${doc.revocations.length} revocations`)
    })

  roster.command('quotas')
    .description('set the quotas in the draft (every node applies them alike; docs/protocol/roster.md §6.1)')
    .option('--window <duration>', 'window of created time the rates count over, e.g. 60m')
    .option('--author <n/bytes>', 'per author key per window, e.g. 2000/16MiB')
    .option('--org <n/bytes>', 'per org per window, e.g. 6000/64MiB')
    .option('--lifetime <kind:precedence=duration>', 'longest lifetime, e.g. bulletin:routine=30d (repeatable; kind:*=… for every precedence)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--defaults', 'drop the quotas: every node uses the defaults')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      const doc = await draftDocument(ctx)
      const quotas = o.defaults === true ? {} : { ...(doc.quotas ?? {}) }
      if (o.window !== undefined) quotas.windowMs = parseDuration('--window', o.window)
      if (o.author !== undefined) quotas.perAuthor = parseRate('--author', o.author)
      if (o.org !== undefined) quotas.perOrg = parseRate('--org', o.org)
      for (const spec of (o.lifetime ?? []) as string[]) {
        const m = /^([a-z]+):([a-z*]+)=(.+)$/.exec(spec)
        if (m === null) throw new C5Error('CLI_BAD_ARGUMENT', `--lifetime: expected kind:precedence=duration such as bulletin:routine=30d, got "${spec}"`)
        const kind = parseChoice('--lifetime', m[1], KINDS)
        const precs = m[2] === '*' ? PRECEDENCES : [parseChoice('--lifetime', m[2], PRECEDENCES)]
        const ms = parseDuration('--lifetime', m[3])
        quotas.maxLifetimeMs = { ...(quotas.maxLifetimeMs ?? {}), [kind]: { ...(quotas.maxLifetimeMs?.[kind] ?? {}), ...Object.fromEntries(precs.map(p => [p, ms])) } }
      }
      const next: RosterDocument = { ...doc }
      if (Object.keys(quotas).length === 0) delete next.quotas
      else next.quotas = quotas
      await saveDraft(ctx, next)
      emit(out(o.json), { ...docSummary(next, 0), quotas: next.quotas ?? null }, () => `draft version ${next.version}: quotas ${next.quotas === undefined ? 'default' : JSON.stringify(next.quotas)} (signatures cleared: sign it again)`)
    })

  roster.command('sign')
    .description('add one root signature to the draft (k of n roots must sign)')
    .option('--key-file <path>', 'root key file (default: this folder\'s development root key)')
    .option('--in <file>', 'sign this signed-roster file instead of the draft (it is rewritten)')
    .option('--json', 'print JSON')
    .action(async (o: { keyFile?: string, in?: string, json?: boolean }) => {
      const { ctx, out } = get()
      const { readKeyFile, decodeSignedRoster, signRoster, encodeSignedRoster, decodeRosterDocument, rosterSignatureStatus, fromHex, toHex } = await lib()
      const { pair } = await readKeyFile(o.keyFile ?? ctx.paths.rootKey)
      // Only a trust anchor's signature counts: any other key (an operator's, a node's) would
      // look like progress towards k of n and be ignored by every node.
      const cfg = await ctx.config()
      const anchors = cfg.trustAnchors
      if (anchors === undefined || !anchors.keys.includes(toHex(pair.publicKey))) {
        throw new C5Error('ROSTER_NOT_AN_ANCHOR', `${o.keyFile ?? ctx.paths.rootKey} holds key ${toHex(pair.publicKey).slice(0, 16)}…, which is not one of this node's trust anchors (config.json trustAnchors): sign with a root key`)
      }
      const path = o.in ?? ctx.paths.rosterDraft
      let signed: SignedRoster
      try { signed = decodeSignedRoster(await readFile(path)) } catch (err) {
        if (err instanceof C5Error) throw err
        throw new C5Error('NODE_NOT_FOUND', `no roster to sign at ${path}`, { cause: err })
      }
      const next = signRoster(signed, pair)
      await writeAtomic(path, encodeSignedRoster(next))
      const doc = decodeRosterDocument(next.document)
      const st = rosterSignatureStatus(encodeSignedRoster(next), { keys: anchors.keys.map(fromHex), threshold: anchors.threshold })
      emit(out(o.json), { ...docSummary(doc, st.validSigners.length), threshold: st.threshold, complete: st.complete }, () => `signed draft version ${doc.version}: ${st.validSigners.length} of ${st.threshold} root signature(s) needed${st.complete ? ' — complete: import it (c5mesh roster import FILE)' : ''}`)
    })

  roster.command('export')
    .description('write the signed draft (or, with --current, the current roster) to a file')
    .requiredOption('--out <file>')
    .option('--current', 'export the roster in force instead of the draft')
    .option('--welcome', 'write a welcome file for a joining state: the roster in force, the trust anchors with their fingerprints, bootstrap addresses')
    .option('--bootstrap <addrs>', 'with --welcome: the bootstrap multiaddrs, comma separated (default: this node\'s addresses and its bootstrap)')
    .option('--json', 'print JSON')
    .action(async (o: { out: string, current?: boolean, welcome?: boolean, bootstrap?: string, json?: boolean }) => {
      const { ctx, out } = get()
      const { encodeSignedRoster, decodeSignedRoster, decodeRosterDocument } = await lib()
      if (o.welcome === true) {
        const signed = await currentSigned(ctx)
        if (signed === undefined) throw new C5Error('NODE_NOT_FOUND', 'this node has no roster yet: import one before welcoming anyone')
        const cfg = await ctx.config()
        if (cfg.trustAnchors === undefined) throw new C5Error('CONFIG_INVALID', 'trustAnchors: this node has none to hand on (config.json)')
        const [{ makeWelcome }, { nodeAddrs }] = await Promise.all([import('../../node/join.js'), import('./join.js')])
        const bootstrap = o.bootstrap !== undefined
          ? o.bootstrap.split(',').map(a => a.trim()).filter(a => a !== '')
          : [...new Set([...(await nodeAddrs(ctx)).addrs, ...cfg.bootstrap])]
        for (const a of bootstrap) if (!/^\/\S+\/p2p\/\S+$/.test(a)) throw new C5Error('CLI_BAD_ARGUMENT', `--bootstrap: expected multiaddrs ending in /p2p/<PeerId>, got "${a}"`)
        if (bootstrap.length === 0) throw new C5Error('CLI_BAD_ARGUMENT', '--bootstrap: this node has no address to share (port 0, no interface): give the addresses the new state should dial')
        const version = decodeRosterDocument(decodeSignedRoster(signed).document).version
        const w = makeWelcome({ roster: signed, rosterVersion: version, anchors: cfg.trustAnchors, bootstrap }, Date.now())
        await writeAtomic(o.out, new TextEncoder().encode(JSON.stringify(w, null, 2) + '\n'))
        emit(out(o.json), { out: o.out, rosterVersion: version, bootstrap, anchors: w.trustAnchors }, () => [
          `wrote welcome file ${o.out}: roster version ${version}, ${bootstrap.length} bootstrap address(es)`,
          'root fingerprints (the new state checks them before trusting):',
          ...w.trustAnchors.keys.map(k => `  ${k.fingerprint}   ${k.key}`)
        ].join('\n'))
        return
      }
      let bytes: Uint8Array | undefined
      if (o.current === true) {
        bytes = await currentSigned(ctx)
      } else {
        const d = await readDraft(ctx)
        bytes = d === undefined ? undefined : encodeSignedRoster(d)
      }
      if (bytes === undefined) throw new C5Error('NODE_NOT_FOUND', o.current === true ? 'this node has no roster yet' : 'no roster draft to export')
      await writeAtomic(o.out, bytes)
      emit(out(o.json), { out: o.out, bytes: bytes.length }, () => `wrote ${o.out} (${bytes!.length} bytes)`)
    })

  roster.command('import <file>')
    .description('send a signed roster through ingest: accepted if k of n roots signed it and it is newer')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const { ctx, out } = get()
      const { decodeSignedRoster, decodeRosterDocument, wrapRoster } = await lib()
      const bytes = await readInputFile('roster file', file)
      decodeSignedRoster(bytes) // a clear ROSTER_MALFORMED before anything else
      const env = wrapRoster(bytes, await ctx.key('node'), Date.now())
      const access = await ctx.access()
      try {
        const r = await access.ingest(env.bytes)
        if (!r.ok) throw new C5Error(r.code, r.message)
        // The draft is done once the roster it became (or a newer one) is in force.
        const draft = await readDraft(ctx).catch(() => undefined)
        const imported = decodeRosterDocument(decodeSignedRoster(bytes).document).version
        if (resolve(file) === ctx.paths.rosterDraft || (draft !== undefined && decodeRosterDocument(draft.document).version <= imported)) await rm(ctx.paths.rosterDraft, { force: true })
        emit(out(o.json), { id: r.message.id }, () => `roster imported (${r.message.id})`)
      } finally { await access.close() }
    })
}
