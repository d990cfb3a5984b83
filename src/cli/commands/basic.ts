/**
 * c5mesh init | id | send | ack | inbox | show | status | peers
 *
 * Registration loads nothing heavy: each action imports what it needs, so a command
 * against a running daemon starts fast (issue 10: ≤ 250 ms for send, inbox, show).
 */
import type { Command } from 'commander'
import { CATEGORIES, CERTAINTIES, MSG_TYPES, PRECEDENCES, SEVERITIES, URGENCIES } from '../../envelope/types.js'
import type { ComposeRequestInput } from '../../node/compose-request.js'
import type { CliContext } from '../context.js'
import type { InboxFlags } from '../access.js'
import type { MessageView } from '../../node/views.js'
import { C5Error } from '../../errors.js'
import { emit, jsonLine, matrixLines, messageDetail, messageLine, type Display, type Out } from '../output.js'
import type { MessageDetail } from '../../inbox/detail.js'
import type { NodeAccess } from '../access.js'
import { shortIds } from '../../util/short-id.js'
import { parseChoice, parseDuration, parseOrg, parseParam, parseScope, withArticle } from '../parse.js'

type Ctx = () => { ctx: CliContext, out: (json?: boolean) => Out }

/**
 * Whether what was just stored here is on its way: only a running node with a connected
 * peer sends it (at once). Otherwise it waits in the outbox and the inbox marks it.
 */
async function delivery (access: NodeAccess): Promise<{ sent: boolean, why?: string }> {
  if (access.mode === 'local') return { sent: false, why: 'the node is not running: it leaves when the node starts (c5mesh start)' }
  const s = await access.status().catch(() => undefined)
  const peers = Array.isArray(s?.peers) ? s.peers.length : 0
  return peers > 0 ? { sent: true } : { sent: false, why: 'no peer is connected: it leaves as soon as one is (c5mesh peers)' }
}

function notSentLine (precedence: string, why: string | undefined): string {
  return `NOT SENT YET${precedence === 'flash' ? ' (FLASH)' : ''}: stored on this node only — ${why ?? ''}`
}

/** An id refused for a flag: CLI_BAD_ARGUMENT naming the flag (not-found and ambiguity keep their codes). */
function flagError (flag: string, err: unknown): unknown {
  return err instanceof C5Error && err.code === 'CLI_BAD_ARGUMENT' ? new C5Error('CLI_BAD_ARGUMENT', `${flag}: ${err.message}`) : err
}

/** Referenced messages looked up for one listing, at most (what acks and updates refer to). */
const MAX_REFERENCE_LOOKUPS = 20

/** How a list is shown: short ids that tell its messages apart, and what acks and updates refer to. */
async function displayFor (access: NodeAccess, list: MessageView[], timeZone: string | undefined): Promise<Display> {
  const headlines = new Map<string, string>()
  for (const m of list) if (m.content?.headline !== undefined) headlines.set(m.id, m.content.headline)
  const refs = [...new Set(list.flatMap(m => m.kind === 'ack' || (m.content !== undefined && m.content.msgType !== 'Alert') ? m.references : []))]
  for (const r of refs.filter(r => !headlines.has(r)).slice(0, MAX_REFERENCE_LOOKUPS)) {
    const target = await access.show(r).catch(() => undefined) // not here (yet): shown by id only
    if (target?.content?.headline !== undefined) headlines.set(r, target.content.headline)
  }
  return { ...(timeZone === undefined ? {} : { timeZone }), short: shortIds([...list.map(m => m.id), ...refs]), headlines }
}

