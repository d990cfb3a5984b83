/**
 * The bundle writer (docs/protocol/bundle.md §2): header, records, end marker and trailer,
 * as chunks of about READ_CHUNK_BYTES handed to a sink (a file, an HTTP response). Memory
 * holds one chunk; the records digest runs as records are written.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { C5Error } from '../../errors.js'
import { sign as signBytes, type KeyPair } from '../../identity/index.js'
import { NONCE_BYTES, READ_CHUNK_BYTES } from './constants.js'
import { decodeHeader, encodeEnd, encodeHeader, recordHead, sha256, type BundleHeaderFields, type DecodedHeader } from './format.js'

export type Sink = (chunk: Uint8Array) => Promise<void>

export interface BundleWriter {
  header: DecodedHeader
  /** Appends one envelope (its sha2-256 if known). */
  add: (envelope: Uint8Array, digest?: Uint8Array) => Promise<void>
  /** Writes the end marker and trailer; returns records and bytes written. */
  finish: () => Promise<{ records: number, bytes: number }>
  readonly records: number
}

export type WriterFields = Omit<BundleHeaderFields, 'nonce' | 'exporter'> & { nonce?: Uint8Array }

export async function createBundleWriter (fields: WriterFields, signer: Pick<KeyPair, 'publicKey' | 'privateKey'>, sink: Sink): Promise<BundleWriter> {
  const sign = (data: Uint8Array): Uint8Array => signBytes(signer.privateKey, data)
  const headerBytes = encodeHeader({ ...fields, exporter: signer.publicKey, nonce: fields.nonce ?? new Uint8Array(randomBytes(NONCE_BYTES)) }, sign)
  const header = decodeHeader(headerBytes)
  const hash: Hash = createHash('sha256')
  let pending: Uint8Array[] = [headerBytes]
  let pendingBytes = headerBytes.length
  let records = 0
  let bytes = 0
  let finished = false

  async function flush (): Promise<void> {
    if (pendingBytes === 0) return
    const out = new Uint8Array(pendingBytes)
    let o = 0
    for (const p of pending) { out.set(p, o); o += p.length }
    pending = []
    pendingBytes = 0
    bytes += out.length
    await sink(out)
  }
  function queue (b: Uint8Array): void { pending.push(b); pendingBytes += b.length }

  return {
    header,
    get records () { return records },
    async add (envelope, digest) {
      if (finished) throw new C5Error('BUNDLE_WRITE_FAILED', 'bundle already finished')
      const head = recordHead(envelope, digest ?? sha256(envelope))
      hash.update(head)
      hash.update(envelope)
      queue(head)
      queue(envelope)
      records++
      if (pendingBytes >= READ_CHUNK_BYTES) await flush()
    },
    async finish () {
      if (finished) throw new C5Error('BUNDLE_WRITE_FAILED', 'bundle already finished')
      finished = true
      queue(encodeEnd(header.digest, records, new Uint8Array(hash.digest()), sign))
      await flush()
      return { records, bytes }
    }
  }
}
