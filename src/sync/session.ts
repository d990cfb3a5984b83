/**
 * A sync session: the c5mesh sync protocol over one Link (docs/protocol/sync.md §4 "Session").
 *
 *   start → HELLO ⇄ HELLO → [ROSTER if ours is newer] → rounds of RECON … DONE,
 *   MSG / WANT transfer, pushes (notifyNew), periodic rounds → BYE | ERROR | link end
 *
 * The session owns two loops — receive (frames handled strictly in order) and send (the
 * priority queue under the bandwidth budget) — and every timer it starts; `done` resolves
 * once, whatever ends it.
 */
import { announceInstead, createLazyState } from './session-lazy.js'
import { createCreditState, noteAdmitted } from './session-credit.js'
import { randomBytes } from 'node:crypto'
import { C5Error, isC5Error } from '../errors.js'
import type { Link } from '../links/types.js'
import { PRECEDENCES } from '../envelope/types.js'
import { TokenBucket } from './budget.js'
import { BoundedIdMap } from './bounded-set.js'
import {
  BAN_THRESHOLD, HELLO_TIMEOUT_MS, ID_BYTES, MAX_CONTROL_QUEUE_BYTES, MAX_RECON_MESSAGE_BYTES, MIN_ROUND_INTERVAL_MS, PEER_ROUND_BURST, MAX_PEER_HAS, MAX_QUEUED_MESSAGES, MAX_OFFER_BACKLOG, MAX_WANT_IDS, NODE_KEY_BYTES, NONCE_BYTES,
  RECEIVE_BURST_MESSAGES, RECEIVE_MESSAGES_PER_S, MAX_INGESTS_IN_FLIGHT, MAX_INGEST_BYTES_IN_FLIGHT, RECONCILE_INTERVAL_MS, ROUND_TIMEOUT_MS, SEND_STALL_TIMEOUT_MS, SYNC_PROTOCOL_VERSION,
  FEATURE_LAZY_PUSH, FEATURE_CREDIT
} from './constants.js'
import { decodeFrame, encodeFrame, type SyncFrame } from './frames.js'
import { OutgoingQueue } from './queue.js'
import { OfferBacklog } from './offer-backlog.js'
import { createReconciler } from './reconcile/index.js'
import { isLive, queueControl, type Ctx, type PeerHas, type ResolvedOptions } from './session-context.js'
import { admitMsg, HANDLERS, ingestMsg } from './session-receive.js'
import { IngestWindow } from './ingest-window.js'
import { asC5, startRound, touchRound } from './session-rounds.js'
import { ensureRosterFirst, queueMessage, runSender } from './session-send.js'
import type { PushMessage, SessionEnd, SyncComponents, SyncSession, SyncSessionOptions } from './session-types.js'
import { copyStats, emptyStats } from './stats.js'

/** How long a closing session waits for BYE/ERROR to leave before it aborts the link. */
export const CLOSE_FLUSH_TIMEOUT_MS = 5_000

