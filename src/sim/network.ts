/**
 * The simulated network: which nodes are joined by which links, which of them are up, and
 * the connections running over them. Nodes are protocol stacks (c5mesh, or a baseline)
 * that register an endpoint; the network opens links to them:
 *
 * - IP edges (internet, fibre, VSAT) carry at most one connection per pair of nodes, opened
 *   when one side dials (`dial`, which the node's reconnect loop calls): it takes a
 *   handshake of two round trips over the best up edge, or fails after DIAL_TIMEOUT_MS when
 *   every edge between them is down (a node cannot tell a cut from a slow peer sooner).
 * - Radio channels join every pair of their powered stations while the channel is up, with
 *   no dialling (a station hears the others); all share the channel's one medium.
 *
 * Cutting an edge aborts the connections over it, as a link going down does; both ends
 * see LINK_ABORTED, and what was in flight is lost (reconciliation offers it again).
 */
import type { VirtualClock } from './clock.js'
import type { LinkClass } from './link-classes.js'
import { roundTripMs } from './link-classes.js'
import { emptyCounters, Medium, simLinkPair, type LinkCounters, type SimLink } from './medium.js'
import type { DialOutcome } from '../node/reconnect.js'
import { createBroadcastChannel, type BroadcastChannel } from '../links/broadcast/index.js'
import type { RadioPort } from '../links/types.js'

/** How long a dial over a dead path takes to fail (as the libp2p mesh's DIAL_TIMEOUT_MS). */
export const DIAL_TIMEOUT_MS = 10_000

export interface Endpoint {
  org: string
  key: Uint8Array
  /** Powered and running: links can be opened to it. */
  running: () => boolean
  /** A new link to `peer` (the stack runs its protocol on it). */
  attach: (link: SimLink, peer: string) => void
}

export interface Edge {
  id: number
  a: string
  b: string
  cls: LinkClass
  up: boolean
  /** The radio channel this edge belongs to, if any. */
  channel?: Channel
  counters: LinkCounters
  /** Connections open over it now: the two orgs and their ends of the link, in that order. */
  open: Array<{ ends: [string, string], pair: [SimLink, SimLink] }>
  media: [Medium, Medium]
}

/**
 * A radio channel: the radio engineers' in-memory broadcast channel (src/links/broadcast) —
 * one shared half-duplex medium, the airtime of a real modem, loss at each receiver — on
 * the virtual clock. Stations (src/links/radio for c5mesh) open ports on it.
 */
export interface Channel { name: string, cls: LinkClass, members: string[], up: boolean, medium: Medium, edges: Edge[], radio: BroadcastChannel }

export interface NetworkEvent { type: 'link-up' | 'link-down' | 'connected' | 'dial-failed', a: string, b: string, cls: string, edge: number }

export class SimNetwork {
  readonly edges: Edge[] = []
  readonly channels = new Map<string, Channel>()
  /** Wire bytes and frames by class name. */
  readonly byClass = new Map<string, LinkCounters>()
  readonly #endpoints = new Map<string, Endpoint>()
  readonly #byPair = new Map<string, Edge[]>()
  readonly #dialling = new Map<string, Promise<DialOutcome>>()
  readonly #clock: VirtualClock
  readonly #random: () => number
  readonly #onEvent: (e: NetworkEvent) => void

  constructor (clock: VirtualClock, random: () => number, onEvent: (e: NetworkEvent) => void = () => {}) {
    this.#clock = clock
    this.#random = random
    this.#onEvent = onEvent
  }

