/**
 * The streaming bundle reader (docs/protocol/bundle.md §5). Reads any byte source in
 * chunks and yields the records it can prove, with memory bounded by the largest record
 * plus one chunk, whatever the file holds:
 *
 *   - a record is accepted only when its tag matches the sha2-256 of its envelope;
 *   - a damaged stretch (bad marker, length or tag) is skipped byte by byte until the next
 *     provable record or the end, and reported as one `damage` event;
 *   - the end marker counts only when a well-formed trailer follows and the file ends there;
 *   - a file that ends early is reported truncated; everything before it was yielded.
 *
 * The records digest, count and trailer signature then say whether the file is exactly
 * what its exporter signed (`intact`).
 */
import { createHash, type Hash } from 'node:crypto'
import { C5Error } from '../../errors.js'
import { RECORD_MARKER, RECORD_MAX_BYTES, RECORD_TAG_BYTES, RESYNC_HASH_BUDGET_BYTES } from './constants.js'
import { decodeHeader, headerLength, readTrailerAt, readVarintAt, sha256, verifyHeader, verifyTrailer, type DecodedHeader, type Trailer } from './format.js'

export type BundleEvent =
  | { type: 'record', bytes: Uint8Array, digest: Uint8Array, offset: number }
  | { type: 'damage', offset: number, length: number, message: string }

export interface BundleEnd {
  /** The end marker and a whole trailer were found, and the file ends right after them. */
  complete: boolean
  /** The file ends before its end marker or inside its trailer. */
  truncated: boolean
  trailer?: Trailer
  /** Complete, no damage, record count and digest as signed, trailer signature valid. */
  intact: boolean
  records: number
  damagedBytes: number
  /** Why the file is not intact, in one sentence (undefined when intact). */
  problem?: string
}

export interface ReaderStats {
  bytesRead: number
  /** Most bytes held at once (the memory bound: largest record + one chunk). */
  maxBufferedBytes: number
  /** Bytes hashed while looking for the next record in damaged stretches. */
  resyncHashedBytes: number
}

export interface BundleReader {
  header: DecodedHeader
  /** Whether the header's signature verifies for the exporter key it names. */
  headerSignatureValid: boolean
  /** Records and damage, in file order. One pass only. */
  events: () => AsyncGenerator<BundleEvent>
  /** After `events()` is exhausted. */
  end: () => BundleEnd
  stats: () => ReaderStats
  /** Stops reading (closes the source). */
  close: () => Promise<void>
}

export interface ReaderOptions {
  /** Name of the file in error messages. */
  name?: string
  resyncHashBudgetBytes?: number
}

/** A window over a chunked source: bytes are appended as needed and dropped once consumed. */
class Input {
  buf = new Uint8Array(0)
  start = 0
  stop = 0
  eof = false
  /** Absolute offset of buf[start]. */
  offset = 0
  maxBuffered = 0
  hash: Hash | undefined

  constructor (private readonly it: AsyncIterator<Uint8Array>) {}

  get length (): number { return this.stop - this.start }
  at (i: number): number { return this.buf[this.start + i] }
  view (i: number, n: number): Uint8Array { return this.buf.subarray(this.start + i, this.start + i + n) }

  /** True when at least `n` bytes are buffered (reads more as needed); false at the end of the source. */
  async fill (n: number): Promise<boolean> {
    while (this.length < n && !this.eof) await this.pull()
    return this.length >= n
  }

  private async pull (): Promise<void> {
    let r: IteratorResult<Uint8Array>
    try {
      r = await this.it.next()
    } catch (err) {
      if (err instanceof C5Error) throw err
      throw new C5Error('BUNDLE_UNREADABLE', `reading stopped after ${this.offset + this.length} bytes (${(err as Error)?.message ?? String(err)})`, { cause: err })
    }
    if (r.done === true) { this.eof = true; return }
    const chunk = r.value
    if (!(chunk instanceof Uint8Array)) throw new C5Error('BUNDLE_UNREADABLE', 'the source gave something other than bytes')
    if (chunk.length === 0) return
    const live = this.length
    if (this.stop + chunk.length > this.buf.length) {
      if (live + chunk.length <= this.buf.length) {
        // Consumed bytes are dropped in place (records handed out are copies).
        this.buf.copyWithin(0, this.start, this.stop)
      } else {
        const next = new Uint8Array(Math.max(2 * this.buf.length, live + chunk.length))
        next.set(this.buf.subarray(this.start, this.stop))
        this.buf = next
      }
      this.start = 0
      this.stop = live
    }
    this.buf.set(chunk, this.stop)
    this.stop += chunk.length
    if (this.length > this.maxBuffered) this.maxBuffered = this.length
  }