export function createSyncSession (link: Link, components: SyncComponents, options: SyncSessionOptions = {}): SyncSession {
  validate(link, components, options)
  const opts = resolveOptions(link, options)
  const clock = components.clock
  const setT = clock.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
  const clearT = clock.clearTimeout ?? ((h: unknown) => { clearTimeout(h as ReturnType<typeof setTimeout>) })
  const timers = new Set<unknown>()
  const sleepers = new Set<() => void>()
  let wakeSender: (() => void) | undefined
  let resolveDone!: (end: SessionEnd) => void
  const done = new Promise<SessionEnd>(resolve => { resolveDone = resolve })
  const maxFrameBytes = link.maxFrameBytes

  const ctx: Ctx = {
    link,
    components,
    options: opts,
    limits: { maxFrameBytes, maxWantIds: options.maxWantIds ?? MAX_WANT_IDS },
    phase: 'new',
    initiator: false,
    peerRosterVersion: 0,
    peerClaimedRoster: 0,
    queue: new OutgoingQueue(options.maxQueuedMessages ?? MAX_QUEUED_MESSAGES),
    backlog: new OfferBacklog(options.maxOfferBacklog ?? MAX_OFFER_BACKLOG),
    bandwidth: new TokenBucket({
      ratePerS: options.bytesPerSecond ?? Infinity,
      burst: options.burstBytes ?? Math.max(maxFrameBytes, Number.isFinite(options.bytesPerSecond) ? options.bytesPerSecond as number : 0),
      now: clock.now
    }),
    receiveRate: options.budgets?.receive ?? new TokenBucket({
      ratePerS: options.receiveMessagesPerS ?? RECEIVE_MESSAGES_PER_S,
      burst: options.receiveBurstMessages ?? RECEIVE_BURST_MESSAGES,
      now: clock.now
    }),
    ...(options.budgets?.reconBytes === undefined ? {} : { reconBytes: options.budgets.reconBytes }),
    ...(options.budgets?.reconBytesIn === undefined ? {} : { reconBytesIn: options.budgets.reconBytesIn }),
    peerHas: new BoundedIdMap<PeerHas>(options.maxPeerHas ?? MAX_PEER_HAS),
    lazy: createLazyState(),
    credit: createCreditState(),
    stats: emptyStats(),
    nextRound: 0,
    lastPeerRound: -1,
    lastMyRoundAt: -Infinity,
    peerRounds: options.budgets?.peerRounds ?? new TokenBucket({ ratePerS: 1000 / MIN_ROUND_INTERVAL_MS, burst: PEER_ROUND_BURST, now: clock.now }),
    resyncPending: false,
    roundStarting: false,
    roundAfterDrain: false,
    wake: () => { const w = wakeSender; wakeSender = undefined; w?.() },
    schedule (ms, fn) {
      const h = setT(() => { timers.delete(h); fn() }, ms)
      timers.add(h)
      return () => { if (timers.delete(h)) clearT(h) }
    },
    async sleep (ms) {
      if (ctx.phase === 'ended') return
      await new Promise<void>(resolve => {
        const cancel = ctx.schedule(ms, () => { sleepers.delete(wakeUp); resolve() })
        const wakeUp = (): void => { cancel(); resolve() }
        sleepers.add(wakeUp)
      })
    },
    end (end) {
      if (ctx.phase === 'ended') return
      ctx.phase = 'ended'
      for (const h of timers) clearT(h)
      timers.clear()
      for (const s of sleepers) s()
      sleepers.clear()
      ctx.queue.clearMessages()
      ctx.backlog.clear()
      ctx.wake()
      try {
        if (!link.closed) {
          if (end.reason === 'bye' || end.reason === 'stopped') void link.close().catch(() => {})
          else link.abort(end.error)
        }
      } catch (e) {
        ctx.log('sync.link-teardown-failed', { error: String(e) })
      }
      opts.signal?.removeEventListener('abort', onAbort)
      ctx.log('sync.end', { remote: link.remote, reason: end.reason, code: end.code })
      ctx.emit({ type: 'end', end })
      resolveDone(end)
    },
    fail (error, reason = 'error') {
      if (!isLive(ctx)) return
      ctx.phase = 'ending'
      ctx.log('sync.fail', { remote: link.remote, code: error.code })
      // ERROR, then a graceful close so the peer reads it; abort only if that stalls.
      void sendFinal(ctx, { type: 'error', code: error.code, text: error.message })
        .then(async () => { await closeWithin(ctx, CLOSE_FLUSH_TIMEOUT_MS) })
        .finally(() => { ctx.end({ reason, code: error.code, error }) })
    },
    touchRound: () => { touchRound(ctx) },
    emit (event) {
      try { opts.onEvent?.(event) } catch (e) { ctx.log('sync.event-handler-threw', { error: String(e) }) }
    },
    log (event, fields = {}) {
      try { components.log?.(event, fields) } catch {}
    }
  }
  const onAbort = (): void => { ctx.end({ reason: 'aborted', code: 'LINK_ABORTED', error: new C5Error('LINK_ABORTED', 'session aborted by signal', { cause: opts.signal?.reason }) }) }

  async function waitForWork (): Promise<void> {
    await new Promise<void>(resolve => { wakeSender = resolve })
  }

  // MSG ingests overlap (§4.1); frames that must follow the MSGs before them drain it first.
  const ingests = new IngestWindow(options.maxIngestsInFlight ?? MAX_INGESTS_IN_FLIGHT, MAX_INGEST_BYTES_IN_FLIGHT)
  const ingestTask = (frame: Extract<SyncFrame, { type: 'msg' }>) => async (): Promise<void> => {
    try { await ingestMsg(ctx, frame) } catch (e) { ctx.fail(asC5(e)) }
  }

  async function receiveLoop (): Promise<void> {
    try {
      for await (const bytes of link.frames()) {
        if (!isLive(ctx)) return
        let frame: SyncFrame
        try {
          frame = decodeFrame(bytes, ctx.limits)
        } catch (e) {
          ctx.fail(asC5(e)); return
        }
        ctx.stats.received[frame.type].frames++
        ctx.stats.received[frame.type].bytes += bytes.length
        if (frame.type === 'recon') ctx.stats.reconcileBytesReceived += bytes.length
        if (ctx.peer === undefined && frame.type !== 'hello' && frame.type !== 'error' && frame.type !== 'bye') {
          ctx.fail(new C5Error('SYNC_UNEXPECTED', `${frame.type.toUpperCase()} before HELLO`)); return
        }
        try {
          if (frame.type === 'msg') {
            await admitMsg(ctx)
            await ingests.add(bytes.length, ingestTask(frame))
            noteAdmitted(ctx, bytes.length)
            continue
          }
          // A ROSTER is ingested after the MSGs before it and before those after it; the
          // session ends only once what the peer sent before its end is ingested.
          if (frame.type === 'roster' || frame.type === 'bye' || frame.type === 'error') await ingests.drain()
          await (HANDLERS[frame.type] as (c: Ctx, f: SyncFrame) => Promise<void> | void)(ctx, frame)
        } catch (e) {
          ctx.fail(asC5(e)); return
        }
      }
      await ingests.drain()
      // While ending, stop()/fail() own the outcome; a clean end of frames is their close.
      if (ctx.phase !== 'ending') ctx.end({ reason: 'closed' })
    } catch (e) {
      if (ctx.phase === 'ending') return
      const err = isC5Error(e) ? e : new C5Error('LINK_ABORTED', 'link failed', { cause: e })
      // An oversize frame from the peer is its protocol violation; anything else is the link.
      ctx.end({ reason: err.code === 'LINK_FRAME_TOO_LARGE' ? 'error' : 'aborted', code: err.code, error: err })
    }
  }

  function start (): void {
    if (ctx.phase !== 'new') throw new C5Error('SYNC_UNEXPECTED', 'session already started')
    if (opts.signal?.aborted === true) { onAbort(); return }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    ctx.phase = 'hello'
    ctx.cancelHelloTimeout = ctx.schedule(opts.helloTimeoutMs, () => { ctx.fail(new C5Error('SYNC_TIMEOUT', 'no HELLO from peer')) })
    void runSender(ctx, waitForWork).catch(e => { ctx.fail(asC5(e)) })
    // Our HELLO is queued before we read anything: whatever the peer's HELLO triggers
    // (ROSTER, RECON) must queue behind it. The link buffers the peer's frames meanwhile.
    void components.items().then(items => {
      if (!isLive(ctx)) return
      queueControl(ctx, {
        type: 'hello',
        protocolVersion: SYNC_PROTOCOL_VERSION,
        ...(opts.nodeKey === undefined ? {} : { nodeKey: opts.nodeKey }),
        nonce: opts.nonce,
        rosterVersion: components.roster().version,
        itemCount: items.length,
        features: (opts.lazyPush ? FEATURE_LAZY_PUSH : 0) | FEATURE_CREDIT
      })
      void receiveLoop()
    }, e => { ctx.fail(asC5(e)) })
  }

  async function stop (): Promise<SessionEnd> {
    if (ctx.phase === 'new') ctx.end({ reason: 'stopped' })
    if (!isLive(ctx)) return await done
    ctx.phase = 'ending'
    ctx.queue.clearMessages()
    await sendFinal(ctx, { type: 'bye' })
    ctx.end({ reason: 'stopped' })
    return await done
  }

  function notifyNew (m: PushMessage): void {
    const id = m?.digest
    if (!(id instanceof Uint8Array) || id.length !== ID_BYTES || !(m.bytes instanceof Uint8Array) || m.bytes.length === 0 || !PRECEDENCES.includes(m.precedence)) {
      throw new C5Error('SYNC_MALFORMED', 'notifyNew needs a 32-byte digest, the envelope bytes and a precedence')
    }
    if (!isLive(ctx)) return
    if (m.kind === 'roster') {
      // A new roster goes as ROSTER (a control frame, ahead of what it authorises) when it
      // is newer than the peer's; components.roster() already reflects it after ingest.
      ensureRosterFirst(ctx)
      return
    }
    // A peer that pruned this link hears of it by IHAVE instead (session-lazy.ts).
    if (announceInstead(ctx, id, m.precedence)) return
    // Pushes before the HELLO exchange wait in the queue (the send loop holds MSGs until ready).
    queueMessage(ctx, { id, precedence: m.precedence, created: m.created ?? clock.now(), bytes: m.bytes }, 'push')
  }

  function resync (): void {
    void startRound(ctx).catch(e => { ctx.fail(asC5(e)) })
  }

  return { start, stop, done, stats: () => copyStats(ctx.stats), notifyNew, resync }
}

