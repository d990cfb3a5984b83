/**
 * A set of ids with a size cap: the per-session "peer has" memory. The oldest entry is
 * forgotten first, so a malicious or very busy peer cannot grow it without bound.
 * Values carry the time the entry was (re)made, for the resend rule (RESEND_AFTER_MS).
 */
export class BoundedIdMap<V> {
  private readonly map = new Map<string, V>()

  constructor (private readonly max: number) {}

  get size (): number { return this.map.size }
  has (key: string): boolean { return this.map.has(key) }
  get (key: string): V | undefined { return this.map.get(key) }
  delete (key: string): void { this.map.delete(key) }

  set (key: string, value: V): void {
    this.map.delete(key) // re-insert at the young end
    this.map.set(key, value)
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string)
  }
}

export function idKey (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}
