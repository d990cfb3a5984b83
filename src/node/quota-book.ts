/**
 * The node's side of the quotas (docs/protocol/roster.md §Quotas; the rules are pure, in
 * src/roster/quotas.ts): per author key and per org, the messages of each window of
 * `created` time, kept in (created, id) order and loaded from the store's author and org
 * indexes the first time a window is needed. Ingest asks it twice:
 *
 * - `precheck`, before the signature: the lifetime rule, and a refusal when the message
 *   cannot fit (its windows already hold enough earlier messages) — an insider's flood
 *   costs a decode per message, not a verification;
 * - `reserve`, after it: the message takes its place; those it pushes past a limit are
 *   returned for eviction (a node that learns of an earlier message drops the last one
 *   that no longer fits, as every node does once it holds the same messages).
 *
 * Memory: at most MAX_QUOTA_WINDOWS windows (least recently used dropped, reloaded when
 * needed); a window holds what its limits admit plus the messages being ingested.
 */
import { C5Error } from '../errors.js'
import type { Envelope } from '../envelope/types.js'
import { keyId, toHex } from '../identity/index.js'
import { admissiblePrefix, entryBefore, resolveQuotas, UNQUOTED_KINDS, windowOf, type ResolvedQuotas, type WindowEntry } from '../roster/quotas.js'
import type { RosterDocument } from '../roster/types.js'
import type { MessageStore, StoredMessage } from '../store/types.js'
import { bytesKey } from '../util/bytes-key.js'
import { withArticle } from '../util/words.js'

export const MAX_QUOTA_WINDOWS = 4096
/** Store query page size when loading a window. */
const LOAD_PAGE = 1000

interface Entry extends WindowEntry { digest: Uint8Array }

interface Window {
  entries: Entry[]
  /** Sum of the entries' bytes: a window within both limits needs no scan (see fits). */
  bytes: number
  loaded?: Promise<void>
}

export interface QuotaReservation {
  /** Messages now past a limit: the caller discards them (tombstones). */
  evict: Uint8Array[]
  /** Gives the place back (the write failed). */
  release: () => void
  /**
   * After the write: true when a later reservation evicted this message while it was being
   * written (the caller discards it too — the eviction could not, it was not stored yet).
   */
  settle: () => boolean
}

export interface QuotaBook {
  /** Before the signature. Throws QUOTA_LIFETIME_EXCEEDED or QUOTA_EXCEEDED. */
  precheck: (env: Envelope, authorKey: Uint8Array) => Promise<void>
  /** After it. Throws QUOTA_EXCEEDED (the message does not fit); else its place is taken. */
  reserve: (env: Envelope, authorKey: Uint8Array) => Promise<QuotaReservation | undefined>
  /** The limits in force (from the current roster). */
  limits: () => ResolvedQuotas
}

export interface QuotaBookComponents {
  store: Pick<MessageStore, 'query'>
  /** The current roster document (its quotas), read at each check. */
  document: () => RosterDocument | undefined
}