  /** Drops `n` bytes (hashed into the records digest when one is running). */
  consume (n: number): void {
    if (this.hash !== undefined && n > 0) this.hash.update(this.view(0, n))
    this.start += n
    this.offset += n
  }

  /** Reads and drops everything up to the end of the source. */
  async drain (): Promise<number> {
    let n = 0
    for (;;) {
      n += this.length
      this.consume(this.length)
      if (this.eof) return n
      await this.pull()
    }
  }

  async close (): Promise<void> { await this.it.return?.() }
}

type Probe =
  | { kind: 'record', total: number, head: number, len: number, digest: Uint8Array }
  | { kind: 'end', total: number, trailer: Trailer }
  | { kind: 'bad', why: string }
  | { kind: 'truncated', why: string }
  | { kind: 'eof' }

export async function openBundle (source: AsyncIterable<Uint8Array>, options: ReaderOptions = {}): Promise<BundleReader> {
  const name = options.name ?? 'the file'
  const budget = options.resyncHashBudgetBytes ?? RESYNC_HASH_BUDGET_BYTES
  const input = new Input(source[Symbol.asyncIterator]())
  let header: DecodedHeader
  try {
    if (!await input.fill(1)) throw new C5Error('BUNDLE_EMPTY', `${name} is empty (0 bytes): not a bundle; was the copy interrupted?`)
    let total: number | 'short'
    for (;;) {
      total = headerLength(input.view(0, input.length), input.length, name)
      if (total !== 'short') break
      if (input.eof) throw new C5Error('BUNDLE_TRUNCATED', `${name} ends inside its header (${input.length} bytes): nothing to import`)
      await input.fill(input.length + 1)
    }
    if (!await input.fill(total)) throw new C5Error('BUNDLE_TRUNCATED', `${name} ends inside its header (${input.length} of ${total} bytes): nothing to import`)
    header = decodeHeader(input.view(0, total).slice())
    input.consume(total)
  } catch (err) {
    await input.close().catch(() => {})
    throw err
  }
  const headerSignatureValid = verifyHeader(header)
  let records = 0
  let damagedBytes = 0
  let resyncHashed = 0
  let result: BundleEnd | undefined

  /**
   * What starts at offset j of the window, from the bytes already there: `need` when more
   * must be read to tell (synchronous: a record already buffered costs no turn of the event
   * loop). `resync` counts the hashing against the budget.
   */
  function probeNow (j: number, resync: boolean): Probe | { kind: 'need', bytes: number } {
    const have = input.length
    const more = (n: number, otherwise: Probe): Probe | { kind: 'need', bytes: number } => input.eof ? otherwise : { kind: 'need', bytes: n }
    if (have < j + 1) return more(j + 1, { kind: 'eof' })
    if (input.at(j) !== RECORD_MARKER) return { kind: 'bad', why: 'no record marker' }
    const v = readVarintAt(input.buf, input.start + j + 1, input.stop)
    if (v === 'short') return more(have + 1, { kind: 'truncated', why: 'the file ends inside a record length' })
    if (v === 'bad') return { kind: 'bad', why: 'unreadable record length' }
    const [len, after] = v
    const head = after - input.start - j
    if (len === 0) {
      const t = readTrailerAt(input.buf, input.start + j + head, input.stop)
      if (t === 'short') return more(have + 1, { kind: 'truncated', why: 'the file ends inside its trailer' })
      if (t === 'bad') return { kind: 'bad', why: 'unreadable trailer' }
      const total = t.next - input.start - j
      // The end only if nothing follows: else a damaged length that happens to read 0.
      if (have > j + total) return { kind: 'bad', why: 'bytes after the trailer' }
      return more(j + total + 1, { kind: 'end', total, trailer: t.trailer })
    }
    if (len > RECORD_MAX_BYTES) return { kind: 'bad', why: `record length ${len} above ${RECORD_MAX_BYTES}` }
    const total = head + RECORD_TAG_BYTES + len
    if (have < j + total) return more(j + total, { kind: 'truncated', why: 'the file ends inside a record' })
    if (resync) resyncHashed += len
    const digest = sha256(input.view(j + head + RECORD_TAG_BYTES, len))
    const tag = input.view(j + head, RECORD_TAG_BYTES)
    for (let k = 0; k < RECORD_TAG_BYTES; k++) if (tag[k] !== digest[k]) return { kind: 'bad', why: 'record tag does not match its envelope' }
    return { kind: 'record', total, head, len, digest }
  }

  async function probe (j: number, resync: boolean): Promise<Probe> {
    for (;;) {
      const p = probeNow(j, resync)
      if (p.kind !== 'need') return p
      await input.fill(p.bytes)
    }
  }

  /** From a bad byte at offset 0: the next provable record or end, skipping what lies between. */
  async function resync (): Promise<{ found: Probe, skipped: number, gaveUp: boolean }> {
    let j = 1
    let skipped = 0
    for (;;) {
      if (resyncHashed > budget) {
        skipped += await input.drain()
        return { found: { kind: 'eof' }, skipped, gaveUp: true }
      }
      // Keep the window small: what lies behind the probe is damage already.
      if (j > 65_536) { input.consume(j); skipped += j; j = 0 }
      const p = await probe(j, true)
      if (p.kind === 'bad' || p.kind === 'truncated') { j++; continue }
      if (p.kind === 'eof') {
        skipped += input.length
        input.consume(input.length)
        return { found: p, skipped, gaveUp: false }
      }
      input.consume(j)
      return { found: p, skipped: skipped + j, gaveUp: false }
    }
  }

  function finish (complete: boolean, truncated: boolean, trailer: Trailer | undefined, digest: Uint8Array | undefined, why?: string): BundleEnd {
    let problem = why
    if (problem === undefined && trailer !== undefined && digest !== undefined) {
      if (trailer.count !== records) problem = `the trailer counts ${trailer.count} records, the file holds ${records}`
      else if (Buffer.compare(trailer.recordsDigest, digest) !== 0) problem = 'its records are not the ones its exporter signed (altered)'
      else if (!verifyTrailer(header, trailer)) problem = 'its trailer signature does not verify (altered)'
      else if (damagedBytes > 0) problem = `${damagedBytes} bytes are damaged`
    }
    const intact = complete && problem === undefined && damagedBytes === 0
    return { complete, truncated, ...(trailer === undefined ? {} : { trailer }), intact, records, damagedBytes, ...(intact ? {} : { problem: problem ?? 'damaged' }) }
  }

  async function * events (): AsyncGenerator<BundleEvent> {
    input.hash = createHash('sha256')
    try {
      let p = await probe(0, false)
      for (;;) {
        if (p.kind === 'record') {
          const bytes = input.view(p.head + RECORD_TAG_BYTES, p.len).slice()
          const offset = input.offset
          input.consume(p.total)
          records++
          yield { type: 'record', bytes, digest: p.digest, offset }
          const now = probeNow(0, false)
          p = now.kind === 'need' ? await probe(0, false) : now
        } else if (p.kind === 'end') {
          const digest = new Uint8Array(input.hash.digest())
          input.hash = undefined
          input.consume(p.total)
          result = finish(true, false, p.trailer, digest)
          return
        } else if (p.kind === 'eof') {
          result = finish(false, true, undefined, undefined, `the file ends after ${records} records, without its end marker (truncated)`)
          return
        } else {
          // A bad byte, or a record that seems to run past the end: a damaged length can
          // look like either, so look for provable records after it before calling it the end.
          const at = input.offset
          const r = await resync()
          damagedBytes += r.skipped
          if (r.found.kind === 'eof' && p.kind === 'truncated' && !r.gaveUp) {
            result = finish(false, true, undefined, undefined, `${p.why} after ${records} records (truncated)`)
            return
          }
          yield { type: 'damage', offset: at, length: r.skipped, message: r.gaveUp ? `${p.why}; gave up looking for more records (too much damage)` : p.why }
          p = r.found
        }
      }
    } finally {
      input.hash = undefined
      await input.close().catch(() => {})
    }
  }

  return {
    header,
    headerSignatureValid,
    events,
    end: () => {
      if (result === undefined) throw new C5Error('BUNDLE_UNREADABLE', 'end() before the records were read')
      return result
    },
    stats: () => ({ bytesRead: input.offset + input.length, maxBufferedBytes: input.maxBuffered, resyncHashedBytes: resyncHashed }),
    close: async () => { await input.close() }
  }
}
