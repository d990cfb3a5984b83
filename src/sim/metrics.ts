/**
 * What a run records: every publication, the first delivery of each at each node (and any
 * second one: a duplicate), rejections by code, queue depths over time, and the timeline of
 * outages for the report. Times are ms from the scenario's start.
 */
import type { Envelope, Precedence } from '../envelope/types.js'
import { toHex } from '../identity/index.js'
import type { Planned } from './workload.js'
import type { CourierStop } from './courier.js'

export interface Publication {
  n: number
  id: string
  digest: Uint8Array
  origin: string
  at: number
  kind: string
  precedence: Precedence
  tag?: string
  headline: string
  author: string
  /** The envelope's created time (the origin's clock, skew included), absolute ms. */
  created: number
  /** The envelope's length in bytes (0 in the lab, which knows only the id). */
  bytes: number
  source: Planned['source']
}

export interface Outage { what: 'link' | 'node' | 'channel', label: string, from: number, to?: number, note?: string }
export interface Mark { t: number, label: string }
export interface Sample { t: number, queued: number[] }

export class Recorder {
  readonly published: Publication[] = []
  readonly byId = new Map<string, Publication>()
  /** id → (node → ms of first delivery). */
  readonly delivered = new Map<string, Map<string, number>>()
  readonly duplicates: Array<{ node: string, id: string, t: number }> = []
  /** node → code → count. */
  readonly rejections = new Map<string, Map<string, number>>()
  readonly samples: Sample[] = []
  readonly outages: Outage[] = []
  readonly marks: Mark[] = []
  /** Revocations published: the key (hex) and its effective time (absolute ms). */
  readonly revocations: Array<{ key: string, keyId: string, effective: number, org: string, at: number }> = []
  /** Bytes couriers carried: what nodes wrote onto the sticks (bundles and manifests). */
  courierBytes = 0
  /** Every courier stop, in order. */
  readonly courierStops: CourierStop[] = []
  readonly #open = new Map<string, Outage>()
  readonly #t0: number
  readonly #now: () => number

  constructor (now: () => number, t0: number) {
    this.#now = now
    this.#t0 = t0
  }

  t (): number { return this.#now() - this.#t0 }

  courier (stop: CourierStop): void {
    this.courierStops.push(stop)
    this.courierBytes += stop.bundleBytes + stop.manifestBytes
  }

  publish (p: Planned, env: Envelope): Publication {
    const pub: Publication = {
      n: this.published.length,
      id: toHex(env.digest),
      digest: env.digest,
      origin: p.origin,
      at: this.t(),
      kind: p.kind,
      precedence: p.precedence,
      ...(p.tag === undefined ? {} : { tag: p.tag }),
      headline: p.headline,
      author: toHex(env.author),
      created: env.created,
      // The lab records what a real daemon composed from its id alone: no bytes, 0.
      bytes: (env.bytes as Uint8Array | undefined)?.length ?? 0,
      source: p.source
    }
    this.published.push(pub)
    this.byId.set(pub.id, pub)
    // The origin's own ingest (its 'delivered' event) is its first delivery.
    this.delivered.set(pub.id, new Map())
    return pub
  }

  /** A node stored a message; true when it was a publication's first delivery there. */
  deliver (node: string, digestHex: string): boolean {
    const at = this.delivered.get(digestHex)
    if (at === undefined) return false
    if (at.has(node)) {
      this.duplicates.push({ node, id: digestHex, t: this.t() })
      return false
    }
    at.set(node, this.t())
    return true
  }

  reject (node: string, code: string): void {
    let m = this.rejections.get(node)
    if (m === undefined) { m = new Map(); this.rejections.set(node, m) }
    m.set(code, (m.get(code) ?? 0) + 1)
  }

  /** Starts (down) or ends (up) an outage interval for the report's partition timeline. */
  outage (what: Outage['what'], label: string, down: boolean, note?: string): void {
    const key = `${what}:${label}`
    if (down) {
      if (this.#open.has(key)) return
      const o: Outage = { what, label, from: this.t(), ...(note === undefined ? {} : { note }) }
      this.#open.set(key, o)
      this.outages.push(o)
    } else {
      const o = this.#open.get(key)
      if (o === undefined) return
      o.to = this.t()
      this.#open.delete(key)
    }
  }

  mark (label: string): void { this.marks.push({ t: this.t(), label }) }
}
