/**
 * One sender's frames, put back in seq order (docs/protocol/links.md §7.6 "Loss"). Every
 * station numbers the DATA frames it transmits; a receiver hands them on in that order,
 * holds what arrives past a gap (bounded), and lists what is missing so the station can
 * NACK it. Pure: no timers, no I/O.
 */
import { MAX_GAP_FRAMES, MAX_NACK_RANGES, MAX_NACK_RUN, REORDER_BUFFER_BYTES } from './constants.js'
import { seqAdd, seqDiff, type DataFrame } from './frame.js'

export interface ReceiveResult {
  /** Frames now in order, to hand on. */
  deliver: DataFrame[]
  /**
   * The stream restarted (another stream byte, or a jump too far to be a gap) or frames were
   * skipped as lost beyond repair: what was being reassembled from this sender is void,
   * and links with it cannot trust their order.
   */
  broken: boolean
}

export interface ReceiveStreamStats {
  frames: number
  duplicates: number
  /** Frames dropped because the reorder buffer was full (NACKed again later). */
  overflow: number
  /** Frames declared lost beyond repair. */
  skipped: number
  restarts: number
}

export class ReceiveStream {
  stream = -1
  /** The next seq to hand on; undefined until the first frame. */
  expected: number | undefined
  readonly stats: ReceiveStreamStats = { frames: 0, duplicates: 0, overflow: 0, skipped: 0, restarts: 0 }
  #held = new Map<number, DataFrame>()
  #heldBytes = 0
  /** Highest seq seen (defines the end of the gaps). */
  #highest: number | undefined

  constructor (private readonly reorderBytes = REORDER_BUFFER_BYTES) {}

  get heldBytes (): number { return this.#heldBytes }
  /** True while frames are missing. */
  get hasGaps (): boolean { return this.#highest !== undefined && this.expected !== undefined && seqDiff(this.#highest, this.expected) >= 0 }

  accept (f: DataFrame): ReceiveResult {
    this.stats.frames++
    let broken = false
    if (this.expected === undefined || f.stream !== this.stream) {
      broken = this.expected !== undefined
      this.#restart(f.stream, f.seq)
    }
    let d = seqDiff(f.seq, this.expected!)
    if (d > MAX_GAP_FRAMES || d < -MAX_GAP_FRAMES) {
      // Too far to be a gap or a retransmission: the sender's counter moved on without us.
      this.#restart(f.stream, f.seq)
      broken = true
      d = 0
    }
    if (d < 0 || this.#held.has(f.seq)) {
      this.stats.duplicates++
      return { deliver: [], broken }
    }
    if (d > 0) {
      if (this.#heldBytes + f.payload.length > this.reorderBytes) {
        this.stats.overflow++
      } else {
        this.#held.set(f.seq, f)
        this.#heldBytes += f.payload.length
      }
      if (this.#highest === undefined || seqDiff(f.seq, this.#highest) > 0) this.#highest = f.seq
      return { deliver: [], broken }
    }
    const deliver = [f]
    this.expected = seqAdd(f.seq, 1)
    this.#drain(deliver)
    return { deliver, broken }
  }

  /**
   * The sender's STATUS: `next` is the seq of its next frame, `oldest` the oldest it still
   * holds. Frames below `next` not received are gaps; those below `oldest` are gone: they are
   * skipped (broken) and the held frames after them handed on.
   */
  onStatus (stream: number, next: number, oldest: number): ReceiveResult {
    if (this.expected === undefined || stream !== this.stream) {
      // We never heard this stream's frames: start at its next one.
      const broken = this.expected !== undefined
      this.#restart(stream, next)
      return { deliver: [], broken }
    }
    if (seqDiff(next, this.expected) > MAX_GAP_FRAMES || seqDiff(next, this.expected) < -MAX_GAP_FRAMES) {
      this.#restart(stream, next)
      return { deliver: [], broken: true }
    }
    const last = seqAdd(next, -1)
    if (seqDiff(next, this.expected) > 0 && (this.#highest === undefined || seqDiff(last, this.#highest) > 0)) this.#highest = last
    const deliver: DataFrame[] = []
    let broken = false
    if (seqDiff(oldest, this.expected) > 0 && seqDiff(oldest, next) <= 0) {
      this.stats.skipped += this.#countMissing(this.expected, oldest)
      broken = true
      for (const seq of [...this.#held.keys()]) if (seqDiff(seq, oldest) < 0) this.#drop(seq)
      this.expected = oldest
      this.#drain(deliver)
    }
    return { deliver, broken }
  }

  /**
   * Declares the frames up to the first one held (or up to `next` known) lost beyond repair:
   * hands on what follows. Used when NACKs went unanswered.
   */
  skipGap (): ReceiveResult {
    if (!this.hasGaps || this.expected === undefined) return { deliver: [], broken: false }
    let s = this.expected
    while (!this.#held.has(s) && seqDiff(s, this.#highest!) <= 0) { s = seqAdd(s, 1); this.stats.skipped++ }
    this.expected = s
    const deliver: DataFrame[] = []
    this.#drain(deliver)
    return { deliver, broken: true }
  }

  /** The missing seqs as NACK ranges [first, count] (at most MAX_NACK_RANGES). */
  missing (): Array<[number, number]> {
    const out: Array<[number, number]> = []
    if (!this.hasGaps || this.expected === undefined) return out
    let s = this.expected
    while (seqDiff(s, this.#highest!) <= 0 && out.length < MAX_NACK_RANGES) {
      if (this.#held.has(s)) { s = seqAdd(s, 1); continue }
      const start = s
      let n = 0
      while (n < MAX_NACK_RUN && seqDiff(s, this.#highest!) <= 0 && !this.#held.has(s)) { n++; s = seqAdd(s, 1) }
      out.push([start, n])
    }
    return out
  }

  #countMissing (from: number, to: number): number {
    let n = 0
    for (let s = from; seqDiff(s, to) < 0; s = seqAdd(s, 1)) if (!this.#held.has(s)) n++
    return n
  }

  #drain (out: DataFrame[]): void {
    for (;;) {
      const next = this.#held.get(this.expected!)
      if (next === undefined) break
      this.#drop(next.seq)
      out.push(next)
      this.expected = seqAdd(next.seq, 1)
    }
    if (this.#highest !== undefined && seqDiff(this.#highest, this.expected!) < 0) this.#highest = undefined
  }

  #drop (seq: number): void {
    const f = this.#held.get(seq)
    if (f === undefined) return
    this.#held.delete(seq)
    this.#heldBytes -= f.payload.length
  }

  #restart (stream: number, seq: number): void {
    if (this.expected !== undefined) this.stats.restarts++
    this.stream = stream
    this.expected = seq
    this.#held.clear()
    this.#heldBytes = 0
    this.#highest = undefined
  }
}
