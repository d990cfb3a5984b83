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
import { compareIds, digestConcat, hex, LITTLE_ENDIAN, type ItemTable } from './items.js'
import { ID_BYTES } from './constants.js'

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
    if (ownTable.rowOf(id) >= 0) have.push(id)
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
  const size = ownTable.size - have.length + need.length
  if (size !== peerSize) return false
  const dropped = new Uint8Array(ownTable.size)
  for (const id of have) {
    const row = ownTable.rowOf(id)
    if (row >= 0) dropped[row] = 1
  }
  const add = [...need].sort(compareIds)
  const { ids, words } = ownTable
  const concat = new Uint8Array(size * ID_BYTES)
  // Our ids are copied word by word from the table (as its own digest does): a set() call
  // per id cost more than the hashing at 100,000 ids.
  const out = LITTLE_ENDIAN ? new Uint32Array(concat.buffer) : undefined
  let at = 0
  let a = 0
  for (const row of ownTable.sortedRows()) {
    while (a < add.length && compareIds(add[a], ids[row]) < 0) { concat.set(add[a++], at); at += ID_BYTES }
    if (dropped[row] === 0) {
      if (out !== undefined) {
        const from = row * 8
        const to = at >>> 2
        for (let k = 0; k < 8; k++) out[to + k] = words[from + k]
      } else {
        concat.set(ids[row], at)
      }
      at += ID_BYTES
    }
  }
  while (a < add.length) { concat.set(add[a++], at); at += ID_BYTES }
  return Buffer.compare(digestConcat(concat), peerDigest) === 0
}
