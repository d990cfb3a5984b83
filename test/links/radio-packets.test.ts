import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { deflateRawSync } from 'node:zlib'
import { nextFragment, preparePacket, Reassembler } from '../../src/links/radio/packets.js'
import { decodeRadioFrame, encodeRadioFrame, dataHeaderBytes, type DataFrame } from '../../src/links/radio/frame.js'
import { ReceiveStream } from '../../src/links/radio/receive-stream.js'
import { BROADCAST_TAG, KIND_FRAME, MAX_GAP_FRAMES } from '../../src/links/radio/constants.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const ME = 0x0042

/** All frames of a packet, with consecutive seqs from `seq`. */
function framesOf (payload: Uint8Array, frameBytes: number, opts: { lane?: number, dst?: number, seq?: number } = {}): DataFrame[] {
  const p = preparePacket({ lane: opts.lane ?? 0, kind: KIND_FRAME, dst: opts.dst ?? BROADCAST_TAG, payload }, frameBytes)
  const out: DataFrame[] = []
  let seq = opts.seq ?? 0
  while (p.next < p.parts.length) { out.push({ ...nextFragment(p, 1, 0), seq: seq++ }); p.next++ }
  return out
}

describe('fragmentation (docs/protocol/links.md §7.4)', () => {
  it('every fragment fits the frame size, fragments are even, and they add up to the packet (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 32, max: 1023 }), (n, frameBytes) => {
      const payload = Uint8Array.from({ length: n }, (_, i) => (i * 7919) % 251) // barely compressible
      const frames = framesOf(payload, frameBytes)
      for (const f of frames) expect(encodeRadioFrame(f).length).toBeLessThanOrEqual(frameBytes)
      const sizes = frames.map(f => encodeRadioFrame(f).length)
      if (frames.length > 1) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(3)
      const r = new Reassembler(ME)
      const got = frames.map(f => r.push(decodeRadioFrame(encodeRadioFrame(f)) as DataFrame)).filter(x => x !== undefined)
      expect(got.length).toBe(1)
      expect(hex(got[0]!.payload)).toBe(hex(payload))
    }), { numRuns: 300 })
  })

  it('compresses when it saves bytes: a text alert of 367 bytes goes out in fewer', () => {
    const text = new TextEncoder().encode('Se reporta robo con violencia de vehiculo sedan color gris, placas YUC-123-A, visto por ultima vez en periferico norte con direccion a Progreso. Dos ocupantes armados. No intervenir; informar al C5 y a Guardia Nacional. '.repeat(2))
    const p = preparePacket({ lane: 1, kind: KIND_FRAME, dst: BROADCAST_TAG, payload: text }, 256)
    expect(p.compressed).toBe(true)
    expect(p.parts.reduce((n, x) => n + x.length, 0)).toBeLessThan(text.length * 0.7)
  })

  it('a more urgent packet interleaves with a less urgent one: each lane reassembles on its own', () => {
    const bulk = Uint8Array.from({ length: 900 }, (_, i) => (i * 31) % 256)
    const flash = Uint8Array.from({ length: 500 }, (_, i) => (i * 17) % 253)
    const b = framesOf(bulk, 128, { lane: 4 })
    const f = framesOf(flash, 128, { lane: 1 })
    const mixed = [b[0], b[1], ...f, ...b.slice(2)]
    const r = new Reassembler(ME)
    const got = mixed.map(x => r.push(x)).filter(x => x !== undefined)
    expect(got.map(p => hex(p!.payload))).toEqual([hex(flash), hex(bulk)])
  })

  it('skips a packet for another station without holding it', () => {
    const r = new Reassembler(ME)
    const frames = framesOf(new Uint8Array(3000).map((_, i) => i * 13), 256, { dst: 0x0099 })
    for (const f of frames.slice(0, -1)) { expect(r.push(f)).toBeUndefined(); expect(r.heldBytes).toBe(0) }
    expect(r.push(frames.at(-1)!)).toBeUndefined()
    expect(r.stats.skipped).toBe(1)
  })

  it('refuses a packet over its limit, and a DEFLATE bomb, without holding more than the limit', () => {
    const r = new Reassembler(ME, 2000)
    for (const f of framesOf(Uint8Array.from({ length: 2500 }, (_, i) => (i * 7919) % 251), 256)) { r.push(f); expect(r.heldBytes).toBeLessThanOrEqual(2000) }
    expect(r.stats.malformed).toBe(1)
    // 1 MB of zeros deflates to ~1 KB: it must not be inflated past the limit.
    const bomb = deflateRawSync(new Uint8Array(1_000_000))
    const frame: DataFrame = { type: 'data', src: 1, stream: 0, seq: 0, lane: 0, first: true, last: true, compressed: true, kind: KIND_FRAME, dst: BROADCAST_TAG, payload: new Uint8Array(bomb) }
    expect(bomb.length).toBeLessThan(2000)
    expect(r.push(frame)).toBeUndefined()
    expect(r.stats.malformed).toBe(2)
  })

  it('never throws and never holds more than one packet per lane on random and mutated frames (fuzz)', () => {
    const good = fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 4 }).map(ps => ps.flatMap((p, i) => framesOf(p, 64, { lane: i % 5 })).map(encodeRadioFrame))
    const mutated = fc.tuple(good, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 10 })).map(([fs, muts]) => {
      const out = fs.map(f => Uint8Array.from(f))
      for (const [i, at, v] of muts) if (out.length > 0) { const f = out[i % out.length]; f[at % f.length] = v }
      return out
    })
    const random = fc.array(fc.uint8Array({ minLength: 15, maxLength: 80 }).map(b => { b[0] = 0x10 | (b[0] & 1); return b }), { maxLength: 30 })
    fc.assert(fc.property(fc.oneof(mutated, random), frames => {
      const r = new Reassembler(ME, 1500)
      for (const bytes of frames) {
        let f
        try { f = decodeRadioFrame(bytes) } catch { continue }
        if (f.type !== 'data') continue
        const p = r.push(f)
        if (p !== undefined) expect(p.payload.length).toBeLessThanOrEqual(1500)
        expect(r.heldBytes).toBeLessThanOrEqual(5 * 1500)
      }
    }), { numRuns: 500 })
  })
})

