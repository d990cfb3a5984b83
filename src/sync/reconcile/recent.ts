/**
 * Recent-first reconciliation (docs/protocol/reconcile.md §12): a wrapper around the engine
 * for thin links (radio), where even the engine's fixed costs matter. When a station comes
 * back after a while, what it lacks is what was created while it was away — the newest
 * items. The round's starter cuts its set at the time of its K-th newest item and sends, in
 * one message, engine HELLOs (size and digest) of its whole set and of the part older than
 * the cut:
 *
 *   START  = 01 21 cut:varint full-len:varint full:engine-msg older-len:varint older:engine-msg
 *   FULL   = 01 22 engine-msg        ; the rest of the round runs the engine on whole sets
 *   RECENT = 01 23 engine-msg        ; … or on the items created at or after the cut
 *
 * The other side answers with its engine's reply to the whole set's HELLO (FULL: DONE when
 * the sets are equal, else SKETCH or LIST), unless the older parts are equal: then only the
 * recent parts differ, and it starts the engine over its recent part (RECENT: its LIST when
 * it holds ≤ 8 of them, else its HELLO). From there on both wrap the engine's messages in the
 * mode chosen, and have/need/done are the engine's. Identical sets cost ~56 bytes; 5 new
 * messages among 5,000 a few hundred (the engine alone: ~900, its sketch and first symbol
 * batch being sized for any difference). When the older parts differ the round is a plain
 * engine round that cost one HELLO more.
 *
 * Both sides of a link must use this wrapper (the radio link does): its messages are not
 * engine messages.
 */
import { C5Error } from '../../errors.js'
import type { ReconcileStep, Reconciler, SyncItem } from '../types.js'
import { readVarint, varintLength, writeVarint } from '../varint.js'
import { INLINE_LIST_MAX_ITEMS, RECONCILE_VERSION } from './constants.js'
import { createReconciler, type ReconcilerOptions } from './engine.js'

export const MSG_RECENT_START = 0x21
export const MSG_RECENT_FULL = 0x22
export const MSG_RECENT_RECENT = 0x23
/** The cut falls at the K-th newest item of the round's starter (K ≤ INLINE_LIST_MAX_ITEMS: a LIST). */
export const RECENT_WINDOW_ITEMS = INLINE_LIST_MAX_ITEMS

export interface RecentReconcilerOptions extends ReconcilerOptions {
  /** Items in the starter's recent window (default RECENT_WINDOW_ITEMS). */
  windowItems?: number
}

const malformed = (why: string): never => { throw new C5Error('SYNC_MALFORMED', `recent-first reconcile: ${why}`, { details: { reason: 'unexpected' } }) }

function wrap (type: number, inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + inner.length)
  out[0] = RECONCILE_VERSION
  out[1] = type
  out.set(inner, 2)
  return out
}

function encodeStart (cut: number, full: Uint8Array, older: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + varintLength(cut) + varintLength(full.length) + full.length + varintLength(older.length) + older.length)
  out[0] = RECONCILE_VERSION
  out[1] = MSG_RECENT_START
  let o = writeVarint(out, 2, cut)
  o = writeVarint(out, o, full.length)
  out.set(full, o); o += full.length
  o = writeVarint(out, o, older.length)
  out.set(older, o)
  return out
}

function decodeStart (m: Uint8Array): { cut: number, full: Uint8Array, older: Uint8Array } {
  let [cut, o] = readVarint(m, 2)
  let n: number
  ;[n, o] = readVarint(m, o)
  if (n < 1 || o + n > m.length) malformed('bad whole-set message length')
  const full = m.subarray(o, o + n); o += n
  ;[n, o] = readVarint(m, o)
  if (o + n !== m.length) malformed('bad older-set message length')
  return { cut, full, older: m.subarray(o, o + n) }
}

/** A Reconciler (same contract as the engine's) that reconciles the recent window first. */
export function createRecentReconciler (items: SyncItem[], options: RecentReconcilerOptions = {}): Reconciler {
  const k = options.windowItems ?? RECENT_WINDOW_ITEMS
  if (!Number.isSafeInteger(k) || k < 1) throw new C5Error('SYNC_MALFORMED', 'windowItems must be a positive integer')
  const engine = (set: SyncItem[]): Reconciler => createReconciler(set, options)
  const split = (cut: number): [SyncItem[], SyncItem[]] => [items.filter(i => i.timestamp < cut), items.filter(i => i.timestamp >= cut)]
  let mode: 'new' | 'started' | 'full' | 'recent' = 'new'
  let full: Reconciler | undefined
  let recent: Reconciler | undefined
  let recentItems: SyncItem[] | undefined

  const out = (type: number, step: ReconcileStep): ReconcileStep =>
    ({ ...(step.reply === undefined ? {} : { reply: wrap(type, step.reply) }), have: step.have, need: step.need, done: step.done })

  return {
    initiate (): Uint8Array {
      if (mode !== 'new') throw new C5Error('SYNC_UNEXPECTED', 'initiate() called twice or after receive()')
      mode = 'started'
      full = engine(items)
      const fullMsg = full.initiate()
      // Items are sorted by (timestamp, id). A window only pays when the older part is a
      // real set (its HELLO, not a LIST).
      if (items.length <= k + INLINE_LIST_MAX_ITEMS) return encodeStart(0, fullMsg, new Uint8Array(0))
      const cut = items[items.length - k].timestamp
      const [older, newer] = split(cut)
      if (older.length <= INLINE_LIST_MAX_ITEMS) return encodeStart(0, fullMsg, new Uint8Array(0))
      recentItems = newer
      return encodeStart(cut, fullMsg, engine(older).initiate())
    },
    receive (message: Uint8Array): ReconcileStep {
      if (message.length < 2 || message[0] !== RECONCILE_VERSION) malformed('bad version')
      const type = message[1]
      if (type === MSG_RECENT_START) {
        if (mode !== 'new') malformed('START in a running round')
        const start = decodeStart(message)
        full = engine(items)
        const step = full.receive(start.full)
        if (step.done || start.older.length === 0) { mode = 'full'; return out(MSG_RECENT_FULL, step) }
        const [older, newer] = split(start.cut)
        const olderStep = engine(older).receive(start.older)
        if (!olderStep.done) { mode = 'full'; return out(MSG_RECENT_FULL, step) }
        // The older parts are equal: only the recent ones differ. We start the engine on them.
        mode = 'recent'
        recent = engine(newer)
        return { reply: wrap(MSG_RECENT_RECENT, recent.initiate()), have: [], need: [], done: false }
      }
      const inner = message.subarray(2)
      if (type === MSG_RECENT_FULL) {
        if (mode !== 'full' && mode !== 'started') malformed('FULL in a recent round')
        mode = 'full'
        return out(MSG_RECENT_FULL, (full as Reconciler).receive(inner))
      }
      if (type === MSG_RECENT_RECENT) {
        if (mode === 'started' && recentItems !== undefined) { mode = 'recent'; recent = engine(recentItems) }
        if (mode !== 'recent' || recent === undefined) malformed('RECENT in a whole-set round')
        return out(MSG_RECENT_RECENT, (recent as Reconciler).receive(inner))
      }
      return malformed(`unknown message type ${type}`)
    }
  }
}
