/**
 * A token bucket on an injected clock: the link's bandwidth budget (bytes/s) and the
 * per-peer receive rate (messages/s) (docs/protocol/sync.md §4.7 "Budget, rate limits, scoring").
 * A cost larger than the burst is allowed once the bucket is full and leaves it in debt,
 * so one big frame is never starved.
 */
import { C5Error } from '../errors.js'

export interface TokenBucketOptions {
  /** Tokens added per second; Infinity means unlimited. */
  ratePerS: number
  /** Most tokens held; also the starting amount. */
  burst: number
  now: () => number
}

export class TokenBucket {
  private tokens: number
  private last: number

  constructor (private readonly options: TokenBucketOptions) {
    const { ratePerS, burst } = options
    if (!(ratePerS > 0)) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'a rate must be positive', { details: { field: 'ratePerS' } })
    if (!(burst > 0) || !Number.isFinite(burst)) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'a burst must be positive and finite', { details: { field: 'burst' } })
    this.tokens = burst
    this.last = options.now()
  }

  get unlimited (): boolean { return this.options.ratePerS === Infinity }

  /** Milliseconds to wait before `cost` may be taken; 0 when it may be taken now. */
  delayFor (cost: number): number {
    if (this.unlimited) return 0
    this.refill()
    const needed = Math.min(cost, this.options.burst)
    if (this.tokens >= needed) return 0
    return Math.ceil((needed - this.tokens) / this.options.ratePerS * 1000)
  }

  /** Takes `cost` tokens (the bucket may go into debt). */
  take (cost: number): void {
    if (this.unlimited) return
    this.refill()
    this.tokens -= cost
  }

  private refill (): void {
    const now = this.options.now()
    const elapsedMs = Math.max(0, now - this.last)
    this.last = now
    this.tokens = Math.min(this.options.burst, this.tokens + elapsedMs * this.options.ratePerS / 1000)
  }
}
