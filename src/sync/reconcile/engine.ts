/**
 * The reconciliation state machine (docs/protocol/reconcile.md §Flow). Pure: messages in,
 * reply + have/need out; no I/O, no clock, no randomness.
 *
 *   initiator                         responder
 *   HELLO(n, digest) | LIST ────────►
 *                    ◄──────────────  DONE (same set) | LIST (small set) | SKETCH
 *   SYMBOLS[0, m) | LIST | LIST_REQUEST ─►
 *                    ◄──────────────  DONE (decoded) | MORE(total) | LIST | LIST_REQUEST
 *   SYMBOLS[m, total) … ───────────►
 *
 * The side that computes the difference (the decoder of the symbols, or the receiver of a
 * LIST) learns have/need and sends DONE; the side receiving DONE learns nothing.
 */
import { C5Error } from '../../errors.js'
import type { ReconcileStep, Reconciler, SyncItem } from '../types.js'
import {
  DEFAULT_MAX_ITEMS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_SYMBOLS, MESSAGE_OVERHEAD_MAX_BYTES, FIRST_BATCH_EXTRA, FIRST_BATCH_PER_DIFF, ID_BYTES,
  INLINE_LIST_MAX_ITEMS, MAX_MORE_SERVED, MAX_RETRIES, RETRY_GROWTH, SKETCH_BUCKETS, SKETCH_MAX_LEVELS, SYMBOL_BYTES
} from './constants.js'
import { buildItemTable, compareIds, hex, idsOf, type ItemTable } from './items.js'
import {
  decodeMessage, encodeDone, encodeHello, encodeList, encodeListRequest, encodeMore, encodeSketch, encodeSymbols,
  type Message
} from './messages.js'
import { peel, verify } from './peel.js'
import { buildSketch, estimateDifference, sketchLevels } from './sketch.js'
import { SymbolArray, SymbolEncoder } from './symbols.js'

export interface ReconcilerOptions {
  /** Most coded symbols in one reconciliation, sent or accepted (default 262,144). */
  maxSymbols?: number
  /** Most items in our set or a peer's LIST (default 4,194,304). */
  maxItems?: number
  /**
   * Largest message sent or accepted (default 16 MiB, the session's reassembly cap). A
   * LIST that would not fit is never chosen; symbols batches are capped to fit.
   */
  maxMessageBytes?: number
  /** First batch = ceil(firstBatchPerDiff × d̂ + FIRST_BATCH_EXTRA) symbols (default 1.9). */
  firstBatchPerDiff?: number
}

export type ReconcileState = 'idle' | 'hello-sent' | 'sketch-sent' | 'symbols-sent' | 'list-sent' | 'list-requested' | 'done' | 'failed'

export interface ReconcileInfo {
  state: ReconcileState
  /** Coded symbols sent (encoder) or received (decoder). */
  symbols: number
  /** The initiator's estimate of the difference size, once known. */
  estimate?: number
  /** MORE requests sent by the decoder. */
  retries: number
  /** True when a full LIST was sent or requested. */
  listFallback: boolean
}

export interface ReconcileEngine extends Reconciler {
  info: () => ReconcileInfo
}

function duplicateInList (): C5Error {
  return new C5Error('SYNC_MALFORMED', 'duplicate id in LIST', { details: { reason: 'duplicate' } })
}

/**
 * The table of the last set reconciled, per node. A node reconciles the same store with
 * every peer, every minute (RECONCILE_INTERVAL_MS): while the set is unchanged, the store
 * hands out the very same id arrays (in the same order), so an identity check over the ids
 * finds the table already built (~40 ms at 100,000 ids). Ids are never modified in place.
 * Keyed by the set's first id object (each node's store owns its own): several nodes in one
 * process (the simulator, tests) each keep their table instead of evicting each other's.
 * A WeakMap, so a table goes when the ids it was built from do.
 */
const lastTables = new WeakMap<Uint8Array, ItemTable>()
function tableFor (ids: Uint8Array[]): ItemTable {
  const first = ids[0]
  if (first === undefined) return buildItemTable(ids)
  const t = lastTables.get(first)
  if (t !== undefined && t.ids.length === ids.length) {
    let same = true
    for (let i = 0; i < ids.length; i++) if (t.ids[i] !== ids[i]) { same = false; break }
    if (same) return t
  }
  const built = buildItemTable(ids)
  lastTables.set(first, built)
  return built
}

/**
 * One encoder per table, shared by every round over it: the first m coded symbols are a
 * function of the set alone, extend() only ever grows the prefix, and readers (symbolsUpTo,
 * peel) copy what they use. So an unchanged set is encoded once, not once per peer per round.
 */
const encoders = new WeakMap<ItemTable, SymbolEncoder>()
function encoderFor (table: ItemTable): SymbolEncoder {
  let e = encoders.get(table)
  if (e === undefined) { e = new SymbolEncoder(table); encoders.set(table, e) }
  return e
}

type Step = ReconcileStep
type Handlers = { [K in Message['type']]?: (m: Extract<Message, { type: K }>) => Step }

