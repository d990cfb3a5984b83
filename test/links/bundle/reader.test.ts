/**
 * The bundle reader on real bundle bytes: round trips, and damage of every kind — cut at
 * any byte, bytes flipped, random garbage, crafted lengths. It never throws anything but a
 * C5Error refusing the header, never holds more than one record and a chunk, and yields
 * every record the damage did not touch.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { isC5Error } from '../../../src/errors.js'
import { openBundle, RECORD_MAX_BYTES, type BundleEnd } from '../../../src/links/bundle/index.js'
import { chunked, rawBundle } from './helpers.js'

interface Read { records: Uint8Array[], offsets: number[], damage: number, end?: BundleEnd, error?: string, maxBuffered: number }

async function read (bytes: Uint8Array, chunk = 4096): Promise<Read> {
  try {
    const r = await openBundle(chunked(bytes, chunk))
    const out: Read = { records: [], offsets: [], damage: 0, maxBuffered: 0 }
    for await (const ev of r.events()) {
      if (ev.type === 'record') { out.records.push(ev.bytes); out.offsets.push(ev.offset) } else out.damage++
    }
    out.end = r.end()
    out.maxBuffered = r.stats().maxBufferedBytes
    return out
  } catch (err) {
    if (!isC5Error(err)) throw err
    return { records: [], offsets: [], damage: 0, error: err.code, maxBuffered: 0 }
  }
}

const payloads = (n: number, size = 120): Uint8Array[] => Array.from({ length: n }, (_, i) => Uint8Array.from(randomBytes(size + (i % 7) * 13)))
const hexes = (xs: Uint8Array[]): string[] => xs.map(x => Buffer.from(x).toString('hex'))

describe('bundle reader', () => {
  it('reads back every record of a bundle, intact, whatever the chunk size', async () => {
    const ps = payloads(50)
    const bytes = await rawBundle(ps)
    for (const chunk of [1, 7, 100, 4096, 1 << 20]) {
      const r = await read(bytes, chunk)
      expect(hexes(r.records)).toEqual(hexes(ps))
      expect(r.end).toMatchObject({ complete: true, truncated: false, intact: true, records: 50, damagedBytes: 0 })
    }
  })

  it('an empty bundle (no records) is intact', async () => {
    const r = await read(await rawBundle([]))
    expect(r.end).toMatchObject({ complete: true, intact: true, records: 0 })
  })

  it('refuses empty, foreign, too-new and cut-in-header files with one code each', async () => {
    const good = await rawBundle(payloads(2))
    expect((await read(new Uint8Array(0))).error).toBe('BUNDLE_EMPTY')
    expect((await read(new TextEncoder().encode('PK\u0003\u0004 a zip file'))).error).toBe('BUNDLE_FOREIGN')
    expect((await read(new TextEncoder().encode('C5MM\u0001manifest'))).error).toBe('BUNDLE_FOREIGN')
    const v2 = good.slice(); v2[4] = 2
    expect((await read(v2)).error).toBe('BUNDLE_BAD_VERSION')
    for (const cut of [1, 3, 4, 5, 6, 40, 100]) expect((await read(good.subarray(0, cut))).error, `cut ${cut}`).toBe('BUNDLE_TRUNCATED')
  })

  it('cut at every byte: every record before the cut is read, the rest reported truncated', async () => {
    const ps = payloads(6, 40)
    const bytes = await rawBundle(ps)
    const whole = await read(bytes)
    const headerEnd = whole.offsets[0]
    const ends = whole.offsets.map((o, i) => o + 1 + 1 + 4 + ps[i].length) // marker, 1-byte length, tag
    for (let cut = headerEnd; cut < bytes.length; cut++) {
      const r = await read(bytes.subarray(0, cut), 16)
      const expected = ends.filter(e => e <= cut).length
      expect(r.records.length, `cut at ${cut}`).toBe(expected)
      expect(hexes(r.records)).toEqual(hexes(ps.slice(0, expected)))
      expect(r.end?.truncated, `cut at ${cut}`).toBe(true)
      expect(r.end?.intact).toBe(false)
    }
  })

  it('one flipped byte anywhere after the header: every untouched record is read, the file is not intact', async () => {
    const ps = payloads(8, 60)
    const bytes = await rawBundle(ps)
    const whole = await read(bytes)
    const spans = whole.offsets.map((o, i) => [o, o + 5 + (ps[i].length < 128 ? 1 : 2) + ps[i].length])
    for (let at = whole.offsets[0]; at < bytes.length; at++) {
      const bad = bytes.slice()
      bad[at] ^= 0x5a
      const r = await read(bad, 64)
      const untouched = ps.filter((_, i) => at < spans[i][0] || at >= spans[i][1])
      const got = new Set(hexes(r.records))
      for (const h of hexes(untouched)) expect(got.has(h), `flip at ${at}`).toBe(true)
      expect(r.end?.intact, `flip at ${at}`).toBe(false)
    }
  })

  it('a flipped header byte is refused or fails the header signature check', async () => {
    const bytes = await rawBundle(payloads(2))
    const headerEnd = (await read(bytes)).offsets[0]
    for (let at = 0; at < headerEnd; at++) {
      const bad = bytes.slice()
      bad[at] ^= 0x01
      try {
        const r = await openBundle(chunked(bad))
        expect(r.headerSignatureValid, `flip at ${at}`).toBe(false)
        await r.close()
      } catch (err) {
        expect(isC5Error(err), `flip at ${at}`).toBe(true)
      }
    }
  })

  it('fuzz: random bytes and mutated bundles never crash it nor grow its buffer past one record and a chunk', async () => {
    const base = await rawBundle(payloads(20, 200))
    const chunk = 1024
    const bound = RECORD_MAX_BYTES + 64 + 2 * chunk
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 3000 }),
        fc.uint8Array({ minLength: 0, maxLength: 3000 }).map(b => { const o = new Uint8Array(5 + b.length); o.set(base.subarray(0, 5)); o.set(b, 5); return o }),
        fc.tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 12 }), fc.nat(base.length))
          .map(([edits, cut]) => { const o = base.slice(0, Math.max(cut, 1)); for (const [at, v] of edits) if (at < o.length) o[at] = v; return o })
      ),
      async bytes => {
        const r = await read(bytes, chunk)
        expect(r.maxBuffered).toBeLessThanOrEqual(bound)
      }
    ), { numRuns: 400 })
  })

  it('crafted lengths claiming the largest record at every byte: bounded memory and hashing, then it gives up', async () => {
    const head = (await rawBundle([])).subarray(0, -(2 + 1 + 32 + 64)) // header only
    // Every 5 bytes a marker and a near-maximal length with a wrong tag: each is a candidate.
    const unit = Uint8Array.of(0xc5, 0xff, 0xbf, 0x0e, 0x00)
    const body = new Uint8Array(RECORD_MAX_BYTES * 3)
    for (let o = 0; o + unit.length <= body.length; o += unit.length) body.set(unit, o)
    const bytes = new Uint8Array(head.length + body.length)
    bytes.set(head); bytes.set(body, head.length)
    const reader = await openBundle(chunked(bytes, 65536), { resyncHashBudgetBytes: 8 * 1024 * 1024 })
    const t0 = performance.now()
    let damage = 0
    for await (const ev of reader.events()) if (ev.type === 'damage') damage++
    expect(reader.end()).toMatchObject({ intact: false, records: 0 })
    expect(damage).toBeGreaterThan(0)
    expect(reader.stats().resyncHashedBytes).toBeLessThan(8 * 1024 * 1024 + RECORD_MAX_BYTES)
    expect(reader.stats().maxBufferedBytes).toBeLessThan(RECORD_MAX_BYTES + 3 * 65536 + 100)
    expect(performance.now() - t0).toBeLessThan(20_000)
  })

  it('a record after a damaged stretch is found again (resynchronisation)', async () => {
    const ps = payloads(3, 80)
    const bytes = await rawBundle(ps)
    const whole = await read(bytes)
    // Garbage inserted between record 0 and record 1.
    const at = whole.offsets[1]
    const garbage = Uint8Array.from(randomBytes(500))
    const bad = new Uint8Array(bytes.length + garbage.length)
    bad.set(bytes.subarray(0, at)); bad.set(garbage, at); bad.set(bytes.subarray(at), at + garbage.length)
    const r = await read(bad, 97)
    expect(hexes(r.records)).toEqual(hexes(ps))
    expect(r.damage).toBe(1)
    expect(r.end).toMatchObject({ complete: true, intact: false, damagedBytes: 500 })
  })
})
