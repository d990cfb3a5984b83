/**
 * The one compliance suite every Link adapter runs (memory, libp2p stream; KISS radio and
 * bundle files later). Contract: src/links/types.ts and docs/protocol/links.md §1.
 *
 * Usage, in test/links/<adapter>.test.ts:
 *   runLinkCompliance('memory', async () => { const [a, b] = memoryLinkPair(); return { a, b, cleanup: async () => {} } })
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { isC5Error, type ErrorCode } from '../../src/errors.js'
import type { Link } from '../../src/links/types.js'

export interface LinkPair {
  a: Link
  b: Link
  /** Releases what makePair created (nodes, streams). Called after every case, even a failed one. */
  cleanup: () => Promise<void>
  /** Keys of the two ends when the adapter authenticates: a.remoteKey must equal keyB, b.remoteKey keyA. */
  keyA?: Uint8Array
  keyB?: Uint8Array
}

export interface ComplianceOptions {
  /** fast-check runs of the ordering property (each makes a fresh pair). Default 25. */
  propertyRuns?: number
  /** Largest-size frames pushed in the backpressure case; must exceed what the adapter buffers. Default 64. */
  backpressureFrames?: number
  /** How long a send may stay pending before the backpressure case calls it stalled. Default 250 ms. */
  stallMs?: number
  /** Most bytes the adapter may accept without a reader (its documented buffering). Default: not checked. */
  maxBufferedBytes?: number
  /** Called with what the backpressure case measured (for reports). */
  onBackpressure?: (m: { acceptedFrames: number, acceptedBytes: number }) => void
  /**
   * 'shared' for links on a shared medium (radio, docs/protocol/links.md §1.1): the far end
   * cannot hold a sender back over the air, so rule L4 becomes L4': a receiver that does not
   * read holds at most `maxBufferedBytes` and then both sides see LINK_ABORTED (the sender's
   * own bound, its queue for the air, is tested by the adapter on a slow channel).
   */
  medium?: 'stream' | 'shared'
}

async function expectCode (p: Promise<unknown>, code: ErrorCode): Promise<unknown> {
  try {
    await p
  } catch (err) {
    if (!isC5Error(err, code)) throw new Error(`expected C5Error ${code}, got ${String((err as { code?: string })?.code ?? err)}`, { cause: err })
    return err
  }
  throw new Error(`expected C5Error ${code}, but it resolved`)
}

/** Reads exactly n frames from an iterator that stays usable afterwards. */
async function take (it: AsyncIterator<Uint8Array>, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  while (out.length < n) {
    const r = await it.next()
    if (r.done === true) throw new Error(`frames ended after ${out.length} of ${n}`)
    out.push(r.value)
  }
  return out
}

async function drain (it: AsyncIterator<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  while (true) {
    const r = await it.next()
    if (r.done === true) return out
    out.push(r.value)
  }
}

async function sendAll (link: Link, frames: Uint8Array[]): Promise<void> {
  for (const f of frames) await link.send(f)
}

function filled (n: number, seed: number): Uint8Array {
  const f = new Uint8Array(n)
  for (let i = 0; i < n; i++) f[i] = (i * 31 + seed) & 0xff
  return f
}

