/**
 * Test helpers for sync sessions: a manual clock with timers, in-memory components built
 * from real signed envelopes with a fake ingest (decode + verify + dedup), a link tap that
 * records the frames one side receives, and a trivial full-list reconciler (TEST ONLY).
 */
import { createHash } from 'node:crypto'
import { C5Error } from '../../src/errors.js'
import { memoryLinkPair } from '../../src/links/memory/index.js'
import { createSyncSession } from '../../src/sync/session.js'
import { composeEnvelope, decodeEnvelope, verifyEnvelopeSignature, type Envelope, type Precedence } from '../../src/envelope/index.js'
import { generateKeyPair, keyId, type KeyPair } from '../../src/identity/index.js'
import type { Link } from '../../src/links/types.js'
import type { IngestResult } from '../../src/node/types.js'
import { decodeFrame, encodeFrame, type SyncFrame } from '../../src/sync/frames.js'
import type { PushMessage, StoredMessage, SyncClock, SyncComponents, SyncEvent, SyncSession, SyncSessionOptions } from '../../src/sync/session-types.js'
import type { Reconciler, SyncItem } from '../../src/sync/types.js'

export const T0 = Date.UTC(2026, 10, 28, 3, 0, 0)
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A clock whose time moves only when a test advances it; timers fire in time order. */
export interface ManualClock extends Required<SyncClock> {
  advance: (ms: number) => Promise<void>
  pending: () => number
}

export function manualClock (start = T0): ManualClock {
  let now = start
  let seq = 0
  const timers = new Map<number, { at: number, fn: () => void }>()
  return {
    now: () => now,
    setTimeout (fn, ms) { const h = ++seq; timers.set(h, { at: now + Math.max(0, ms), fn }); return h },
    clearTimeout (h) { timers.delete(h as number) },
    pending: () => timers.size,
    async advance (ms) {
      const until = now + ms
      for (;;) {
        await settle()
        let next: [number, { at: number, fn: () => void }] | undefined
        for (const e of timers) if (e[1].at <= until && (next === undefined || e[1].at < next[1].at)) next = e
        if (next === undefined) break
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].fn()
      }
      now = until
      await settle()
    }
  }
}

