/**
 * A node's delivery receipts (docs/protocol/receipts.md): for every alert or bulletin it
 * stores that is addressed to its org, of a configured precedence, and not from its own org,
 * one signed `receipt` envelope names it — batched: every `batchMs` one receipt per
 * precedence names up to 64 ids, sent at that precedence, so 32 states answering N alerts
 * send 31 receipts per interval, not 31 × N.
 *
 * Nothing is lost to a crash: a message's pending receipt is written in the same atomic
 * batch as the message (an ingest write hook), and removed in the same batch as the receipt
 * that names it; a restart reloads what is still pending.
 */
import type { Envelope, Precedence } from '../envelope/types.js'
import { PRECEDENCES, precedenceRank } from '../envelope/types.js'
import { fromHex, keyId, toHex, type KeyPair } from '../identity/keys.js'
import type { NodeCore } from '../node/core.js'
import type { BatchOp } from '../store/types.js'
import { timersOf, type TimerClock } from '../util/clock.js'
import { DEFAULT_RECEIPT_BATCH_MS, DEFAULT_RECEIPT_PRECEDENCES, MAX_IDS_PER_RECEIPT, PENDING_PREFIX } from './constants.js'
import { composeReceipt } from './compose.js'
import { needsReceipt } from './policy.js'

export interface ReceiptComponents {
  core: Pick<NodeCore, 'store' | 'roster' | 'ingest' | 'clock'>
  nodeKey: KeyPair
}

export interface ReceiptOptions {
  /** Precedences that are receipted (default immediate and above). */
  precedences?: readonly Precedence[]
  /** How long ids gather before their receipt is sent. */
  batchMs?: number
  /** Told of failures (a store that cannot write, a roster that does not name this node). */
  log?: (event: string, fields: Record<string, unknown>) => void
}

export interface ReceiptEmitter {
  start: () => Promise<void>
  stop: () => Promise<void>
  /** Sends every pending receipt now (tests; the daemon on stop). */
  flush: () => Promise<void>
  /** Ids waiting for their receipt. */
  pending: () => number
  stats: () => { sent: number, ids: number, failures: number }
}

interface Pending { digest: Uint8Array, precedence: Precedence, expires: number }

export function createReceiptEmitter (components: ReceiptComponents, options: ReceiptOptions = {}): ReceiptEmitter {
  const { core, nodeKey } = components
  const precedences = new Set(options.precedences ?? DEFAULT_RECEIPT_PRECEDENCES)
  const batchMs = options.batchMs ?? DEFAULT_RECEIPT_BATCH_MS
  const clock: TimerClock = timersOf(core.clock, { unref: true })
  const ourKey = toHex(nodeKey.publicKey)
  const pending = new Map<string, Pending>()
  const counters = { sent: 0, ids: 0, failures: 0 }
  let timer: unknown
  let running = false
  let flushing: Promise<void> | undefined

  /** Our org, from the roster (a node that is not on it sends nothing). */
  const ourOrg = (): string | undefined => {
    const m = core.roster.state.member(nodeKey.publicKey)
    return m?.role === 'node' ? m.org : undefined
  }

  const ourKeyId = toHex(keyId(nodeKey.publicKey))
  const isOurReceipt = (env: Envelope): boolean => env.kind === 'receipt' && (toHex(env.author) === ourKey || toHex(env.author) === ourKeyId)

  // In the message's own batch: its pending receipt; in our receipt's batch: their removal.
  const hook = (env: Envelope): BatchOp[] | undefined => {
    if (!running) return undefined
    if (isOurReceipt(env)) {
      return env.references.flatMap(d => core.store.meta.delOps(PENDING_PREFIX + toHex(d)))
    }
    const org = ourOrg()
    if (org === undefined || !needsReceipt(env, org, precedences)) return undefined
    return core.store.meta.ops(PENDING_PREFIX + toHex(env.digest), [precedenceRank(env.precedence), env.expires])
  }

  const onMessage = ({ envelope: env }: { envelope: Envelope }): void => {
    const org = ourOrg()
    if (org === undefined || !needsReceipt(env, org, precedences)) return
    pending.set(toHex(env.digest), { digest: env.digest, precedence: env.precedence, expires: env.expires })
    schedule()
  }

  function schedule (): void {
    if (timer !== undefined || !running || pending.size === 0) return
    timer = clock.setTimeout(() => { timer = undefined; void flush() }, batchMs)
  }

  async function sendOne (org: string, precedence: Precedence, batch: Pending[], now: number): Promise<void> {
    const member = core.roster.state.member(nodeKey.publicKey)
    const env = composeReceipt(nodeKey, {
      org,
      precedence,
      ...(member === undefined ? {} : { maxPrecedence: member.mayIssue.maxPrecedence }),
      digests: batch.map(p => p.digest),
      expires: Math.max(...batch.map(p => p.expires)),
      now
    })
    const r = await core.ingest.ingest(env.bytes, 'local', { sync: false })
    if (!r.ok && r.code !== 'INGEST_DUPLICATE') throw new Error(`${r.code}: ${r.message}`)
    for (const p of batch) pending.delete(toHex(p.digest))
    counters.sent++
    counters.ids += batch.length
  }

  async function flushNow (): Promise<void> {
    const org = ourOrg()
    if (org === undefined || pending.size === 0) return
    const now = clock.now()
    const groups = new Map<Precedence, Pending[]>()
    for (const p of pending.values()) {
      if (p.expires <= now) { pending.delete(toHex(p.digest)); continue } // nothing left to receipt
      const g = groups.get(p.precedence) ?? []
      g.push(p)
      groups.set(p.precedence, g)
    }
    for (const precedence of PRECEDENCES) {
      const g = groups.get(precedence) ?? []
      for (let i = 0; i < g.length; i += MAX_IDS_PER_RECEIPT) {
        try {
          await sendOne(org, precedence, g.slice(i, i + MAX_IDS_PER_RECEIPT), now)
        } catch (err) {
          counters.failures++
          options.log?.('receipt-failed', { reason: (err as Error).message, ids: g.length })
          return // kept pending; the next interval tries again
        }
      }
    }
  }

  async function flush (): Promise<void> {
    while (flushing !== undefined) await flushing
    flushing = flushNow().finally(() => { flushing = undefined })
    await flushing
    schedule()
  }

  return {
    async start () {
      if (running) return
      running = true
      core.ingest.addWriteHook(hook)
      core.ingest.events.on('message', onMessage)
      for (const { name, value } of await core.store.meta.list(PENDING_PREFIX)) {
        const [rank, expires] = value as [number, number]
        const precedence = PRECEDENCES[rank]
        if (precedence === undefined || typeof expires !== 'number') continue
        pending.set(name.slice(PENDING_PREFIX.length), { digest: fromHex(name.slice(PENDING_PREFIX.length)), precedence, expires })
      }
      schedule()
    },
    async stop () {
      if (!running) return
      if (timer !== undefined) { clock.clearTimeout(timer); timer = undefined }
      await flushing
      running = false
      core.ingest.removeWriteHook(hook)
      core.ingest.events.off('message', onMessage)
    },
    flush,
    pending: () => pending.size,
    stats: () => ({ ...counters })
  }
}
