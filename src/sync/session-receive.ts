/**
 * The receive side: one small handler per frame type, chosen by lookup table. Frames are
 * handled strictly in arrival order (each handler is awaited before the next frame is
 * read), so a ROSTER goes through ingest before any MSG that follows it
 * (docs/protocol/sync.md §4.1 (roster first), §4.5, §4.7 (scoring)).
 */
import { noteReceived, onGraft, onIhave, onPrune } from './session-lazy.js'
import { onCredit } from './session-credit.js'
import { createHash } from 'node:crypto'
import { C5Error } from '../errors.js'
import type { IngestResult } from '../node/types.js'
import { idKey } from './bounded-set.js'
import type { ErrorFrame, FrameType, HelloFrame, MsgFrame, RosterFrame, SyncFrame, WantFrame } from './frames.js'
import { asC5, offersOf, onDone, onRecon, startRound } from './session-rounds.js'
import { ensureRosterFirst, queueMessage } from './session-send.js'
import { RESEND_AFTER_MS, SYNC_PROTOCOL_VERSION } from './constants.js'
import type { Ctx } from './session-context.js'

/** Rejections that mean "already known", not a fault of the sender (an older roster: we have a newer one). */
const KNOWN_CODES = new Set(['INGEST_DUPLICATE', 'INGEST_TOMBSTONED', 'ROSTER_OLD_VERSION'])
/**
 * Whether a rejection of what the peer sent is evidence against it (§4.7). Ingest says
 * when an honest relay could have sent it (`honestRelay`: expired in transit, a clock a
 * little ahead, an author whose roster entry changed recently); our own failures
 * (INGEST_INTERNAL, any STORE_* — a full disk must not get every peer banned), an older
 * roster, a revocation that has not reached the peer yet and quotas cost nothing either.
 * The peer's roster-version claim in HELLO plays no part: it is unverified.
 */
const BLAMELESS_CODES = new Set(['INGEST_INTERNAL', 'ROSTER_OLD_VERSION', 'ROSTER_KEY_REVOKED', 'STORE_CLOSED'])

function isFault (result: Extract<IngestResult, { ok: false }>): boolean {
  if (result.honestRelay === true || BLAMELESS_CODES.has(result.code)) return false
  return !result.code.startsWith('STORE_') && !result.code.startsWith('QUOTA_')
}
export const PENALTY_PER_REJECT = 1

type Handler<F extends SyncFrame> = (ctx: Ctx, frame: F) => Promise<void> | void

export const HANDLERS: { [T in FrameType]: Handler<Extract<SyncFrame, { type: T }>> } = {
  hello: onHello,
  roster: onRoster,
  recon: onRecon,
  want: onWant,
  msg: onMsg,
  done: onDone,
  error: onError,
  bye: (ctx) => { ctx.end({ reason: 'bye' }) },
  ihave: onIhave,
  prune: onPrune,
  graft: onGraft,
  credit: onCredit
}

function onHello (ctx: Ctx, f: HelloFrame): void {
  if (ctx.peer !== undefined) throw new C5Error('SYNC_UNEXPECTED', 'second HELLO')
  if (f.protocolVersion !== SYNC_PROTOCOL_VERSION) {
    throw new C5Error('SYNC_BAD_VERSION', `peer speaks sync protocol ${f.protocolVersion}, not ${SYNC_PROTOCOL_VERSION}`)
  }
  const linkKey = ctx.link.remoteKey
  if (linkKey !== undefined && f.nodeKey !== undefined && Buffer.compare(linkKey, f.nodeKey) !== 0) {
    throw new C5Error('SYNC_UNEXPECTED', 'HELLO names a key other than the link authenticated')
  }
  const order = compareHello(ctx, f)
  if (order === 0) throw new C5Error('SYNC_UNEXPECTED', 'peer HELLO equals ours (a link to ourselves?)')
  ctx.peer = f
  ctx.initiator = order > 0
  ctx.peerRosterVersion = f.rosterVersion
  ctx.peerClaimedRoster = f.rosterVersion
  ctx.phase = 'ready'
  ctx.cancelHelloTimeout?.()
  ctx.emit({ type: 'hello', peer: f, initiator: ctx.initiator })
  ensureRosterFirst(ctx) // before anything the roster would authorise
  ctx.wake()
  // The elected initiator starts the first round now and the periodic ones after it.
  if (ctx.initiator) void startRound(ctx).catch(e => { ctx.fail(asC5(e)) })
}

/** >0 when we initiate: the larger (node key, nonce) wins; keys absent sort as empty. */
function compareHello (ctx: Ctx, f: HelloFrame): number {
  const ours = ctx.options.nodeKey ?? new Uint8Array(0)
  const theirs = f.nodeKey ?? new Uint8Array(0)
  const byKey = Buffer.compare(ours, theirs)
  return byKey !== 0 ? byKey : Buffer.compare(ctx.options.nonce, f.nonce)
}