/**
 * Sends a last frame (BYE or ERROR) past the queue — the queue may be full of MSGs we are
 * abandoning — waiting at most CLOSE_FLUSH_TIMEOUT_MS for the link to take it.
 */
async function sendFinal (ctx: Ctx, frame: SyncFrame): Promise<void> {
  if (ctx.link.closed) return
  let bytes: Uint8Array
  try { bytes = encodeFrame(frame, ctx.limits) } catch { return }
  const ac = new AbortController()
  const cancel = ctx.schedule(CLOSE_FLUSH_TIMEOUT_MS, () => { ac.abort() })
  try {
    // Never two sends at once on the link: let the send loop's frame finish first.
    const aborted = new Promise<void>(resolve => { ac.signal.addEventListener('abort', () => { resolve() }, { once: true }) })
    await Promise.race([ctx.inflight?.catch(() => {}), aborted])
    ctx.wake()
    if (ac.signal.aborted) return
    await ctx.link.send(bytes, { signal: ac.signal })
    ctx.stats.sent[frame.type].frames++
    ctx.stats.sent[frame.type].bytes += bytes.length
  } catch {
    // best effort: the link is going away anyway
  } finally {
    cancel()
  }
}

/** Closes the link gracefully, aborting it if the close takes longer than `ms`. */
async function closeWithin (ctx: Ctx, ms: number): Promise<void> {
  if (ctx.link.closed) return
  let cancel = (): void => {}
  const timedOut = new Promise<void>(resolve => { cancel = ctx.schedule(ms, resolve) })
  await Promise.race([ctx.link.close().catch(() => {}), timedOut])
  cancel()
}