  register (ep: Endpoint): void { this.#endpoints.set(ep.org, ep) }

  /** An IP edge (or a radio channel's pair edge, via addChannel). */
  addEdge (a: string, b: string, cls: LinkClass, up = true, channel?: Channel): Edge {
    const media: [Medium, Medium] = channel !== undefined
      ? [channel.medium, channel.medium]
      : cls.duplex === 'half' ? (m => [m, m] as [Medium, Medium])(new Medium()) : [new Medium(), new Medium()]
    const edge: Edge = { id: this.edges.length, a, b, cls, up, counters: emptyCounters(), open: [], media, ...(channel === undefined ? {} : { channel }) }
    this.edges.push(edge)
    const k = pairKey(a, b)
    this.#byPair.set(k, [...(this.#byPair.get(k) ?? []), edge])
    return edge
  }

  /**
   * A radio channel. Its pair edges are bookkeeping (scenario selectors name them); the
   * traffic goes through the broadcast channel, which every member hears while it is up.
   */
  addChannel (name: string, cls: LinkClass, members: string[], up = true): Channel {
    const onChannel = new Set(members)
    const ch: Channel = {
      name,
      cls,
      members,
      up,
      medium: new Medium(),
      edges: [],
      radio: createBroadcastChannel({
        bitRate: Math.round(cls.bytesPerSecond * 8),
        txDelayMs: cls.keyupMs,
        loss: cls.loss,
        random: this.#random,
        clock: this.#clock,
        hears: (from, to) => ch.up && onChannel.has(from) && onChannel.has(to)
      })
    }
    this.channels.set(name, ch)
    for (let i = 0; i < members.length; i++) for (let j = i + 1; j < members.length; j++) ch.edges.push(this.addEdge(members[i], members[j], cls, up, ch))
    return ch
  }

  edgesBetween (a: string, b: string): Edge[] { return this.#byPair.get(pairKey(a, b)) ?? [] }
  edgesOf (org: string): Edge[] { return this.edges.filter(e => e.a === org || e.b === org) }
  /** The nodes an IP edge joins to `org` (whom it may dial), in edge order. */
  neighbourOrgs (org: string): string[] {
    const out = new Set<string>()
    for (const e of this.edges) if (e.channel === undefined && (e.a === org || e.b === org)) out.add(e.a === org ? e.b : e.a)
    return [...out]
  }

  /** Brings an edge up or down; down aborts its connections. */
  setUp (edge: Edge, up: boolean): void {
    if (edge.up === up) return
    edge.up = up
    this.#onEvent({ type: up ? 'link-up' : 'link-down', a: edge.a, b: edge.b, cls: edge.cls.name, edge: edge.id })
    if (!up) this.#abortEdge(edge, 'link down')
  }

  /** Changes an edge's class (a degraded or restored link); its open connections restart on the new medium. */
  setClass (edge: Edge, cls: LinkClass): void {
    if (edge.channel !== undefined || edge.cls === cls) return
    edge.cls = cls
    edge.media = cls.duplex === 'half' ? (m => [m, m] as [Medium, Medium])(new Medium()) : [new Medium(), new Medium()]
    this.#abortEdge(edge, 'link changed')
  }

  setChannelUp (ch: Channel, up: boolean): void {
    if (ch.up === up) return
    ch.up = up
    for (const e of ch.edges) e.up = up
    this.#onEvent({ type: up ? 'link-up' : 'link-down', a: ch.name, b: 'radio', cls: ch.cls.name, edge: ch.edges[0]?.id ?? -1 })
  }

  /** The radio channels this node is a station of. */
  channelsOf (org: string): Channel[] { return [...this.channels.values()].filter(c => c.members.includes(org)) }

  /** A new station port for `org` on a channel (its previous one must be closed). */
  radioPort (ch: Channel, org: string): RadioPort { return ch.radio.station(org) }

  /** Airtime and bytes of every radio channel, by class: added to byClass at the end of a run. */
  radioTotals (): void {
    for (const ch of this.channels.values()) {
      const c = this.#classCounters(ch.cls.name)
      for (const st of Object.values(ch.radio.stats())) { c.frames += st.framesSent; c.wireBytes += st.bytesSent; c.payloadBytes += st.bytesSent }
      c.airtimeMs = (c.airtimeMs ?? 0) + ch.radio.busyMs()
    }
  }

  /** A node powered off: every link to it breaks. */
  nodeDown (org: string): void {
    for (const e of this.edgesOf(org)) this.#abortEdge(e, 'peer lost power')
  }

  /** A node powered on (IP links wait for dials; its stack opens its radio ports). */
  nodeUp (_org: string): void {}

  /** Whether a connection over an IP edge joins the pair now. */
  connected (a: string, b: string): boolean {
    return this.edgesBetween(a, b).some(e => e.channel === undefined && e.open.some(o => !o.pair[0].closed))
  }

  /**
   * Opens a connection from `from` to `to` over the best IP edge that is up. 'skipped' when
   * no IP edge joins them (the node has no address for that peer).
   */
  async dial (from: string, to: string): Promise<DialOutcome> {
    const ip = this.edgesBetween(from, to).filter(e => e.channel === undefined)
    if (ip.length === 0) return 'skipped'
    if (this.connected(from, to)) return 'connected'
    const k = pairKey(from, to)
    const running = this.#dialling.get(k)
    if (running !== undefined) return await running
    const attempt = this.#dialOnce(from, to, ip).finally(() => { this.#dialling.delete(k) })
    this.#dialling.set(k, attempt)
    return await attempt
  }

  async #dialOnce (from: string, to: string, ip: Edge[]): Promise<DialOutcome> {
    const clock = this.#clock
    const usable = (): Edge | undefined => {
      const target = this.#endpoints.get(to)
      if (target?.running() !== true) return undefined
      return ip.filter(e => e.up).sort((x, y) => roundTripMs(x.cls) - roundTripMs(y.cls))[0]
    }
    const edge = usable()
    if (edge === undefined) {
      await clock.sleep(DIAL_TIMEOUT_MS)
      this.#onEvent({ type: 'dial-failed', a: from, b: to, cls: ip[0].cls.name, edge: ip[0].id })
      return this.connected(from, to) ? 'connected' : 'failed'
    }
    // TCP + Noise: two round trips before the first frame.
    await clock.sleep(2 * roundTripMs(edge.cls))
    if (this.connected(from, to)) return 'connected'
    if (!edge.up || usable() === undefined || this.#endpoints.get(from)?.running() !== true) return 'failed'
    this.#open(edge, from, to)
    return 'connected'
  }

  #open (edge: Edge, from: string, to: string): void {
    const a = this.#endpoints.get(from)!
    const b = this.#endpoints.get(to)!
    const counters = [edge.counters, this.#classCounters(edge.cls.name)]
    const pair = simLinkPair({
      clock: this.#clock,
      random: this.#random,
      cls: edge.cls,
      media: edge.media,
      names: [a.org, b.org],
      keys: [a.key, b.key],
      counters
    })
    edge.open = edge.open.filter(o => !o.pair[0].closed)
    edge.open.push({ ends: [from, to], pair })
    this.#onEvent({ type: 'connected', a: from, b: to, cls: edge.cls.name, edge: edge.id })
    a.attach(pair[0], b.org)
    b.attach(pair[1], a.org)
  }

  #abortEdge (edge: Edge, why: string): void {
    const open = edge.open
    edge.open = []
    for (const o of open) if (!o.pair[0].closed) o.pair[0].abort(new Error(why))
  }

  /** This node's ends of its open links. */
  linksOf (org: string): SimLink[] {
    const out: SimLink[] = []
    for (const e of this.edgesOf(org)) {
      for (const o of e.open) if (!o.pair[0].closed) out.push(o.ends[0] === org ? o.pair[0] : o.pair[1])
    }
    return out
  }

  #classCounters (name: string): LinkCounters {
    let c = this.byClass.get(name)
    if (c === undefined) { c = emptyCounters(); this.byClass.set(name, c) }
    return c
  }
}

export const pairKey = (a: string, b: string): string => a < b ? `${a}|${b}` : `${b}|${a}`