export function registerBasic (program: Command, get: Ctx): void {
  program.command('init')
    .description('create this node\'s keys and config (with --dev also a local root key and roster)')
    .option('--org <code>', 'issuing org: ISO 3166-2 (MX-YUC) or agency code (CNI)')
    .option('--dev', 'development set-up: a local root key and a roster naming this node and operator')
    .option('--json', 'print JSON')
    .action(async (o: { org?: string, dev?: boolean, json?: boolean }) => {
      const { ctx, out } = get()
      const [{ initNode }, { toHex }] = await Promise.all([import('../../node/init.js'), import('../../identity/keys.js')])
      const r = await initNode({ dir: ctx.paths.dir, ...(o.org === undefined ? {} : { org: parseOrg('--org', o.org) }), dev: o.dev === true })
      const view = { dataDir: r.paths.dir, org: r.org, nodeKey: toHex(r.node.publicKey), operatorKey: toHex(r.operator.publicKey), ...(r.root === undefined ? {} : { rootKey: toHex(r.root.publicKey) }) }
      emit(out(o.json), view, () => [
        `initialised ${r.paths.dir} for ${r.org}`,
        `  node key      ${view.nodeKey}  (${r.paths.nodeKey})`,
        `  operator key  ${view.operatorKey}  (${r.paths.operatorKey})`,
        ...(r.root === undefined
          ? ['  no roster yet: set trustAnchors in config.json and import the national roster (c5mesh roster import FILE)']
          : [`  root key      ${view.rootKey}  (${r.paths.rootKey}) — development only`, '  development roster v1 stored (this node + this operator)']),
        `  config        ${r.paths.config}`
      ].join('\n'))
    })

  program.command('id')
    .description('this node\'s and operator\'s public keys and org')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { ctx, out } = get()
      const cfg = await ctx.config()
      const node = await ctx.key('node')
      const operator = await ctx.key('operator')
      const { peerIdOf, keyId, toHex } = await import('../../identity/index.js')
      const { nodeAddrs } = await import('./join.js')
      const { addrs } = await nodeAddrs(ctx)
      const view = { org: cfg.org, nodeKey: toHex(node.publicKey), peerId: peerIdOf(node.publicKey).toString(), operatorKey: toHex(operator.publicKey), operatorKeyId: toHex(keyId(operator.publicKey)), addrs }
      emit(out(o.json), view, () => [
        `org       ${view.org}`, `node      ${view.nodeKey}`, `peer id   ${view.peerId}`, `operator  ${view.operatorKey} (key id ${view.operatorKeyId})`,
        ...(addrs.length === 0 ? ['address   (none to share: listen on a real port, or set announce in config.json)'] : addrs.map((a, i) => `${i === 0 ? 'addresses' : '         '} ${a}`))
      ].join('\n'))
    })

  program.command('send')
    .description('compose, sign with the operator key, and send an alert or bulletin')
    .option('--headline <text>', 'one line: what it is (required unless --cap)')
    .option('--cap <file>', 'send a CAP 1.2 / 1.1 XML document instead (docs/protocol/cap.md)')
    .option('--kind <kind>', 'alert | bulletin', 'alert')
    .option('--precedence <p>', 'flash | immediate | priority | routine (default: from urgency and severity)')
    .option('--description <text>')
    .option('--instruction <text>')
    .option('--event <text>', 'CAP event, e.g. "Robo de vehículo"')
    .option('--category <c>', `CAP category: ${CATEGORIES.join(', ')}`)
    .option('--msg-type <t>', 'Alert | Update | Cancel', 'Alert')
    .option('--urgency <u>', URGENCIES.join(' | '))
    .option('--severity <s>', SEVERITIES.join(' | '))
    .option('--certainty <c>', CERTAINTIES.join(' | '))
    .option('--area <text>', 'area description')
    .option('--scope <scope>', 'national, or orgs: MX-YUC,MX-CAM', 'national')
    .option('--param <name=value>', 'a parameter (repeatable), e.g. plate=ABC1234', (v: string, acc: Array<{ name: string, value: string }>) => parseParam(v, acc), [])
    .option('--references <ids>', 'ids this updates or cancels, comma separated')
    .option('--expires <duration>', 'time to live: 30m, 6h, 2d', '1d')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      if (o.cap !== undefined) { const { sendCap } = await import('./cap.js'); await sendCap(ctx, out(o.json), o.cap, o); return }
      if (o.headline === undefined) throw new C5Error('CLI_BAD_ARGUMENT', "required option '--headline <text>' not specified (or --cap FILE)")
      const req: ComposeRequestInput = {
        kind: parseChoice('--kind', o.kind, ['alert', 'bulletin'] as const),
        msgType: parseChoice('--msg-type', o.msgType, MSG_TYPES),
        headline: o.headline,
        scope: parseScope('--scope', o.scope).length === 0 ? 'national' : parseScope('--scope', o.scope),
        expiresInS: Math.ceil(parseDuration('--expires', o.expires) / 1000)
      }
      if (o.precedence !== undefined) req.precedence = parseChoice('--precedence', o.precedence, PRECEDENCES)
      if (o.category !== undefined) req.category = parseChoice('--category', o.category, CATEGORIES)
      if (o.urgency !== undefined) req.urgency = parseChoice('--urgency', o.urgency, URGENCIES)
      if (o.severity !== undefined) req.severity = parseChoice('--severity', o.severity, SEVERITIES)
      if (o.certainty !== undefined) req.certainty = parseChoice('--certainty', o.certainty, CERTAINTIES)
      for (const k of ['event', 'description', 'instruction'] as const) if (o[k] !== undefined) req[k] = o[k]
      if (o.area !== undefined) req.area = { description: o.area }
      if (o.param.length > 0) req.parameters = o.param
      if (o.references !== undefined) req.references = String(o.references).split(',').map((id: string) => id.trim()).filter(id => id !== '')
      const access = await ctx.access()
      try {
        // Short ids (what the inbox prints) become whole ids; a whole id passes as it is.
        if (req.references !== undefined) {
          req.references = await Promise.all(req.references.map(async id => /^bafkrei[a-z2-7]{52}$/.test(id) ? id : (await access.show(id).catch(err => { throw flagError('--references', err) })).id))
        }
        const r = await access.send(req)
        if (!r.ok) throw new C5Error(r.code, r.message)
        const d = await delivery(access)
        emit(out(o.json), { id: r.message.id, precedence: r.message.precedence, bytes: r.message.bytes, via: access.mode, sent: d.sent, ...(d.sent ? {} : { notSent: d.why }) }, () => d.sent ? r.message.id : `${r.message.id}\n${notSentLine(r.message.precedence, d.why)}`)
      } finally {
        await access.close()
      }
    })

  program.command('ack <id>')
    .description('acknowledge an alert or bulletin: a signed ack that travels back to every state')
    .option('--note <text>', 'a short note, e.g. "patrulla enviada"')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { note?: string, json?: boolean }) => {
      const { ctx, out } = get()
      const access = await ctx.access()
      try {
        const r = await access.ack(id, o.note)
        if (!r.ok) throw new C5Error(r.code, r.message)
        const d = await delivery(access)
        emit(out(o.json), { id: r.message.id, acknowledges: r.acknowledges ?? r.message.references[0], sent: d.sent, ...(d.sent ? {} : { notSent: d.why }) }, () => d.sent ? r.message.id : `${r.message.id}\n${notSentLine(r.message.precedence, d.why)}`)
      } finally { await access.close() }
    })

  program.command('inbox')
    .description('messages on this node, most urgent first (or newest with --order newest)')
    .option('--kind <kind>').option('--precedence <p>').option('--org <code>')
    .option('--order <order>', 'urgent | newest', 'urgent')
    .option('--limit <n>', 'at most this many', '50')
    .option('--follow', 'then keep printing messages as they arrive, across restarts of the node (Ctrl-C ends)')
    .option('--bell', 'with --follow: ring the terminal bell for every flash message that arrives')
    .option('--json', 'print JSON (with --follow: one message per line)')
    .action(async (o: Record<string, any>) => {
      const { ctx, out } = get()
      const { json, follow, bell, ...q } = o
      const query = q as InboxFlags
      const timeZone = await ctx.timeZone()
      const access = await ctx.access()
      let list: MessageView[]
      try {
        if (follow === true && access.mode !== 'daemon') throw new C5Error('NODE_NOT_RUNNING', '--follow needs a running node: start it with "c5mesh start"')
        list = await access.inbox(query)
        const d = await displayFor(access, list, timeZone)
        const o2 = out(json)
        if (follow !== true) {
          emit(o2, list, () => list.length === 0 ? '(no messages)' : list.map(m => messageLine(m, d)).join('\n'))
          return
        }
        for (const m of list) o2.write(json === true ? jsonLine(m) : messageLine(m, d))
      } finally { await access.close() }
      const { followInbox } = await import('../follow.js')
      const o2 = out(json)
      const { operatorFiles, readTokenFile, DEFAULT_OPERATOR } = await import('../../operators/index.js')
      const token = await readTokenFile(operatorFiles(ctx.paths, (program.opts() as { operator?: string }).operator ?? DEFAULT_OPERATOR).tokenFile)
      await followInbox({
        paths: ctx.paths,
        token,
        query,
        printed: list.map(m => m.id),
        print: m => {
          o2.write(json === true ? jsonLine(m) : messageLine(m, { ...(timeZone === undefined ? {} : { timeZone }) }))
          if (bell === true && m.precedence === 'flash') process.stderr.write('\u0007')
        },
        notice: line => { process.stderr.write(`${line}\n`) }
      })
    })

  program.command('show <id>')
    .description('one message in full (the id, or 8 or more of its characters: the short form the inbox shows)')
    .option('--json', 'print JSON')
    .option('--cap', 'print it as a CAP 1.2 XML document')
    .action(async (id: string, o: { json?: boolean, cap?: boolean }) => {
      const { ctx, out } = get()
      if (o.cap === true) { const { showCap } = await import('./cap.js'); await showCap(ctx, out().write, id); return }
      const timeZone = await ctx.timeZone()
      const access = await ctx.access()
      try {
        const m = await access.show(id)
        const d = await displayFor(access, [m], timeZone)
        emit(out(o.json), m, () => messageDetail(m, d))
      } finally { await access.close() }
    })

  program.command('matrix <id>')
    .description('who received and acknowledged an alert or bulletin: every org in its scope, pending → delivered → acknowledged')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const { ctx, out } = get()
      const timeZone = await ctx.timeZone()
      const access = await ctx.access()
      try {
        const m = await access.show(id) as MessageView & Partial<MessageDetail>
        if (m.matrix === undefined) throw new C5Error('CLI_BAD_ARGUMENT', `only alerts and bulletins have a delivery matrix; ${id} is ${withArticle(m.kind)}`)
        const d: Display = timeZone === undefined ? {} : { timeZone }
        emit(out(o.json), m.matrix, () => [`${m.precedence} ${m.kind} ${m.content?.headline ?? ''}  ${shortIds([m.id]).get(m.id)!}`, ...matrixLines(m.matrix!, true, d)].join('\n'))
      } finally { await access.close() }
    })

  program.command('status')
    .description('node, store, roster and ingest counters')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { ctx, out } = get()
      const access = await ctx.access()
      try {
        const s = await access.status()
        emit(out(o.json), s, () => [
          `node       ${s.running ? `running (pid ${String(s.pid ?? '?')})` : 'not running'}${s.peerId === undefined ? '' : `  ${s.peerId}`}`,
          `org        ${s.org ?? '?'}`,
          `roster     version ${s.rosterVersion}`,
          // Never silently isolated: no roster, not on it, no roster peer for a while.
          ...(Array.isArray(s.warnings) ? (s.warnings as Array<{ message: string }>).map(w => `WARNING    ${w.message}`) : []),
          `messages   ${s.messages}`,
          ...(typeof s.notYetSent === 'number' && s.notYetSent > 0 ? [`NOT SENT   ${s.notYetSent} message(s) composed here have not reached any peer yet`] : []),
          // The one line an operator must not miss: the node is not storing anything.
          ...(s.store.writeFault === undefined ? [] : [`STORE      WRITES FAILING since ${new Date(s.store.writeFault.since).toISOString()}: ${s.store.writeFault.reason}`]),
          `ingest     ${s.ingest.accepted} accepted, ${s.ingest.duplicates} duplicates, ${s.ingest.rejected} rejected`,
          ...(Array.isArray(s.peers) ? [`peers      ${(s.peers as unknown[]).length} connected`] : []),
          ...Object.entries(s.ingest.byCode).map(([c, n]) => `  ${c}: ${n}`)
        ].join('\n'))
      } finally { await access.close() }
    })

  program.command('peers')
    .description('connected and known peers of the running node')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const { ctx, out } = get()
      const access = await ctx.access()
      try {
        const peers = await access.peers() as Array<Record<string, any>>
        const radio = await access.radio() as Array<Record<string, any>>
        emit(out(o.json), peers, () => [
          peers.length === 0 ? '(no peers known)' : peers.map(p => `${String(p.state).padEnd(12)} ${String(p.org ?? '?').padEnd(8)} ${p.peerId}  ${(p.addrs ?? []).join(' ')}`).join('\n'),
          ...radio.map(radioLines)
        ].join('\n'))
      } finally { await access.close() }
    })
}

