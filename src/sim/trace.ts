/**
 * The event trace of a run: one line per event, `T NODE EVENT DETAIL`, T in ms from the
 * scenario's start. Its sha2-256 is the run's fingerprint: the same scenario and seed give
 * the same bytes, so the same hash (what `c5mesh sim` prints and the determinism test
 * checks). Lines are kept only when asked (`--out` writes them to trace.log).
 */
import { createHash, type Hash } from 'node:crypto'

export class Trace {
  readonly #hash: Hash = createHash('sha256')
  readonly #lines: string[] | undefined
  readonly #t0: number
  readonly #now: () => number
  #count = 0

  constructor (now: () => number, t0: number, keepLines: boolean) {
    this.#now = now
    this.#t0 = t0
    this.#lines = keepLines ? [] : undefined
  }

  add (node: string, event: string, detail = ''): void {
    const line = `${this.#now() - this.#t0} ${node} ${event}${detail === '' ? '' : ' ' + detail}\n`
    this.#hash.update(line)
    this.#lines?.push(line)
    this.#count++
  }

  get count (): number { return this.#count }
  /** The lines so far (empty when not kept). */
  text (): string { return this.#lines?.join('') ?? '' }
  /** Hex sha2-256 of every line; call once, at the end. */
  digest (): string { return this.#hash.digest('hex') }
}
