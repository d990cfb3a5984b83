/**
 * Access to a node whose daemon is not running: the store opened in this process (LevelDB
 * allows one process per folder). Loaded only when no daemon answers.
 */
import { C5Error } from '../errors.js'
import { digestFromId } from '../envelope/index.js'
import type { NodeConfig } from '../config/index.js'
import type { NodeCore } from '../node/core.js'
import type { KeyPair } from '../identity/keys.js'
import { composeAck, composeFromRequest, parseAckRequest, parseComposeRequest } from '../node/compose-request.js'
import { parseInboxQuery, status, rosterView } from '../node/service.js'
import { listMessages, messageDetail, parseListQuery, PAGE_LIMIT_MAX } from '../inbox/index.js'
import type { MessageView } from '../node/views.js'
import { composePolicy } from '../node/orgs.js'
import { isolationWarnings } from '../node/isolation.js'
import { rosterSituation } from '../node/isolation-watch.js'
import { envelopeView } from '../node/views.js'
import { cliError, type IngestReply, type NodeAccess } from './access.js'

function cliOf (err: unknown): unknown {
  return err instanceof C5Error && err.code === 'API_BAD_REQUEST' ? cliError(err.code, err.message, err.details?.field as string | undefined) : err
}

/** API_BAD_REQUEST from the shared validators, reported as the daemon path reports it. */
function asCli<T> (f: () => T): T {
  try { return f() } catch (err) { throw cliOf(err) }
}

export function createLocalAccess (core: NodeCore, config: NodeConfig, operatorKey: () => Promise<KeyPair>, nodeKey?: () => Promise<KeyPair>): NodeAccess {
  const ingest = async (bytes: Uint8Array): Promise<IngestReply> => {
    const r = await core.ingest.ingest(bytes, 'local', { sync: true })
    return r.ok ? { ok: true, message: envelopeView(r.envelope) } : r
  }
  return {
    mode: 'local',
    core,
    ingest,
    send: async input => {
      const req = asCli(() => parseComposeRequest(input))
      const operator = await operatorKey()
      const env = asCli(() => composeFromRequest(req, { org: config.org, operator, now: core.clock.now(), policy: composePolicy(core, config) }))
      return await ingest(env.bytes)
    },
    ack: async (id, note) => {
      const req = asCli(() => parseAckRequest(note === undefined ? {} : { note }))
      const target = await messageDetail(core, id).catch(err => { throw cliOf(err) }) // NODE_NOT_FOUND unless it reached this node
      const operator = await operatorKey()
      const env = asCli(() => composeAck({ ...target, digest: digestFromId(target.id) }, req, { org: config.org, operator, now: core.clock.now() }))
      const r = await ingest(env.bytes)
      return r.ok ? { ...r, acknowledges: target.id } : r
    },
    inbox: async q => {
      const query = asCli(() => parseInboxQuery(q)) // every flag checked, in words
      const want = query.limit ?? 50
      const out: MessageView[] = []
      let cursor: string | undefined
      while (out.length < want) {
        const { limit: _l, ...filters } = query
        const page = await listMessages(core, parseListQuery({ ...filters, limit: Math.min(PAGE_LIMIT_MAX, want - out.length), ...(cursor === undefined ? {} : { cursor }) }))
        out.push(...page.messages)
        if (page.next === undefined) break
        cursor = page.next
      }
      return out
    },
    show: async id => await messageDetail(core, id).catch(err => { throw cliOf(err) }),
    status: async () => {
      // Not running: only what the roster says (no peer can be reached without the node).
      const key = await nodeKey?.().catch(() => undefined)
      const warnings = key === undefined ? [] : isolationWarnings(rosterSituation(core, key.publicKey, core.clock.now()))
      return status(core, { org: config.org, warnings })
    },
    roster: async () => rosterView(core),
    peers: async () => { throw new C5Error('NODE_NOT_RUNNING', 'peers are known only to a running node: start it with "c5mesh start"') },
    radio: async () => { throw new C5Error('NODE_NOT_RUNNING', 'radio links run only in a running node: start it with "c5mesh start"') },
    follow: async () => { throw new C5Error('NODE_NOT_RUNNING', 'new messages arrive only at a running node: start it with "c5mesh start"') },
    close: async () => core.close()
  }
}
