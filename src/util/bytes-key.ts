/**
 * A Map key for bytes (digests, public keys, key ids): the bytes as a one-byte (latin1)
 * string. Not for display (use hex); about 2.5× cheaper than hex, and the ingest path's
 * in-memory indexes (stored digests, messages in flight, roster members) compute several
 * per message. Equal bytes give equal keys and different bytes of one length different keys.
 */
type Slice = (this: Uint8Array, start: number, end: number) => string
// Buffer.prototype.latin1Slice works on any Uint8Array without making a Buffer view first;
// it is not in Node's documentation, so a documented path stands in should it go away.
const latin1Slice: Slice = (Buffer.prototype as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Uint8Array, start: number, end: number): string { return Buffer.from(this.buffer, this.byteOffset, this.byteLength).toString('latin1', start, end) }

export function bytesKey (bytes: Uint8Array): string {
  return latin1Slice.call(bytes, 0, bytes.length)
}