describe('receive stream: frames back in seq order (docs/protocol/links.md §7.6)', () => {
  const frame = (seq: number, stream = 9): DataFrame => ({ type: 'data', src: 1, stream, seq: seq & 0xffff, lane: 0, first: true, last: true, compressed: false, kind: 0, dst: BROADCAST_TAG, payload: Uint8Array.of(seq & 0xff, (seq >> 8) & 0xff) })

  it('delivers each frame once and in order whatever the loss, duplication and reordering, once gaps are repaired (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 120 }), fc.array(fc.nat(), { minLength: 1, maxLength: 400 }), (start, n, noise) => {
      const s = new ReceiveStream()
      const seqs = Array.from({ length: n }, (_, i) => start + i)
      const delivered: number[] = []
      const take = (r: { deliver: DataFrame[] }): void => { for (const f of r.deliver) delivered.push(f.seq) }
      take(s.accept(frame(seqs[0])))
      // A noisy first pass: some frames lost, some twice, out of order within a window.
      for (let i = 0; i < noise.length; i++) {
        const k = noise[i] % n
        if (noise[i] % 3 === 0) continue
        take(s.accept(frame(seqs[k])))
      }
      // Repair: what the NACKs list is sent again, until nothing is missing; then the tail (STATUS).
      take(s.onStatus(9, (start + n) & 0xffff, start & 0xffff))
      for (let round = 0; round < 50 && s.hasGaps; round++) {
        for (const [first, count] of s.missing()) for (let j = 0; j < count; j++) take(s.accept(frame(first + j)))
      }
      expect(delivered).toEqual(seqs.map(x => x & 0xffff))
    }), { numRuns: 300 })
  })

  it('a STATUS reveals a lost tail; frames the sender no longer holds are skipped (broken)', () => {
    const s = new ReceiveStream()
    s.accept(frame(100))
    expect(s.onStatus(9, 104, 100).broken).toBe(false)
    expect(s.missing()).toEqual([[101, 3]])
    s.accept(frame(103))
    const r = s.onStatus(9, 104, 103)
    expect(r.broken).toBe(true)
    expect(r.deliver.map(f => f.seq)).toEqual([103])
    expect(s.hasGaps).toBe(false)
    expect(s.stats.skipped).toBe(2)
  })

  it('another stream byte, or a jump beyond MAX_GAP_FRAMES, is a restart (broken), not a gap to NACK', () => {
    const s = new ReceiveStream()
    s.accept(frame(10))
    expect(s.accept(frame(11, 10)).broken).toBe(true)
    expect(s.accept(frame(12 + MAX_GAP_FRAMES + 1, 10)).broken).toBe(true)
    expect(s.hasGaps).toBe(false)
  })

  it('holds at most its reorder budget past a gap', () => {
    const s = new ReceiveStream(10)
    s.accept(frame(0))
    for (let i = 2; i < 20; i++) s.accept(frame(i))
    expect(s.heldBytes).toBeLessThanOrEqual(10)
    expect(s.stats.overflow).toBeGreaterThan(0)
  })
})

describe('first-fragment header size', () => {
  it('is 9 bytes, later ones 7', () => { expect([dataHeaderBytes(true), dataHeaderBytes(false)]).toEqual([9, 7]) })
})