function resolveOptions (link: Link, o: SyncSessionOptions): ResolvedOptions & { signal?: AbortSignal } {
  return {
    ...(o.nodeKey === undefined ? {} : { nodeKey: o.nodeKey }),
    nonce: o.nonce ?? new Uint8Array(randomBytes(NONCE_BYTES)),
    reconcileIntervalMs: o.reconcileIntervalMs ?? RECONCILE_INTERVAL_MS,
    helloTimeoutMs: o.helloTimeoutMs ?? HELLO_TIMEOUT_MS,
    roundTimeoutMs: o.roundTimeoutMs ?? ROUND_TIMEOUT_MS,
    sendStallTimeoutMs: o.sendStallTimeoutMs ?? SEND_STALL_TIMEOUT_MS,
    banThreshold: o.banThreshold ?? BAN_THRESHOLD,
    createReconciler: o.createReconciler ?? ((items) => createReconciler(items)),
    source: o.source ?? `peer:${link.remote}`,
    maxReconMessageBytes: o.maxReconMessageBytes ?? MAX_RECON_MESSAGE_BYTES,
    maxControlQueueBytes: o.maxControlQueueBytes ?? MAX_CONTROL_QUEUE_BYTES,
    lazyPush: o.lazyPush ?? true,
    ...(o.onEvent === undefined ? {} : { onEvent: o.onEvent }),
    ...(o.signal === undefined ? {} : { signal: o.signal })
  }
}

function validate (link: Link, components: SyncComponents, o: SyncSessionOptions): void {
  const bad = (field: string, what: string): never => { throw new C5Error('SYNC_MALFORMED', `${field} ${what}`, { details: { field } }) }
  if (link === null || typeof link !== 'object' || typeof link.send !== 'function' || typeof link.frames !== 'function') bad('link', 'must be a Link')
  if (!Number.isSafeInteger(link.maxFrameBytes) || link.maxFrameBytes < 64) bad('link.maxFrameBytes', 'must be an integer ≥ 64')
  for (const f of ['items', 'status', 'get', 'ingest', 'roster'] as const) if (typeof components?.[f] !== 'function') bad(`components.${f}`, 'must be a function')
  if (typeof components.clock?.now !== 'function') bad('components.clock.now', 'must be a function')
  if (o.nodeKey !== undefined && (!(o.nodeKey instanceof Uint8Array) || o.nodeKey.length !== NODE_KEY_BYTES)) bad('nodeKey', `must be ${NODE_KEY_BYTES} bytes`)
  if (o.nonce !== undefined && (!(o.nonce instanceof Uint8Array) || o.nonce.length !== NONCE_BYTES)) bad('nonce', `must be ${NONCE_BYTES} bytes`)
  const nonNegative = ['reconcileIntervalMs', 'helloTimeoutMs', 'roundTimeoutMs', 'banThreshold', 'bytesPerSecond', 'burstBytes',
    'receiveMessagesPerS', 'receiveBurstMessages', 'maxQueuedMessages', 'maxOfferBacklog', 'sendStallTimeoutMs', 'maxIngestsInFlight', 'maxPeerHas', 'maxWantIds', 'maxReconMessageBytes', 'maxControlQueueBytes'] as const
  for (const f of nonNegative) {
    const v = o[f]
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || v <= 0) && !(f === 'reconcileIntervalMs' && v === 0)) bad(f, 'must be a positive number')
  }
}
