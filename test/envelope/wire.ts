/**
 * Hand-made wire envelopes for negative tests: any JS array through DAG-CBOR (or raw
 * bytes), followed by a 64-byte fake signature. Decoding never checks the signature, so
 * these reach exactly the check under test.
 */
import * as dagCbor from '@ipld/dag-cbor'

export const FAKE_SIG = new Uint8Array(64).fill(0xee)
export const AUTHOR8 = new Uint8Array(8).fill(1)
export const REF = new Uint8Array(32).fill(2)
export const CREATED = 1_795_000_000_000 // > 2^32

export function withSig (signedPart: Uint8Array | number[]): Uint8Array {
  return Uint8Array.from([...signedPart, ...FAKE_SIG])
}

export function wire (arr: unknown[]): Uint8Array {
  return withSig(dagCbor.encode(arr))
}

/** A valid alert signed part as a positional array, to be altered one element at a time. */
export function alertArray (): unknown[] {
  return [1, 0, AUTHOR8, CREATED, 3600, 'MX-YUC', 1, [0, 3, 'Robo', 0, 1, 0, 'Titular']]
}

export function withSlot (i: number, v: unknown, base = alertArray()): unknown[] {
  const a = base.slice()
  a[i] = v
  return a
}