export function createReconciler (items: SyncItem[], options: ReconcilerOptions = {}): ReconcileEngine {
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const perDiff = options.firstBatchPerDiff ?? FIRST_BATCH_PER_DIFF
  const ok = (v: number, min: number): boolean => Number.isSafeInteger(v) && v >= min
  if (!ok(options.maxSymbols ?? 1, 1) || !ok(maxItems, 1) || !ok(maxMessageBytes, MESSAGE_OVERHEAD_MAX_BYTES + SYMBOL_BYTES) || !(perDiff > 0)) {
    throw new C5Error('SYNC_MALFORMED', 'invalid reconciler options', { details: { ...options } })
  }
  // One SYMBOLS message and one LIST must fit in maxMessageBytes.
  const maxSymbols = Math.min(options.maxSymbols ?? DEFAULT_MAX_SYMBOLS, Math.floor((maxMessageBytes - MESSAGE_OVERHEAD_MAX_BYTES) / SYMBOL_BYTES))
  const maxListIds = Math.min(maxItems, Math.floor((maxMessageBytes - MESSAGE_OVERHEAD_MAX_BYTES) / ID_BYTES))
  const ids = idsOf(items)
  if (ids.length > maxItems) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'set larger than maxItems', { details: { size: ids.length, maxItems } })
  const own: ItemTable = tableFor(ids)
  own.digest() // validates: no duplicate ids
  const limits = { maxSymbols, maxItems, maxMessageBytes }

  let state: ReconcileState = 'idle'
  let encoder: SymbolEncoder | undefined
  let received: SymbolArray | undefined
  let peerSize = -1
  let peerDigest: Uint8Array | undefined
  let sent = 0
  let retries = 0
  /** Symbol total the decoder asked for with MORE; a batch must end exactly there. */
  let requested: number | undefined
  let moresServed = 0
  let estimate: number | undefined
  let listFallback = false

  const step = (next: ReconcileState, reply?: Uint8Array, have: Uint8Array[] = [], need: Uint8Array[] = []): Step => {
    state = next
    return { ...(reply === undefined ? {} : { reply }), have, need, done: next === 'done' }
  }
  const unexpected = (m: Message): C5Error =>
    new C5Error('SYNC_MALFORMED', `reconcile message ${m.type} unexpected in state ${state}`, { details: { reason: 'unexpected', type: m.type, state } })

  const getEncoder = (): SymbolEncoder => (encoder ??= encoderFor(own))

  const sendList = (): Step => {
    if (own.size > maxListIds) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'our LIST would exceed maxMessageBytes', { details: { size: own.size, maxListIds } })
    listFallback = true
    return step('list-sent', encodeList(own.ids))
  }
  const requestList = (): Step => { listFallback = true; return step('list-requested', encodeListRequest()) }
  /** Bytes of the cheaper list route that fits (ours, or the peer's on request); Infinity if none. */
  const listCost = (): number => {
    const mine = own.size <= maxListIds ? own.size : Infinity
    const theirs = peerSize <= maxListIds ? peerSize : Infinity
    return Math.min(mine, theirs) * ID_BYTES
  }
  const cheaperList = (): Step => {
    const mine = own.size <= maxListIds ? own.size : Infinity
    const theirs = peerSize <= maxListIds ? peerSize : Infinity
    if (mine === Infinity && theirs === Infinity) {
      throw new C5Error('SYNC_LIMIT_EXCEEDED', 'difference too large for maxSymbols and no LIST fits maxMessageBytes', { details: { maxSymbols, maxListIds } })
    }
    return mine <= theirs ? sendList() : requestList()
  }

  const symbolsUpTo = (total: number): Uint8Array => {
    const enc = getEncoder()
    enc.extend(total)
    const start = sent
    sent = total
    return encodeSymbols(start, total - start, (out, offset) => enc.symbols.encode(start, total, out, offset))
  }

  const learnPeer = (size: number, digest: Uint8Array): void => { peerSize = size; peerDigest = digest }

  /** Exact difference against a peer's full list (§Fallback). */
  const fromList = (list: Uint8Array[]): Step => {
    if (peerSize >= 0 && list.length !== peerSize) {
      throw new C5Error('SYNC_MALFORMED', 'LIST disagrees with the announced set size', { details: { reason: 'inconsistent' } })
    }
    const present = new Uint8Array(own.size)
    const need: Uint8Array[] = []
    for (const id of list) {
      const row = own.rowOf(id)
      if (row < 0) need.push(id)
      else if (present[row]++ > 0) throw duplicateInList()
    }
    // Duplicates among the ids we lack: neighbours once sorted (no string per id — a 16 MB
    // LIST of random ids cost 5 s and 150 MB with a Set of hex keys).
    if (need.length > 1) {
      const sorted = need.slice().sort(compareIds)
      for (let i = 1; i < sorted.length; i++) if (compareIds(sorted[i - 1], sorted[i]) === 0) throw duplicateInList()
    }
    const have = own.ids.filter((_, row) => present[row] === 0)
    // A LIST after HELLO/SKETCH must match the digest announced there: a corrupted or
    // inconsistent list is refused rather than turned into a wrong have/need.
    if (peerDigest !== undefined && !verify(own, have, need, peerSize, peerDigest)) {
      throw new C5Error('SYNC_MALFORMED', 'LIST does not match the announced set digest', { details: { reason: 'inconsistent' } })
    }
    return step('done', encodeDone(), have, need)
  }

  const onHello = (m: Extract<Message, { type: 'hello' }>): Step => {
    learnPeer(m.size, m.digest)
    if (m.size === own.size && Buffer.compare(m.digest, own.digest()) === 0) return step('done', encodeDone())
    if (own.size <= INLINE_LIST_MAX_ITEMS) return sendList()
    const levels = sketchLevels(own.size, m.size, SKETCH_BUCKETS, SKETCH_MAX_LEVELS)
    return step('sketch-sent', encodeSketch(own.size, own.digest(), levels, SKETCH_BUCKETS, buildSketch(own, levels, SKETCH_BUCKETS)))
  }

  const onSketch = (m: Extract<Message, { type: 'sketch' }>): Step => {
    learnPeer(m.size, m.digest)
    if (m.size === own.size && Buffer.compare(m.digest, own.digest()) === 0) return step('done', encodeDone())
    const mine = buildSketch(own, m.levels, m.buckets)
    estimate = estimateDifference(mine, m.cells, m.levels, m.buckets, Math.abs(own.size - m.size), own.size + m.size)
    const first = Math.ceil(perDiff * estimate + FIRST_BATCH_EXTRA)
    const list = listCost()
    if (first * SYMBOL_BYTES >= list || (first > maxSymbols && list < Infinity)) return cheaperList()
    return step('symbols-sent', symbolsUpTo(Math.min(first, maxSymbols)))
  }

  const onSymbols = (m: Extract<Message, { type: 'symbols' }>): Step => {
    received ??= new SymbolArray()
    // Only the first batch and the batches we asked for are decoded: an unsolicited stream of
    // tiny batches cannot make us peel over and over.
    if (m.start !== received.length || (requested !== undefined && m.start + m.count !== requested)) {
      throw new C5Error('SYNC_MALFORMED', 'symbol batch out of order or not the size asked for', { details: { reason: 'order' } })
    }
    received.append(m.bytes, m.offset, m.count)
    const r = peel(getEncoder(), own, received, own.size + peerSize)
    if (r.complete && verify(own, r.have, r.need, peerSize, peerDigest as Uint8Array)) {
      return step('done', encodeDone(), r.have, r.need)
    }
    const total = Math.min(Math.ceil(received.length * RETRY_GROWTH), maxSymbols)
    const list = listCost()
    const stuck = total <= received.length
    // §Fallback: never spend more on symbols than a full list would cost. Without a list
    // that fits, symbols continue up to maxSymbols (then SYNC_LIMIT_EXCEEDED, never a guess).
    if (list < Infinity && (stuck || retries >= MAX_RETRIES || total * SYMBOL_BYTES >= list)) return cheaperList()
    if (stuck) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'symbols did not decode within maxSymbols', { details: { maxSymbols } })
    retries++
    requested = total
    return step('sketch-sent', encodeMore(total))
  }

  const onMore = (m: Extract<Message, { type: 'more' }>): Step => {
    if (m.total <= sent) throw new C5Error('SYNC_MALFORMED', 'MORE asks for no new symbols', { details: { reason: 'order' } })
    if (++moresServed > MAX_MORE_SERVED) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'too many MORE requests', { details: { max: MAX_MORE_SERVED } })
    return step('symbols-sent', symbolsUpTo(m.total))
  }

  const onList = (m: Extract<Message, { type: 'list' }>): Step => fromList(m.ids)
  const onDone = (): Step => step('done')

  /** Which messages each state accepts (anything else is SYNC_MALFORMED). */
  const table: Record<ReconcileState, Handlers> = {
    idle: { hello: onHello, list: onList },
    'hello-sent': { sketch: onSketch, list: onList, done: onDone },
    'sketch-sent': { symbols: onSymbols, list: onList, 'list-request': sendList },
    'symbols-sent': { more: onMore, done: onDone, list: onList, 'list-request': sendList },
    'list-sent': { done: onDone },
    'list-requested': { list: onList },
    done: {},
    failed: {}
  }

  return {
    initiate (): Uint8Array {
      if (state !== 'idle') throw new C5Error('SYNC_UNEXPECTED', 'initiate() called twice or after receive()')
      if (own.size <= INLINE_LIST_MAX_ITEMS) return (sendList().reply as Uint8Array)
      return (step('hello-sent', encodeHello(own.size, own.digest())).reply as Uint8Array)
    },
    receive (message: Uint8Array): ReconcileStep {
      // Any throw leaves the engine failed: a session abandons it and may start over.
      try {
        const m = decodeMessage(message, limits)
        const handler = table[state][m.type] as ((m: Message) => Step) | undefined
        if (handler === undefined) throw unexpected(m)
        return handler(m)
      } catch (e) {
        state = 'failed'
        throw e
      }
    },
    info: () => ({ state, symbols: Math.max(sent, received?.length ?? 0), ...(estimate === undefined ? {} : { estimate }), retries, listFallback })
  }
}
