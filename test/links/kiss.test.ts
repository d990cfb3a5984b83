import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { encodeKissFrame, escapedLength, KissDeframer, FEND, FESC, KISS_TXDELAY } from '../../src/links/kiss/kiss.js'
import { fcs16, frameAirtimeMs, hdlcFrameBits } from '../../src/links/kiss/airtime.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'))

describe('KISS framing (golden vectors, docs/protocol/links.md §7.1)', () => {
  const vectors: Array<[string, string, { port?: number, command?: number }]> = [
    ['01020304', 'c0 00 01020304 c0', {}],
    ['c0', 'c0 00 dbdc c0', {}],
    ['db', 'c0 00 dbdd c0', {}],
    ['00c0dbc000', 'c0 00 00 dbdc dbdd dbdc 00 c0', {}],
    ['11', 'c0 30 11 c0', { port: 3 }],
    ['1e', 'c0 01 1e c0', { command: KISS_TXDELAY }]
  ]
  for (const [data, wire, opts] of vectors) {
    it(`${data} → ${wire}`, () => {
      expect(hex(encodeKissFrame(bytes(data), opts))).toBe(wire.replace(/\s+/g, ''))
      const d = new KissDeframer(64)
      const [f] = d.push(bytes(wire))
      expect(hex(f.data)).toBe(data)
      expect(f.port).toBe(opts.port ?? 0)
      expect(f.command).toBe(opts.command ?? 0)
    })
  }

  it('escapedLength counts each FEND and FESC twice', () => {
    expect(escapedLength(Uint8Array.of(FEND, 1, FESC, FESC))).toBe(7)
  })

  it('round-trips any frames split anywhere (property)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), (frames, cuts) => {
      const wire = Buffer.concat(frames.map(f => encodeKissFrame(f)))
      const d = new KissDeframer(300)
      const got: Uint8Array[] = []
      let at = 0
      let i = 0
      while (at < wire.length) {
        const n = cuts[i++ % cuts.length]
        got.push(...d.push(wire.subarray(at, at + n)).map(f => f.data))
        at += n
      }
      expect(got.map(hex)).toEqual(frames.map(hex))
    }))
  })

  it('skips noise before the first FEND and empty frames used as sync', () => {
    const d = new KissDeframer(16)
    expect(d.push(bytes('41 42 43 c0 c0 c0 00 05 c0 c0')).map(f => hex(f.data))).toEqual(['05'])
  })

  it('drops an oversize frame without holding more than the limit, and goes on', () => {
    const d = new KissDeframer(4)
    const out = d.push(bytes('c0 00 0102030405 c0 00 0102 c0'))
    expect(out.map(f => hex(f.data))).toEqual(['0102'])
    expect(d.stats.oversize).toBe(1)
    // exactly the limit is fine
    expect(d.push(bytes('c0 00 01020304 c0')).map(f => hex(f.data))).toEqual(['01020304'])
  })

  it('drops a frame with a bad escape (FESC then neither TFEND nor TFESC)', () => {
    const d = new KissDeframer(16)
    const out = d.push(bytes('c0 00 01 db 41 02 c0 00 03 c0 00 04 db c0'))
    expect(out.map(f => hex(f.data))).toEqual(['03'])
    expect(d.stats.badEscape).toBe(2)
  })

  it('never throws and never holds more than maxFrameBytes + 1 on random or mutated input (fuzz)', () => {
    const valid = fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 6 }).map(fs => Buffer.concat(fs.map(f => encodeKissFrame(f))))
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 })).map(([w, muts]) => {
      const b = Uint8Array.from(w)
      for (const [at, v] of muts) if (b.length > 0) b[at % b.length] = v
      return b
    })
    const biased = fc.array(fc.constantFrom(FEND, FESC, 0xdc, 0xdd, 0x00, 0x41), { maxLength: 400 }).map(a => Uint8Array.from(a))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated, biased), fc.integer({ min: 1, max: 64 }), (input, max) => {
      const d = new KissDeframer(max)
      for (let at = 0; at < input.length; at += 7) {
        for (const f of d.push(input.subarray(at, at + 7))) {
          expect(f.data.length).toBeLessThanOrEqual(max)
          expect(f.port).toBeLessThan(16)
        }
        expect(d.pendingBytes).toBeLessThanOrEqual(max + 1)
      }
    }), { numRuns: 500 })
  })
})

describe('HDLC airtime (docs/protocol/links.md §7.3)', () => {
  it('FCS is CRC-16/X.25 (check value of "123456789" is 0x906E)', () => {
    expect(fcs16(new TextEncoder().encode('123456789'))).toBe(0x906e)
  })

  it('bit-stuffs after five 1s: 0xFF costs 8 bits + 1 stuffed bit on its own', () => {
    // 0x00 frame: 8 bits, FCS of [00] … count directly against a slow reference.
    const ref = (frame: Uint8Array): number => {
      const crc = fcs16(frame)
      const all = [...frame, crc & 0xff, crc >> 8]
      let bits = 16
      let run = 0
      for (const byte of all) for (let b = 0; b < 8; b++) { bits++; if ((byte >> b) & 1) { if (++run === 5) { bits++; run = 0 } } else run = 0 }
      return bits
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), f => { expect(hdlcFrameBits(f)).toBe(ref(f)) }))
    // 0x55 = 01010101 never stuffs (nor, here, does its FCS): flags + 258 bytes × 8.
    expect(hdlcFrameBits(new Uint8Array(256).fill(0x55))).toBe(16 + 258 * 8)
  })

  it('a 256-byte frame keys a 1200-baud transmitter for about 2.1 s with TXDELAY 300 ms, TXTAIL 100 ms (as measured with Direwolf)', () => {
    const ms = frameAirtimeMs(new Uint8Array(256).fill(0x55), { bitRate: 1200, txDelayMs: 300, txTailMs: 100 })
    expect(ms).toBeGreaterThan(2120)
    expect(ms).toBeLessThan(2150)
  })
})
