/**
 * What the two baselines share: a node that keeps links to its neighbours (dialling with
 * the same reconnect loop and backoff as c5mesh, src/node/reconnect.ts), remembers in memory
 * which messages it has seen (lost with power, as a node without a store loses it), and
 * speaks a minimal frame format over the simulated links:
 *
 *   MSG   = 0x01 hops(1) envelope        a message, with the hops it may still travel
 *   IHAVE = 0x02 id(32)*                 ids held in the recent-history cache
 *   IWANT = 0x03 id(32)*                 ids asked for
 *
 * No signature checks and no roster: the baselines measure dissemination, not security.
 * On a radio channel a baseline transmits each MSG frame once, raw, on the broadcast
 * channel (src/links/broadcast), as Meshtastic does: no fragmentation, no repair.
 */
import { createHash } from 'node:crypto'
import type { Envelope } from '../../envelope/types.js'
import type { KeyPair } from '../../identity/index.js'
import { createReconnector, type Reconnector } from '../../node/reconnect.js'
import type { VirtualClock } from '../clock.js'
import type { SimLink } from '../medium.js'
import type { SimNetwork } from '../network.js'
import type { SimStack, StackEvents } from '../stack.js'
import type { RadioPort } from '../../links/types.js'

export const FRAME_MSG = 0x01
export const FRAME_IHAVE = 0x02
export const FRAME_IWANT = 0x03
const ID_BYTES = 32
/** Most ids in one IHAVE / IWANT frame. */
export const MAX_IDS_PER_FRAME = 512

export interface BaselineInit {
  org: string
  nodeKey: KeyPair
  clock: VirtualClock
  network: SimNetwork
  random: () => number
  events: StackEvents
}

export interface Held { bytes: Uint8Array, at: number }

/** The protocol part of a baseline: what to do with a new message and with each frame. */
export interface BaselineProtocol {
  /** A message new to this node (published here: from = undefined, hops = the limit). */
  onNew: (node: BaselineNode, id: string, bytes: Uint8Array, hops: number, from: SimLink | RadioPort | undefined) => void
  onIhave?: (node: BaselineNode, ids: string[], from: SimLink) => void
  onIwant?: (node: BaselineNode, ids: string[], from: SimLink) => void
  /** Periodic work (GossipSub's heartbeat), every `heartbeatMs`; true while there is more to do. */
  heartbeat?: (node: BaselineNode) => boolean
  heartbeatMs?: number
  /** The hop count a message published here starts with. */
  hopLimit: number
  /** What a courier may take from this node (messages still in memory). */
  exportable: (node: BaselineNode) => Uint8Array[]
}

