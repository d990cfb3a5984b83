/**
 * Offers that did not fit in the outgoing queue (docs/protocol/sync.md §4.6): the rest of a
 * round's `have` list or of a large WANT, and messages a more urgent one displaced. They
 * are fed to the queue, most urgent first, as it drains — so a catch-up of a whole store
 * is one reconciliation round, not one round per queueful (each round over a large store
 * costs both sides an item table and, for a large difference, megabytes of id lists ahead
 * of every MSG, flash alerts included).
 *
 * Bounded (`max` entries, ~100 B each); past it the session reconciles again after the
 * drain, which finds what is still missing.
 */
import { precedenceRank, type Precedence } from '../envelope/types.js'

export interface BacklogEntry { id: Uint8Array, key: string, precedence: Precedence, created: number }

export class OfferBacklog {
  readonly max: number
  #items: BacklogEntry[] = []
  #head = 0
  #sorted = true
  readonly #keys = new Set<string>()

  constructor (max: number) { this.max = max }

  get size (): number { return this.#keys.size }

  /** False when full (the caller reconciles again later); an entry already held is a no-op. */
  add (e: BacklogEntry): boolean {
    if (this.#keys.has(e.key)) return true
    if (this.#keys.size >= this.max) return false
    const last = this.#items[this.#items.length - 1]
    if (last !== undefined && this.#items.length > this.#head && before(e, last)) this.#sorted = false
    this.#items.push(e)
    this.#keys.add(e.key)
    return true
  }

  /** The most urgent (then oldest) entry, removed. */
  take (): BacklogEntry | undefined {
    if (this.#head >= this.#items.length) return undefined
    if (!this.#sorted) {
      const rest = this.#items.slice(this.#head).sort((a, b) => before(a, b) ? -1 : before(b, a) ? 1 : 0)
      this.#items = rest
      this.#head = 0
      this.#sorted = true
    }
    const e = this.#items[this.#head++]
    this.#keys.delete(e.key)
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return e
  }

  clear (): void {
    this.#items = []
    this.#head = 0
    this.#sorted = true
    this.#keys.clear()
  }
}

function before (a: BacklogEntry, b: BacklogEntry): boolean {
  const ra = precedenceRank(a.precedence)
  const rb = precedenceRank(b.precedence)
  return ra !== rb ? ra < rb : a.created < b.created
}