/** A radio link's block in `c5mesh peers`: its station's counters and TNC (docs/protocol/node.md). */
function radioLines (v: Record<string, any>): string {
  const s = v.station ?? {}
  const q = s.queue ?? {}
  const n = (x: unknown): string => Number(x ?? 0).toLocaleString('en-US')
  const queue = ['control', 'flash', 'immediate', 'priority', 'routine'].map(k => `${k} ${n(q[k]?.packets)}${(q[k]?.bytes ?? 0) > 0 ? ` (${n(q[k].bytes)} B)` : ''}`).join(' · ')
  return [
    `radio ${v.port}  station ${s.stationId} (tag ${s.tag}), ${n(s.bitRate)} bit/s, ${n(s.frameBytes)}-byte frames, TNC ${v.tnc?.connected === false ? 'DISCONNECTED' : 'connected'}`,
    `  sent ${n(s.framesSent)} frames ${n(s.bytesSent)} B · heard ${n(s.framesReceived)} frames ${n(s.bytesReceived)} B · sent again ${n(s.retransmissions)} · NACKs ${n(s.nacksSent)} sent ${n(s.nacksReceived)} received · airtime ${(Number(s.airtimeMs ?? 0) / 1000).toFixed(1)} s`,
    `  queue: ${queue}`,
    ...(v.neighbours ?? []).map((x: Record<string, any>) => `  ${String(x.state).padEnd(10)} ${String(x.org ?? '?').padEnd(8)} ${x.stationId ?? `tag ${String(x.tag)}`}  heard ${n(x.framesHeard)} frames ${n(x.bytesHeard)} B, NACKed ${n(x.nacked)}, lost ${n(x.lost)}${x.link === undefined ? '' : `, link sent ${n(x.link.framesSent)} / received ${n(x.link.framesReceived)} frames`}`)
  ].join('\n')
}