export function createQuotaBook (components: QuotaBookComponents): QuotaBook {
  const windows = new Map<string, Window>()
  /** Reserved and not yet written: key → evicted meanwhile. */
  const pending = new Map<string, boolean>()
  let cached: { doc: RosterDocument | undefined, limits: ResolvedQuotas } | undefined

  function limits (): ResolvedQuotas {
    const doc = components.document()
    if (cached === undefined || cached.doc !== doc) cached = { doc, limits: resolveQuotas(doc?.quotas) }
    return cached.limits
  }

  function windowKeys (env: Envelope, authorKey: Uint8Array, windowMs: number): { author: string, org: string, start: number } {
    const start = windowOf(env.created, windowMs)
    return { author: `a:${toHex(authorKey)}:${windowMs}:${start}`, org: `o:${env.org}:${windowMs}:${start}`, start }
  }

  async function loadInto (w: Window, fetch: (before?: { created: number, digest: Uint8Array }) => Promise<StoredMessage[]>): Promise<void> {
    const found: Entry[] = []
    const seen = new Set<string>()
    let before: { created: number, digest: Uint8Array } | undefined
    for (;;) {
      const page = await fetch(before)
      for (const m of page) {
        const e = m.envelope
        const key = bytesKey(e.digest)
        if (UNQUOTED_KINDS.has(e.kind) || seen.has(key)) continue
        seen.add(key)
        found.push({ created: e.created, key, bytes: e.bytes.length, digest: e.digest })
      }
      if (page.length < LOAD_PAGE) break
      const last = page[page.length - 1].envelope
      before = { created: last.created, digest: last.digest }
    }
    // Entries reserved while the window loaded are kept (they are not in the store yet).
    for (const e of w.entries) if (!seen.has(e.key)) found.push(e)
    found.sort((a, b) => entryBefore(a, b) ? -1 : entryBefore(b, a) ? 1 : 0)
    w.entries = found
    w.bytes = found.reduce((sum, x) => sum + x.bytes, 0)
  }

  /** The window, loaded from the store the first time (concurrent callers share the load). */
  async function windowFor (key: string, load: (w: Window) => Promise<void>): Promise<Window> {
    let w = windows.get(key)
    if (w !== undefined) {
      windows.delete(key); windows.set(key, w) // most recently used last
    } else {
      w = { entries: [], bytes: 0 }
      windows.set(key, w)
      const created = w
      w.loaded = load(created).catch(err => { windows.delete(key); throw err })
      while (windows.size > MAX_QUOTA_WINDOWS) windows.delete(windows.keys().next().value as string)
    }
    await w.loaded
    return w
  }

  async function windowsOf (env: Envelope, authorKey: Uint8Array, l: ResolvedQuotas): Promise<[Window, Window, { author: string, org: string }]> {
    const k = windowKeys(env, authorKey, l.windowMs)
    const since = k.start
    const until = k.start + l.windowMs - 1
    const author = await windowFor(k.author, async w => {
      // An author names itself by key or by key id: both count as one key.
      for (const form of [authorKey, keyId(authorKey)]) {
        await loadInto(w, async before => await components.store.query({ author: form, since, until, limit: LOAD_PAGE, ...(before === undefined ? {} : { before }) }))
      }
    })
    const org = await windowFor(k.org, async w => {
      await loadInto(w, async before => await components.store.query({ org: env.org, since, until, limit: LOAD_PAGE, ...(before === undefined ? {} : { before }) }))
    })
    return [author, org, k]
  }

  /** Where `e` goes in a window's order. */
  function position (w: Window, e: WindowEntry): number {
    let lo = 0
    let hi = w.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (entryBefore(w.entries[mid], e)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Whether the whole window, `extra` included, is within `limit` (then every prefix is). */
  function within (w: Window, limit: { messages: number, bytes: number }, extra?: WindowEntry): boolean {
    const n = w.entries.length + (extra === undefined ? 0 : 1)
    return n <= limit.messages && w.bytes + (extra?.bytes ?? 0) <= limit.bytes
  }

  /**
   * Whether `e` fits given the entries before it (those after it cannot change that). The
   * common case — the window with `e` added is within the limits — is answered without the
   * scan: a catch-up of a whole store under generous limits would otherwise cost a pass over
   * the window per message (quadratic: 100,000 messages took minutes instead of seconds).
   */
  function fits (w: Window, e: WindowEntry, limit: { messages: number, bytes: number }): boolean {
    if (within(w, limit, e)) return true
    const at = position(w, e)
    if (at + 1 > limit.messages) return false
    let bytes = e.bytes
    for (let i = 0; i < at; i++) bytes += w.entries[i].bytes
    return bytes <= limit.bytes
  }

  function remove (w: Window | undefined, e: WindowEntry): void {
    if (w === undefined) return
    const at = position(w, e)
    if (w.entries[at]?.key === e.key) { w.entries.splice(at, 1); w.bytes -= e.bytes }
  }

  function insert (w: Window, e: Entry): void {
    w.entries.splice(position(w, e), 0, e)
    w.bytes += e.bytes
  }

  function checkLifetime (env: Envelope, l: ResolvedQuotas): void {
    const max = l.maxLifetimeMs(env.kind, env.precedence)
    if (max !== undefined && env.expires - env.created > max) {
      throw new C5Error('QUOTA_LIFETIME_EXCEEDED', `${withArticle(`${env.precedence} ${env.kind}`)} may live at most ${Math.round(max / 3_600_000)} h (this one ${Math.round((env.expires - env.created) / 3_600_000)} h)`, {
        details: { field: 'expires', kind: env.kind, precedence: env.precedence, maxLifetimeMs: max }
      })
    }
  }

  function overQuota (what: 'author' | 'org', env: Envelope, l: ResolvedQuotas): C5Error {
    const q = what === 'author' ? l.perAuthor : l.perOrg
    return new C5Error('QUOTA_EXCEEDED', `${what === 'author' ? 'this author' : `org ${env.org}`} has reached its quota of ${q.messages} messages or ${q.bytes} bytes per ${Math.round(l.windowMs / 60_000)} min`, {
      details: { quota: what, messages: q.messages, bytes: q.bytes, windowMs: l.windowMs }
    })
  }

  return {
    limits,
    async precheck (env, authorKey) {
      if (UNQUOTED_KINDS.has(env.kind)) return
      const l = limits()
      checkLifetime(env, l)
      const [a, o] = await windowsOf(env, authorKey, l)
      const e = { created: env.created, key: bytesKey(env.digest), bytes: env.bytes.length }
      if (!fits(a, e, l.perAuthor)) throw overQuota('author', env, l)
      if (!fits(o, e, l.perOrg)) throw overQuota('org', env, l)
    },
    async reserve (env, authorKey) {
      if (UNQUOTED_KINDS.has(env.kind)) return undefined
      const l = limits()
      checkLifetime(env, l)
      const [a, o, keys] = await windowsOf(env, authorKey, l)
      // From here to the end: no await, so no other ingest sees a half-taken place.
      const e: Entry = { created: env.created, key: bytesKey(env.digest), bytes: env.bytes.length, digest: env.digest }
      if (!fits(a, e, l.perAuthor)) throw overQuota('author', env, l)
      if (!fits(o, e, l.perOrg)) throw overQuota('org', env, l)
      insert(a, e)
      insert(o, e)
      // What no longer fits after it, in either window, leaves both.
      const evicted = new Map<string, Entry>()
      for (const [w, limit] of [[a, l.perAuthor], [o, l.perOrg]] as const) {
        if (within(w, limit)) continue
        for (const x of w.entries.slice(admissiblePrefix(w.entries, limit))) evicted.set(x.key, x)
      }
      for (const x of evicted.values()) {
        if (pending.has(x.key)) pending.set(x.key, true)
        remove(a, x); remove(o, x)
        // An entry evicted from the org window may belong to another author's window.
        for (const w of windows.values()) if (w !== a && w !== o) remove(w, x)
      }
      pending.set(e.key, false)
      return {
        evict: [...evicted.values()].map(x => x.digest),
        release: () => { pending.delete(e.key); remove(windows.get(keys.author), e); remove(windows.get(keys.org), e) },
        settle: () => { const evictedMeanwhile = pending.get(e.key) === true; pending.delete(e.key); return evictedMeanwhile }
      }
    }
  }
}