function msgFrame (bytes: Uint8Array, hops: number): Uint8Array {
  const f = new Uint8Array(2 + bytes.length)
  f[0] = FRAME_MSG
  f[1] = Math.max(0, Math.min(255, hops))
  f.set(bytes, 2)
  return f
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
export const idOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

export class BaselineNode {
  readonly org: string
  /** Every message seen since power-on: id → bytes and when. */
  seen = new Map<string, Held>()
  readonly links = new Set<SimLink>()
  /** Radio ports (one per channel): a frame transmitted once is heard by every station. */
  readonly ports = new Set<RadioPort>()
  readonly #txChain = new Map<RadioPort, Promise<void>>()
  readonly init: BaselineInit
  readonly #proto: BaselineProtocol
  #on = false
  #reconnector: Reconnector | undefined
  #heartbeat: unknown

  constructor (init: BaselineInit, proto: BaselineProtocol) {
    this.init = init
    this.org = init.org
    this.#proto = proto
  }

  get running (): boolean { return this.#on }

  start (): void {
    this.#on = true
    this.seen = new Map()
    const { network, clock, org } = this.init
    this.#reconnector = createReconnector({
      clock,
      random: this.init.random,
      targets: () => network.neighbourOrgs(org).map(id => ({ id, key: new Uint8Array(32) })),
      connected: t => network.connected(org, t.id),
      dial: async t => await network.dial(org, t.id)
    })
    network.nodeUp(org)
    this.#reconnector.start()
    for (const ch of network.channelsOf(org)) {
      const port = network.radioPort(ch, org)
      this.ports.add(port)
      void this.#listen(port)
    }
  }

  /**
   * Heartbeats run while there is something to announce (a heartbeat with an empty history
   * does nothing; skipping those timers keeps a quiet simulated day cheap).
   */
  #beat (): void {
    if (this.#proto.heartbeat === undefined || this.#heartbeat !== undefined) return
    const every = this.#proto.heartbeatMs ?? 1_000
    const beat = (): void => {
      this.#heartbeat = undefined
      if (!this.#on) return
      if (this.#proto.heartbeat!(this) === true) this.#heartbeat = this.init.clock.setTimeout(beat, every)
    }
    this.#heartbeat = this.init.clock.setTimeout(beat, every)
  }

  stop (): void {
    if (!this.#on) return
    this.#on = false
    this.#reconnector?.stop()
    if (this.#heartbeat !== undefined) this.init.clock.clearTimeout(this.#heartbeat)
    this.#heartbeat = undefined
    this.init.network.nodeDown(this.org)
    for (const p of this.ports) void p.close().catch(() => {})
    this.ports.clear()
    this.#txChain.clear()
    this.links.clear()
    this.seen = new Map()
  }

  attach (link: SimLink): void {
    if (!this.#on) { link.abort(); return }
    this.links.add(link)
    void this.#read(link)
  }

  /** Sends a message on every link and radio port but the one it came from. */
  forward (bytes: Uint8Array, hops: number, from: SimLink | RadioPort | undefined): void {
    for (const l of this.links) if (l !== from) this.sendMsg(l, bytes, hops)
    for (const p of this.ports) if (p !== from) this.broadcast(p, msgFrame(bytes, hops))
  }

  /** One transmission on a radio port (they take one at a time); too large a frame is dropped. */
  broadcast (port: RadioPort, frame: Uint8Array): void {
    if (frame.length > port.maxFrameBytes) return
    const prev = this.#txChain.get(port) ?? Promise.resolve()
    this.#txChain.set(port, prev.then(async () => { await port.transmit(frame) }).catch(() => {}))
  }

  /** A message arrives (from a link, a radio, a courier, or the local operator). */
  receive (bytes: Uint8Array, hops: number, from: SimLink | RadioPort | undefined, source: string): void {
    const id = idOf(bytes)
    if (this.seen.has(id)) return
    this.seen.set(id, { bytes, at: this.init.clock.now() })
    this.init.events.delivered(this.org, { digest: new Uint8Array(Buffer.from(id, 'hex')) } as Envelope, source)
    this.#proto.onNew(this, id, bytes, hops, from)
    this.#beat()
  }

  send (link: SimLink, frame: Uint8Array): void {
    if (link.closed) return
    link.send(frame).catch(() => {})
  }

  sendMsg (link: SimLink, bytes: Uint8Array, hops: number): void {
    this.send(link, msgFrame(bytes, hops))
  }

  async #listen (port: RadioPort): Promise<void> {
    try {
      for await (const f of port.frames()) {
        if (!this.#on || !this.ports.has(port)) break
        if (f[0] === FRAME_MSG && f.length > 2) this.receive(f.subarray(2).slice(), f[1], port, 'radio')
      }
    } catch {}
  }

  sendIds (link: SimLink, type: number, ids: string[]): void {
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_FRAME) {
      const chunk = ids.slice(i, i + MAX_IDS_PER_FRAME)
      const f = new Uint8Array(1 + chunk.length * ID_BYTES)
      f[0] = type
      chunk.forEach((id, j) => { f.set(Buffer.from(id, 'hex'), 1 + j * ID_BYTES) })
      this.send(link, f)
    }
  }

  exportable (): Uint8Array[] { return this.#proto.exportable(this) }
  publishHops (): number { return this.#proto.hopLimit }

  async #read (link: SimLink): Promise<void> {
    try {
      for await (const f of link.frames()) {
        if (!this.#on) break
        if (f.length === 0) continue
        if (f[0] === FRAME_MSG && f.length > 2) this.receive(f.subarray(2).slice(), f[1], link, 'peer')
        else if (f[0] === FRAME_IHAVE || f[0] === FRAME_IWANT) {
          const ids: string[] = []
          for (let o = 1; o + ID_BYTES <= f.length && ids.length < MAX_IDS_PER_FRAME; o += ID_BYTES) ids.push(hex(f.subarray(o, o + ID_BYTES)))
          if (f[0] === FRAME_IHAVE) this.#proto.onIhave?.(this, ids, link)
          else this.#proto.onIwant?.(this, ids, link)
        }
      }
    } catch {
      // link cut or aborted: the reconnect loop redials
    } finally {
      this.links.delete(link)
    }
  }
}

/** Wraps a BaselineNode as a SimStack. */
export function baselineStack (init: BaselineInit, proto: BaselineProtocol): SimStack {
  const node = new BaselineNode(init, proto)
  const { network, org } = init
  const stack: SimStack = {
    org,
    key: init.nodeKey.publicKey,
    skewMs: 0,
    running: () => node.running,
    start: async () => {
      network.register({ org, key: init.nodeKey.publicKey, running: () => node.running, attach: link => { node.attach(link) } })
      node.start()
    },
    powerOff: async () => { node.stop() },
    powerOn: async () => { if (!node.running) node.start() },
    stop: async () => { node.stop() },
    publish: async env => {
      if (!node.running) return false
      node.receive(env.bytes, node.publishHops(), undefined, 'local')
      return true
    },
    importBytes: async (list, source) => { for (const b of list) if (node.running) node.receive(b, node.publishHops(), undefined, source) },
    exportBytes: async () => node.exportable(),
    holds: digest => node.seen.has(hex(digest)),
    queued: () => 0,
    links: () => [...node.links],
    rosterVersion: () => 0
  }
  return stack
}