/** Lets pending promise chains run (no timers involved). */
export async function settle (rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

export interface Author { keyPair: KeyPair, org: string }
export function author (org = 'MX-YUC'): Author { return { keyPair: generateKeyPair(), org } }

export function alert (a: Author, opts: { now: number, headline?: string, description?: string, precedence?: Precedence, ttlS?: number }): Envelope {
  return composeEnvelope({
    kind: 'alert',
    org: a.org,
    ...(opts.precedence === undefined ? {} : { precedence: opts.precedence }),
    ...(opts.ttlS === undefined ? {} : { ttlS: opts.ttlS }),
    content: { msgType: 'Alert', urgency: 'Expected', severity: 'Minor', headline: opts.headline ?? 'Robo de vehiculo', ...(opts.description === undefined ? {} : { description: opts.description }) }
  }, a.keyPair, { now: opts.now })
}

/** A roster-kind envelope whose body is one byte: its version (the fake's roster). */
export function rosterEnvelope (a: Author, version: number, now: number): Envelope {
  return composeEnvelope({ kind: 'roster', org: a.org, roster: Uint8Array.of(version) }, a.keyPair, { now })
}

export interface FakeNode {
  components: SyncComponents
  store: Map<string, Envelope>
  /** Every successful ingest, in order, with its source. */
  accepted: Array<{ id: string, kind: string, source: string }>
  rejected: Array<{ code: string, source: string }>
  rosterVersion: () => number
  /** Called after each successful ingest (the daemon's push fan-out). */
  listeners: Array<(m: PushMessage) => void>
  put: (env: Envelope) => void
}

/**
 * In-memory components. Fake ingest: decode, verify the signature against the authors it
 * knows (by key id), refuse unknown authors (ROSTER_UNKNOWN_AUTHOR), dedup (INGEST_DUPLICATE).
 * A roster-kind envelope with a higher version replaces the roster.
 */
export function fakeNode (clock: SyncClock, authors: Author[], opts: { roster?: Envelope, rosterVersion?: number, authorsFromVersion?: Map<number, Author[]> } = {}): FakeNode {
  const store = new Map<string, Envelope>()
  const accepted: FakeNode['accepted'] = []
  const rejected: FakeNode['rejected'] = []
  const listeners: FakeNode['listeners'] = []
  const byKeyId = new Map(authors.map(a => [hex(keyId(a.keyPair.publicKey)), a.keyPair.publicKey]))
  let roster = { version: opts.rosterVersion ?? (opts.roster?.roster?.[0] ?? 0), bytes: opts.roster?.bytes }

  const reject = (code: string, source: string): IngestResult => {
    rejected.push({ code, source })
    return { ok: false, code: code as never, message: code }
  }
  const components: SyncComponents = {
    clock,
    async items () {
      const now = clock.now()
      const out: SyncItem[] = [...store.values()].filter(e => e.expires > now).map(e => ({ timestamp: e.created, id: e.digest }))
      return out.sort((a, b) => a.timestamp - b.timestamp || Buffer.compare(a.id, b.id))
    },
    async status (id) { return store.has(hex(id)) ? 'stored' : undefined },
    async get (id): Promise<StoredMessage | undefined> {
      const e = store.get(hex(id))
      return e === undefined ? undefined : { bytes: e.bytes, precedence: e.precedence, expires: e.expires, created: e.created }
    },
    async ingest (bytes, source) {
      let env: Envelope
      try { env = decodeEnvelope(bytes) } catch (e) { return reject(e instanceof C5Error ? e.code : 'ENVELOPE_MALFORMED', source) }
      // Authors added by a roster version are known only once that version is held.
      for (const [v, list] of opts.authorsFromVersion ?? []) {
        if (roster.version >= v) for (const a of list) byKeyId.set(hex(keyId(a.keyPair.publicKey)), a.keyPair.publicKey)
      }
      const key = byKeyId.get(hex(env.author))
      if (key === undefined) return reject('ROSTER_UNKNOWN_AUTHOR', source)
      if (!verifyEnvelopeSignature(env, key)) return reject('ENVELOPE_BAD_SIGNATURE', source)
      if (store.has(hex(env.digest))) return { ok: false, code: 'INGEST_DUPLICATE', message: 'duplicate' }
      store.set(hex(env.digest), env)
      accepted.push({ id: hex(env.digest), kind: env.kind, source })
      if (env.kind === 'roster' && env.roster !== undefined && env.roster[0] > roster.version) roster = { version: env.roster[0], bytes: env.bytes }
      for (const l of listeners) l(env)
      return { ok: true, envelope: env }
    },
    roster: () => roster
  }
  return { components, store, accepted, rejected, rosterVersion: () => roster.version, listeners, put: (e) => { store.set(hex(e.digest), e) } }
}

/** Wraps a link so that every frame it receives is decoded and recorded, in order. */
export function tapLink (link: Link): { link: Link, received: SyncFrame[] } {
  const received: SyncFrame[] = []
  const tapped: Link = {
    get remote () { return link.remote },
    get remoteKey () { return link.remoteKey },
    get maxFrameBytes () { return link.maxFrameBytes },
    get closed () { return link.closed },
    send: async (frame, options) => { await link.send(frame, options) },
    close: async () => { await link.close() },
    abort: (reason) => { link.abort(reason) },
    frames: async function * () {
      for await (const f of link.frames()) {
        try { received.push(decodeFrame(f, { maxFrameBytes: link.maxFrameBytes })) } catch {}
        yield f
      }
    }
  }
  return { link: tapped, received }
}

/**
 * TEST ONLY: a trivial reconciler that ships the whole id list. The initiator sends its ids;
 * the responder replies with its ids; both compute have/need (so both act, exercising the
 * session's dedup rules). Real sessions use src/sync/reconcile.
 */
export function fullListReconcilerForTests (items: SyncItem[]): Reconciler {
  const mine = new Map(items.map(i => [hex(i.id), i.id]))
  const encode = (tag: number): Uint8Array => {
    const out = new Uint8Array(1 + mine.size * 32)
    out[0] = tag
    let o = 1
    for (const id of mine.values()) { out.set(id, o); o += 32 }
    return out
  }
  const diff = (message: Uint8Array): { have: Uint8Array[], need: Uint8Array[] } => {
    const theirs = new Map<string, Uint8Array>()
    for (let o = 1; o < message.length; o += 32) { const id = message.slice(o, o + 32); theirs.set(hex(id), id) }
    return {
      have: [...mine].filter(([k]) => !theirs.has(k)).map(([, v]) => v),
      need: [...theirs].filter(([k]) => !mine.has(k)).map(([, v]) => v)
    }
  }
  return {
    initiate: () => encode(0),
    receive (message) {
      if (message.length < 1 || (message.length - 1) % 32 !== 0) throw new C5Error('SYNC_MALFORMED', 'bad list')
      const d = diff(message)
      return message[0] === 0 ? { reply: encode(1), ...d, done: true } : { ...d, done: true }
    }
  }
}

/** Settles repeatedly until `cond()` holds (bounded; no timers, no sleeps). */
export async function until (cond: () => boolean, maxRounds = 200): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    if (cond()) return
    await settle(5)
  }
  throw new Error('condition not reached')
}

