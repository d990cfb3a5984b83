/**
 * The stream-link framing (docs/protocol/links.md §3): golden vectors and a property test of
 * the incremental decoder over arbitrary chunking.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { FrameDecoder, encodeVarint, varintLength } from '../../src/links/libp2p/index.js'
import { isC5Error } from '../../src/errors.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

function wire (frame: Uint8Array): Uint8Array {
  const p = encodeVarint(frame.byteLength)
  const out = new Uint8Array(p.byteLength + frame.byteLength)
  out.set(p)
  out.set(frame, p.byteLength)
  return out
}

function decodeAll (max: number, chunks: Uint8Array[]): Uint8Array[] {
  const d = new FrameDecoder(max)
  const out: Uint8Array[] = []
  for (const c of chunks) d.push(c, f => out.push(f))
  expect(d.partial).toBe(false)
  return out
}

// Golden vectors: frame → bytes on the stream (docs/protocol/links.md §3, "Examples").
const VECTORS: Array<[string, string]> = [
  ['', '00'],
  ['010203', '03010203'],
  ['c5'.repeat(127), '7f' + 'c5'.repeat(127)],
  ['c5'.repeat(128), '8001' + 'c5'.repeat(128)],
  ['00'.repeat(300), 'ac02' + '00'.repeat(300)]
]

const LENGTH_PREFIXES: Array<[number, string]> = [[0, '00'], [127, '7f'], [128, '8001'], [300, 'ac02'], [65_536, '808004'], [262_144, '808010'], [262_145, '818010'], [2 ** 30, '8080808004']]

describe('stream link framing', () => {
  it('golden vectors encode and decode', () => {
    for (const [frame, onWire] of VECTORS) {
      expect(hex(wire(unhex(frame)))).toBe(onWire)
      expect(decodeAll(1024, [unhex(onWire)]).map(hex)).toEqual([frame])
    }
  })

  it('length prefixes are unsigned LEB128 varints', () => {
    for (const [n, h] of LENGTH_PREFIXES) {
      expect(hex(encodeVarint(n))).toBe(h)
      expect(varintLength(n)).toBe(h.length / 2)
    }
    // 64-bit safe: a value above 2^31 and 2^32.
    expect(hex(encodeVarint(2 ** 33 + 5))).toBe('8580808020')
  })

  it('decodes any frames split at any points (property)', () => {
    const max = 2048
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: max }), { maxLength: 20 }),
      fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 50 }),
      (frames, cuts) => {
        const all = Buffer.concat(frames.map(wire))
        const chunks: Uint8Array[] = []
        let at = 0
        let i = 0
        while (at < all.length) {
          const n = cuts[i++ % cuts.length]
          chunks.push(new Uint8Array(all.subarray(at, at + n)))
          at += n
        }
        expect(decodeAll(max, chunks).map(hex)).toEqual(frames.map(hex))
      }
    ), { numRuns: 200 })
  })

  it('refuses a length above maxFrameBytes from the prefix alone (nothing allocated)', () => {
    const d = new FrameDecoder(262_144)
    expect(() => { d.push(unhex('818010'), () => {}) }).toThrow(expect.objectContaining({ code: 'LINK_FRAME_TOO_LARGE' }))
    const e = new FrameDecoder(262_144)
    let got = 0
    e.push(unhex('808010'), () => { got++ }) // exactly the max: accepted, waiting for the body
    expect(e.partial).toBe(true)
    expect(got).toBe(0)
  })

  it('refuses a prefix longer than maxFrameBytes needs, even if its value would be small', () => {
    const d = new FrameDecoder(262_144) // needs 3 prefix bytes
    try {
      d.push(unhex('80808000'), () => {})
      expect.unreachable()
    } catch (e) {
      expect(isC5Error(e, 'LINK_FRAME_TOO_LARGE')).toBe(true)
    }
  })

  it('partial is true inside a prefix or a body, false between frames', () => {
    const d = new FrameDecoder(1024)
    d.push(unhex('80'), () => {})
    expect(d.partial).toBe(true)
    d.push(unhex('01'), () => {})
    expect(d.partial).toBe(true) // inside a 128-byte body
    d.push(new Uint8Array(128), () => {})
    expect(d.partial).toBe(false)
  })
})
