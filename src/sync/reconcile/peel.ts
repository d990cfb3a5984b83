/**
 * Peeling decoder (docs/protocol/reconcile.md §Peeling). The decoder subtracts (XORs) its
 * own symbols from the peer's; what remains encodes the symmetric difference. A symbol is
 * pure when it holds exactly one id: its checksum equals the id's checksum AND the id's
 * index sequence passes through that symbol. The id is then on our side if we hold it
 * (have), else on the peer's (need); it is removed from every symbol it maps to, which may
 * make more symbols pure. Success needs every symbol zero, then the verification of §5.
 */
import { SYMBOL_WORDS, SymbolArray, xorInto, type SymbolEncoder } from './symbols.js'
import { mapsTo, murmur32, nextIndex, nextState, SEED_CHECK_HI, SEED_CHECK_LO, SEED_INDEX } from './hash.js'
import { compareIds, digestSorted, hex, type ItemTable } from './items.js'

export interface PeelResult {
  complete: boolean
  /** Ids decoded so far (for diagnostics and retry sizing). */
  recovered: number
  have: Uint8Array[]
  need: Uint8Array[]
}

function idBytes (w: Uint32Array, at: number): Uint8Array {
  const out = new Uint8Array(32)
  const v = new DataView(out.buffer)
  for (let k = 0; k < 8; k++) v.setUint32(4 * k, w[at + k], true)
  return out
}

/**
 * Peels `peer` XOR `own` (both with at least `m` = peer.length symbols). `maxItems` bounds
 * the ids decoded, so garbage can never loop or grow memory.
 */
export function peel (own: SymbolEncoder, ownTable: ItemTable, peer: SymbolArray, maxItems: number): PeelResult {
  const m = peer.length
  own.extend(m)
  const diff = peer.words.slice(0, m * SYMBOL_WORDS)
  const mine = own.symbols.words
  for (let k = 0; k < diff.length; k++) diff[k] ^= mine[k]

  const have: Uint8Array[] = []
  const need: Uint8Array[] = []
  const seen = new Set<string>()
  const stack: number[] = []
  for (let i = m - 1; i >= 0; i--) stack.push(i)
  const scratch = new Uint32Array(10)
  const fail = (): PeelResult => ({ complete: false, recovered: seen.size, have, need })

  while (stack.length > 0) {
    const i = stack.pop() as number
    const o = i * SYMBOL_WORDS
    let zero = true
    for (let k = 0; k < SYMBOL_WORDS; k++) if (diff[o + k] !== 0) { zero = false; break }
    if (zero) continue
    if (murmur32(diff, o, SEED_CHECK_LO) !== diff[o + 8] || murmur32(diff, o, SEED_CHECK_HI) !== diff[o + 9]) continue
    const seed = murmur32(diff, o, SEED_INDEX)
    if (!mapsTo(seed, i)) continue
    const id = idBytes(diff, o)
    const key = hex(id)
    if (seen.has(key) || seen.size >= maxItems) return fail()
    seen.add(key)
    if (ownTable.rowOf(key) !== undefined) have.push(id)
    else need.push(id)
    scratch.set(diff.subarray(o, o + SYMBOL_WORDS))
    // Remove the id from every symbol of its sequence below m (symbol i becomes zero).
    let j = 0
    let st = seed
    while (j < m) {
      xorInto(diff, j, scratch, 0, scratch, 8)
      stack.push(j)
      st = nextState(st)
      j = nextIndex(j, st)
    }
  }
  for (let k = 0; k < diff.length; k++) if (diff[k] !== 0) return fail()
  return { complete: true, recovered: seen.size, have, need }
}

/**
 * §Verification: the decoded difference is accepted only if our set minus `have` plus
 * `need` has the peer's size and set digest. A wrong decode (checksum collision) therefore
 * never becomes a wrong answer: it counts as a failed batch.
 */
export function verify (ownTable: ItemTable, have: Uint8Array[], need: Uint8Array[], peerSize: number, peerDigest: Uint8Array): boolean {
  if (ownTable.size - have.length + need.length !== peerSize) return false
  const drop = new Set(have.map(hex))
  const add = [...need].sort(compareIds)
  const own = ownTable.sorted()
  const merged = function * (): Generator<Uint8Array> {
    let a = 0
    for (const id of own) {
      while (a < add.length && compareIds(add[a], id) < 0) yield add[a++]
      if (!drop.has(hex(id))) yield id
    }
    while (a < add.length) yield add[a++]
  }
  const got = digestSorted(merged())
  return Buffer.compare(got, peerDigest) === 0
}