/** A hand-driven peer: the test writes frames (or raw bytes) and reads what the session sends. */
export function rawPeer (link: Link): { send: (f: SyncFrame | Uint8Array) => Promise<void>, received: SyncFrame[], ended: Promise<string> } {
  const received: SyncFrame[] = []
  const ended = (async () => {
    try {
      for await (const f of link.frames()) received.push(decodeFrame(f))
      return 'closed'
    } catch (e) {
      return e instanceof C5Error ? e.code : 'other'
    }
  })()
  return {
    received,
    ended,
    send: async (f) => { await link.send(f instanceof Uint8Array ? f : encodeFrame(f)) }
  }
}

export function helloFrame (over: Partial<Extract<SyncFrame, { type: 'hello' }>> = {}): SyncFrame {
  return { type: 'hello', protocolVersion: 1, nodeKey: new Uint8Array(32).fill(0x01), nonce: new Uint8Array(8), rosterVersion: 0, itemCount: 0, features: 0, ...over }
}

export const KEY_A = new Uint8Array(32).fill(0xaa)
export const KEY_B = new Uint8Array(32).fill(0xbb)

export interface Side { node: FakeNode, session: SyncSession, received: SyncFrame[], events: SyncEvent[] }

export function setupPair (nodes: [FakeNode, FakeNode], opts: { a?: SyncSessionOptions, b?: SyncSessionOptions, maxFrameBytes?: number } = {}): [Side, Side] {
  const [la, lb] = memoryLinkPair({ names: ['b', 'a'], ...(opts.maxFrameBytes === undefined ? {} : { maxFrameBytes: opts.maxFrameBytes }) })
  const mk = (node: FakeNode, link: typeof la, nodeKey: Uint8Array, o: SyncSessionOptions = {}): Side => {
    const tap = tapLink(link)
    const events: SyncEvent[] = []
    const session = createSyncSession(tap.link, node.components, {
      nodeKey, onEvent: e => events.push(e), ...o
    })
    node.listeners.push(m => { session.notifyNew(m) })
    return { node, session, received: tap.received, events }
  }
  return [mk(nodes[0], la, KEY_A, opts.a), mk(nodes[1], lb, KEY_B, opts.b)]
}

export const msgIds = (frames: SyncFrame[]): string[] => frames.flatMap(f => f.type === 'msg' ? [hex(sha(f.envelope))] : [])
export const sha = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest())
export const roundsDone = (s: Side): number => s.events.filter(e => e.type === 'reconciled').length