/** Resolves true if `p` settles within ms, false otherwise (a watchdog, not a delay: p keeps running). */
async function settlesWithin (p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>(resolve => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([p.then(() => true, () => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

export function runLinkCompliance (name: string, makePair: () => Promise<LinkPair>, options: ComplianceOptions = {}): void {
  const propertyRuns = options.propertyRuns ?? 25
  const backpressureFrames = options.backpressureFrames ?? 64
  const stallMs = options.stallMs ?? 250

  async function withPair (fn: (p: LinkPair) => Promise<void>): Promise<void> {
    const pair = await makePair()
    try {
      await fn(pair)
    } finally {
      await pair.cleanup()
    }
  }

  describe(`Link compliance: ${name}`, () => {
    it('delivers frames in order and byte-exact, both directions at once (property)', async () => {
      const probe = await makePair()
      const max = probe.a.maxFrameBytes
      await probe.cleanup()
      const frame = fc.oneof(
        { weight: 6, arbitrary: fc.uint8Array({ maxLength: 300 }) },
        { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
        { weight: 1, arbitrary: fc.uint8Array({ minLength: max, maxLength: max }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max }).map(n => filled(n, n)) }
      )
      await fc.assert(fc.asyncProperty(fc.array(frame, { maxLength: 24 }), fc.array(frame, { maxLength: 24 }), async (fromA, fromB) => {
        await withPair(async ({ a, b }) => {
          const itA = a.frames()[Symbol.asyncIterator]()
          const itB = b.frames()[Symbol.asyncIterator]()
          const [gotAtB, gotAtA] = await Promise.all([take(itB, fromA.length), take(itA, fromB.length), sendAll(a, fromA), sendAll(b, fromB)])
          expect(gotAtB.map(x => Buffer.from(x).toString('hex'))).toEqual(fromA.map(x => Buffer.from(x).toString('hex')))
          expect(gotAtA.map(x => Buffer.from(x).toString('hex'))).toEqual(fromB.map(x => Buffer.from(x).toString('hex')))
          for (const f of gotAtB) expect(f).toBeInstanceOf(Uint8Array)
          await a.close()
          expect(await drain(itB)).toEqual([])
          expect(await drain(itA)).toEqual([])
        })
      }), { numRuns: propertyRuns })
    })

    it('a frame sent is a copy: mutating the buffer after send does not change what arrives', async () => {
      await withPair(async ({ a, b }) => {
        const it = b.frames()[Symbol.asyncIterator]()
        const f = Uint8Array.from([1, 2, 3])
        await a.send(f)
        f[0] = 9
        const [got] = await take(it, 1)
        expect(Array.from(got)).toEqual([1, 2, 3])
      })
    })

    it('refuses an oversize frame with LINK_FRAME_TOO_LARGE and stays usable', async () => {
      await withPair(async ({ a, b }) => {
        const it = b.frames()[Symbol.asyncIterator]()
        await expectCode(a.send(new Uint8Array(a.maxFrameBytes + 1)), 'LINK_FRAME_TOO_LARGE')
        expect(a.closed).toBe(false)
        const exact = filled(a.maxFrameBytes, 7)
        await a.send(Uint8Array.of(42))
        await a.send(exact)
        const got = await take(it, 2)
        expect(Array.from(got[0])).toEqual([42])
        expect(Buffer.from(got[1]).equals(Buffer.from(exact))).toBe(true)
      })
    })

    it('close: the other side gets everything already sent, then frames() ends; both sides end', async () => {
      await withPair(async ({ a, b }) => {
        const itA = a.frames()[Symbol.asyncIterator]()
        const itB = b.frames()[Symbol.asyncIterator]()
        const sent = Array.from({ length: 20 }, (_, i) => filled(1 + i * 97 % a.maxFrameBytes, i))
        const reading = drain(itB)
        await sendAll(a, sent)
        await a.close()
        expect(a.closed).toBe(true)
        const got = await reading
        expect(got.map(x => Buffer.from(x).toString('hex'))).toEqual(sent.map(x => Buffer.from(x).toString('hex')))
        expect(b.closed).toBe(true)
        expect(await drain(itA)).toEqual([])
      })
    })

    it('close delivers what the other side sent before it saw the close', async () => {
      await withPair(async ({ a, b }) => {
        const itA = a.frames()[Symbol.asyncIterator]()
        const itB = b.frames()[Symbol.asyncIterator]()
        await b.send(Uint8Array.of(1))
        await b.send(Uint8Array.of(2))
        await a.close()
        expect(await drain(itB)).toEqual([])
        expect((await drain(itA)).map(f => Array.from(f))).toEqual([[1], [2]])
      })
    })

    it('send after close → LINK_CLOSED, on the closing side and, once it has seen the end, on the other', async () => {
      await withPair(async ({ a, b }) => {
        const itB = b.frames()[Symbol.asyncIterator]()
        await a.close()
        await a.close() // idempotent
        await expectCode(a.send(Uint8Array.of(1)), 'LINK_CLOSED')
        await drain(itB)
        expect(b.closed).toBe(true)
        await expectCode(b.send(Uint8Array.of(1)), 'LINK_CLOSED')
      })
    })

    it('abort: both sides see LINK_ABORTED; sends then fail with LINK_CLOSED', async () => {
      await withPair(async ({ a, b }) => {
        const itA = a.frames()[Symbol.asyncIterator]()
        const itB = b.frames()[Symbol.asyncIterator]()
        await a.send(Uint8Array.of(1))
        await take(itB, 1)
        a.abort(new Error('test abort'))
        expect(a.closed).toBe(true)
        await expectCode(drain(itB), 'LINK_ABORTED')
        await expectCode(drain(itA), 'LINK_ABORTED')
        expect(b.closed).toBe(true)
        await expectCode(a.send(Uint8Array.of(2)), 'LINK_CLOSED')
        await expectCode(b.send(Uint8Array.of(2)), 'LINK_CLOSED')
      })
    })

    if (options.medium === 'shared') {
      it('L4\' (shared medium): a receiver that does not read overruns a bounded buffer, and both sides see LINK_ABORTED', async () => {
        await withPair(async ({ a, b }) => {
          const size = a.maxFrameBytes
          const limit = options.maxBufferedBytes ?? Infinity
          const itA = a.frames()[Symbol.asyncIterator]()
          let sent = 0
          // Keep sending, never reading on b, until the link gives up (bounded: the limit plus slack).
          while (!a.closed && sent * size < limit * 4 + size * 8) {
            try { await a.send(filled(size, sent)) } catch (e) { expect(isC5Error(e, 'LINK_CLOSED')).toBe(true); break }
            sent++
            await new Promise(resolve => setTimeout(resolve, 1))
          }
          await expectCode(drain(b.frames()[Symbol.asyncIterator]()), 'LINK_ABORTED')
          await expectCode(drain(itA), 'LINK_ABORTED')
          expect(a.closed && b.closed).toBe(true)
          options.onBackpressure?.({ acceptedFrames: sent, acceptedBytes: sent * size })
        })
      })
    } else {
    it('backpressure: a sender without a reader stalls after a bounded amount, then everything arrives in order', async () => {
      await withPair(async ({ a, b }) => {
        const size = a.maxFrameBytes
        let accepted = 0
        let stalledAt = -1
        let pending: Promise<void> | undefined
        for (let i = 0; i < backpressureFrames; i++) {
          pending = a.send(filled(size, i))
          if (!(await settlesWithin(pending, stallMs))) { stalledAt = i; break }
          await pending
          accepted++
        }
        // The link buffered a bounded number of frames, not all of them.
        expect(stalledAt).toBeGreaterThanOrEqual(0)
        expect(accepted).toBeLessThan(backpressureFrames)
        if (options.maxBufferedBytes !== undefined) expect(accepted * size).toBeLessThanOrEqual(options.maxBufferedBytes)
        options.onBackpressure?.({ acceptedFrames: accepted, acceptedBytes: accepted * size })
        const it = b.frames()[Symbol.asyncIterator]()
        const reading = take(it, backpressureFrames)
        await pending
        for (let i = stalledAt + 1; i < backpressureFrames; i++) await a.send(filled(size, i))
        const got = await reading
        for (let i = 0; i < backpressureFrames; i++) {
          expect(got[i].byteLength).toBe(size)
          expect(Buffer.from(got[i]).equals(Buffer.from(filled(size, i)))).toBe(true)
        }
      })
    })

    }

    it('reports remoteKey when the adapter authenticates, and a remote label', async () => {
      await withPair(async ({ a, b, keyA, keyB }) => {
        expect(typeof a.remote).toBe('string')
        expect(a.remote.length).toBeGreaterThan(0)
        if (keyA === undefined || keyB === undefined) {
          expect(a.remoteKey).toBeUndefined()
          expect(b.remoteKey).toBeUndefined()
        } else {
          expect(Buffer.from(a.remoteKey ?? []).toString('hex')).toBe(Buffer.from(keyB).toString('hex'))
          expect(Buffer.from(b.remoteKey ?? []).toString('hex')).toBe(Buffer.from(keyA).toString('hex'))
        }
      })
    })
  })
}