async function onRoster (ctx: Ctx, f: RosterFrame): Promise<void> {
  const result = await ingestFromPeer(ctx, f.envelope, 'roster')
  if (result.ok || KNOWN_CODES.has(result.code)) {
    // It sent the roster we now hold (or one we already had): it holds our version.
    const ours = ctx.components.roster().version
    ctx.peerRosterVersion = Math.max(ctx.peerRosterVersion, ours)
    ctx.peerClaimedRoster = Math.max(ctx.peerClaimedRoster, ours)
  }
}

async function onMsg (ctx: Ctx, f: MsgFrame): Promise<void> {
  await admitMsg(ctx)
  await ingestMsg(ctx, f)
}

/**
 * The part of receiving a MSG that holds the reader: the per-peer rate limit. Past the
 * burst, reading stops (the link's backpressure slows the peer).
 */
export async function admitMsg (ctx: Ctx): Promise<void> {
  const delayMs = ctx.receiveRate.delayFor(1)
  if (delayMs > 0) await ctx.sleep(delayMs)
  ctx.receiveRate.take(1)
  ctx.stats.messagesReceived++
}

/** The part that may overlap with the next frames (§4.1): ingest and its bookkeeping. */
export async function ingestMsg (ctx: Ctx, f: MsgFrame): Promise<void> {
  await ingestFromPeer(ctx, f.envelope, 'msg')
}

/** Marks the id as held by the peer BEFORE ingest, so the push that ingest triggers skips it. */
async function ingestFromPeer (ctx: Ctx, bytes: Uint8Array, frame: 'msg' | 'roster'): Promise<IngestResult> {
  const id = new Uint8Array(createHash('sha256').update(bytes).digest())
  ctx.peerHas.set(idKey(id), { via: 'received', at: ctx.components.clock.now() })
  let result: IngestResult
  try {
    result = await ctx.components.ingest(bytes, ctx.options.source, id)
  } catch (e) {
    // ingest must not throw (src/node/types.ts); if it does, it is our failure, not the peer's.
    ctx.log('sync.ingest-threw', { error: String(e) })
    result = { ok: false, code: 'INGEST_INTERNAL', message: 'ingest threw' }
  }
  ctx.emit({ type: 'received', id, result })
  if (frame === 'msg') noteReceived(ctx, id, result)
  if (result.ok) {
    ctx.stats.messagesAccepted++
  } else if (KNOWN_CODES.has(result.code)) {
    ctx.stats.messagesKnown++
  } else {
    ctx.stats.messagesRejected++
    ctx.log('sync.rejected', { remote: ctx.link.remote, code: result.code })
    if (isFault(result)) penalise(ctx, result.code)
  }
  return result
}

function penalise (ctx: Ctx, code: string): void {
  ctx.stats.penalty += PENALTY_PER_REJECT
  ctx.emit({ type: 'fault', code, points: PENALTY_PER_REJECT })
  if (ctx.stats.penalty < ctx.options.banThreshold) return
  const remoteKey = ctx.link.remoteKey ?? ctx.peer?.nodeKey
  ctx.emit({ type: 'banned', remote: ctx.link.remote, ...(remoteKey === undefined ? {} : { remoteKey }), penalty: ctx.stats.penalty, lastCode: code })
  ctx.fail(new C5Error('SYNC_PEER_BANNED', `peer sent ${ctx.stats.penalty} invalid messages`, { details: { lastCode: code } }), 'banned')
}

/**
 * Answers a WANT with MSGs, most urgent first (the peer cannot know what is urgent among
 * the ids it lacks; we can). Unknown ids are ignored; ids sent less than RESEND_AFTER_MS ago
 * are skipped (the WANT crossed our MSG); the queue cap bounds what a huge WANT can cost.
 */
async function onWant (ctx: Ctx, f: WantFrame): Promise<void> {
  const now = ctx.components.clock.now()
  const asked: Uint8Array[] = []
  for (const id of f.ids) {
    const key = idKey(id)
    const known = ctx.peerHas.get(key)
    if (known?.via === 'sent' && now - known.at < RESEND_AFTER_MS) continue
    if (known !== undefined) ctx.peerHas.delete(key) // it asks: it does not have it
    asked.push(id)
  }
  const offers = await offersOf(ctx, asked)
  ctx.stats.wantIgnored += asked.length - offers.length
  for (const m of offers) {
    if (!queueMessage(ctx, m, 'offer')) ctx.stats.wantIgnored++
  }
}

function onError (ctx: Ctx, f: ErrorFrame): void {
  ctx.log('sync.remote-error', { remote: ctx.link.remote, code: f.code, text: f.text })
  ctx.end({ reason: 'remote-error', code: f.code })
}
