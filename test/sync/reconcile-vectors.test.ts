/**
 * Golden vectors of docs/protocol/reconcile.md §Worked example: any change to the hashes,
 * the index sequence, the sketch, the batch policy or the message layout fails here.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createReconciler, encodeVarint, idFor, makeSets } from '../../src/sync/reconcile/index.js'
import { idWords, murmur32, nextIndex, nextState, SEED_CHECK_HI, SEED_CHECK_LO, SEED_INDEX, SEED_SKETCH } from '../../src/sync/reconcile/hash.js'
import { encodeMore } from '../../src/sync/reconcile/messages.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('reconcile golden vectors', () => {
  it('per-id hashes and the first indices of its sequence', () => {
    const id = idFor(99, 0)
    expect(hex(id)).toBe('93cd84d9ae3c2a3cffc1044b9a1a592475db614ccebfcc2494b735af032c7a62')
    const w = new Uint32Array(8)
    idWords(id, 0, w, 0)
    expect(murmur32(w, 0, SEED_CHECK_LO).toString(16)).toBe('41b3a776')
    expect(murmur32(w, 0, SEED_CHECK_HI).toString(16)).toBe('d26f7a77')
    expect(murmur32(w, 0, SEED_SKETCH).toString(16)).toBe('e073b336')
    const seed = murmur32(w, 0, SEED_INDEX)
    expect(seed.toString(16)).toBe('8e950181')
    const idx = [0]
    let s = seed
    while (idx.length < 8) { s = nextState(s); idx.push(nextIndex(idx[idx.length - 1], s)) }
    expect(idx).toEqual([0, 1, 3, 17, 20, 23, 30, 34])
  })

  it('40 + 40 ids differing by 2: HELLO, SKETCH, SYMBOLS, DONE; the responder learns', () => {
    const { a, b } = makeSets(99, 39, 1, 1, 'newest')
    const ra = createReconciler(a)
    const rb = createReconciler(b)
    const hello = ra.initiate()
    expect(hex(hello)).toBe('010128dd263f4e6a983e291741d046f0b99817')
    const s1 = rb.receive(hello)
    expect(hex(s1.reply as Uint8Array)).toBe('01022887f8b055e86e5506f1487103681feedb052008ff00f070000500d6001d00f000d3ad050084000040000e00000047000050c0d00000300000000000e000000e00000000000000000000000000000000000000000000000000000000000000000000e0')
    const s2 = ra.receive(s1.reply as Uint8Array)
    const symbols = s2.reply as Uint8Array
    expect(symbols.length).toBe(404) // 2 + varint 0 + varint 10 + 10 × 40
    expect(hex(symbols.subarray(0, 44))).toBe('0103000abee178c4c0a8287cc93ee3a7ffa0d7e2c5415e399c1565944a47d274785feee944bcdf6a62bf3af5')
    expect(createHash('sha256').update(symbols).digest('hex')).toBe('01bda288f7dc0d4df48fbf5350e24b7452c2542489e3fea6e6ac4793355807f0')
    const s3 = rb.receive(symbols)
    expect(hex(s3.reply as Uint8Array)).toBe('0107')
    expect(s3.done).toBe(true)
    expect(s3.have.map(hex)).toEqual(['21c9d48ca1d69928009dd644762472fc097dd0c2d2a8de2f40f801696fd9293e'])
    expect(s3.need.map(hex)).toEqual(['fb757905c38ed863d30cf1b8503bf9774dbd0e20a3068982f6989a8b0e876701'])
    const s4 = ra.receive(s3.reply as Uint8Array)
    expect(s4).toEqual({ have: [], need: [], done: true })
  })

  it('a set of at most 8 ids opens with a LIST; MORE; varints above 2^32', () => {
    const { a } = makeSets(99, 2, 0, 0, 'newest')
    expect(hex(createReconciler(a).initiate())).toBe('01050293cd84d9ae3c2a3cffc1044b9a1a592475db614ccebfcc2494b735af032c7a6222b2cfe73fa66fbfdcb1688d7cbadce5b369f450ea558b51dd6e27ec09f20191')
    expect(hex(encodeMore(300))).toBe('0104ac02')
    expect(hex(encodeVarint(1_764_000_000_000))).toBe('80d0dfb4ab33')
  })
})
