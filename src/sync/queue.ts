/**
 * The outgoing priority queue of one session (docs/protocol/sync.md §4.6 "Priority").
 *
 * Two classes: control frames (HELLO, ROSTER, RECON, WANT, DONE, ERROR, BYE) in FIFO order,
 * always before any MSG; and messages in a binary heap ordered by precedence rank (flash
 * first), then created time (oldest first), then arrival. A flash message queued after a
 * thousand routine ones is therefore the next MSG out. Messages are deduplicated by id and
 * capped in number; their bytes may be fetched lazily at send time to bound memory. When
 * the cap is reached, a message more urgent than the least urgent one queued takes the
 * place of the newest of those (which the session offers again later): a full queue of
 * routine bulletins never keeps a flash alert out.
 */
import type { FrameType } from './frames.js'

export interface QueuedMessage {
  id: Uint8Array
  /** Hex of id (dedup key). */
  key: string
  /** precedenceRank: 0 = flash … 3 = routine. */
  rank: number
  /** created, ms since the epoch; 0 when unknown. */
  timestamp: number
  /** The envelope bytes if already known; otherwise fetched when sent. */
  bytes?: Uint8Array
  /** Queued as a push (new message) rather than an offer (WANT, reconciliation): a shared medium's dedup hint. */
  push?: boolean
  /** Set by the queue: `bytes` were given at push time and count in `inlineBytes`. */
  inline?: boolean
}

export type QueueEntry =
  | { kind: 'control', type: FrameType, frame: Uint8Array }
  | { kind: 'message', message: QueuedMessage }

/** gone: left the queue (sent or evicted); an evicted node stays in the heap until it surfaces. */
interface HeapNode { m: QueuedMessage, seq: number, gone: boolean }

const RANKS = 4

function before (a: HeapNode, b: HeapNode): boolean {
  if (a.m.rank !== b.m.rank) return a.m.rank < b.m.rank
  if (a.m.timestamp !== b.m.timestamp) return a.m.timestamp < b.m.timestamp
  return a.seq < b.seq
}

export class OutgoingQueue {
  private readonly control: Array<{ type: FrameType, frame: Uint8Array }> = []
  private controlHead = 0
  private controlBytesQueued = 0
  private heap: HeapNode[] = []
  private readonly keys = new Set<string>()
  private seq = 0
  /** Live messages per rank, and per rank the nodes in arrival order (eviction candidates). */
  private readonly liveByRank = new Array<number>(RANKS).fill(0)
  private readonly byRank: HeapNode[][] = Array.from({ length: RANKS }, () => [])
  private live = 0
  private inlineTotal = 0

  constructor (private readonly maxMessages: number) {}

  get size (): number { return this.control.length - this.controlHead + this.live }
  get messageCount (): number { return this.live }
  /** Most messages held at once. */
  get capacity (): number { return this.maxMessages }
  /** Bytes of envelopes held inline by queued messages (given at push time). */
  get inlineBytes (): number { return this.inlineTotal }
  /** Bytes of control frames waiting (bounded by the session: a peer that stops reading). */
  get controlBytes (): number { return this.controlBytesQueued }
  hasMessage (key: string): boolean { return this.keys.has(key) }

  pushControl (type: FrameType, frame: Uint8Array): void {
    this.control.push({ type, frame })
    this.controlBytesQueued += frame.length
  }

  /**
   * False when the id is already queued, or the queue is full of messages at least as
   * urgent. When full and `m` is more urgent than the least urgent queued, the newest of
   * those leaves the queue (`onEvict` is told) and `m` takes its place.
   */
  pushMessage (m: QueuedMessage, onEvict?: (evicted: QueuedMessage) => void): boolean {
    if (this.keys.has(m.key)) return false
    if (this.live >= this.maxMessages) {
      const evicted = this.evictLeastUrgent(m.rank)
      if (evicted === undefined) return false
      onEvict?.(evicted)
    }
    const rank = Math.min(RANKS - 1, Math.max(0, m.rank))
    const node: HeapNode = { m, seq: this.seq++, gone: false }
    m.inline = m.bytes !== undefined
    if (m.inline) this.inlineTotal += (m.bytes as Uint8Array).length
    this.keys.add(m.key)
    this.heap.push(node)
    this.siftUp(this.heap.length - 1)
    this.live++
    this.liveByRank[rank]++
    this.byRank[rank].push(node)
    return true
  }

  /** Removes the newest queued message of the least urgent rank, if less urgent than `rank`. */
  private evictLeastUrgent (rank: number): QueuedMessage | undefined {
    let worst = RANKS - 1
    while (worst > rank && this.liveByRank[worst] === 0) worst--
    if (worst <= rank) return undefined
    const stack = this.byRank[worst]
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.gone) continue
      node.gone = true
      this.keys.delete(node.m.key)
      this.live--
      this.liveByRank[worst]--
      this.dropInline(node.m)
      // Evicted nodes stay in the heap until they surface; rebuild if they pile up.
      if (this.heap.length > 2 * this.maxMessages + 64) this.rebuildHeap()
      return node.m
    }
    return undefined
  }

  private rebuildHeap (): void {
    this.heap = this.heap.filter(n => !n.gone)
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  peek (): QueueEntry | undefined {
    if (this.controlHead < this.control.length) {
      const c = this.control[this.controlHead]
      return { kind: 'control', type: c.type, frame: c.frame }
    }
    while (this.heap.length > 0 && this.heap[0].gone) this.removeTop()
    return this.heap.length > 0 ? { kind: 'message', message: this.heap[0].m } : undefined
  }

  shift (): QueueEntry | undefined {
    const head = this.peek()
    if (head === undefined) return undefined
    if (head.kind === 'control') {
      this.controlBytesQueued -= head.frame.length
      this.control[this.controlHead++] = undefined as never
      if (this.controlHead > 1024 && this.controlHead * 2 > this.control.length) {
        this.control.splice(0, this.controlHead)
        this.controlHead = 0
      }
    } else {
      this.popMessage()
    }
    return head
  }

  /** Drops queued messages (on shutdown; reconciliation offers them again next time). */
  clearMessages (): void {
    this.heap.length = 0
    this.keys.clear()
    this.live = 0
    this.inlineTotal = 0
    this.liveByRank.fill(0)
    for (const s of this.byRank) s.length = 0
  }

  private popMessage (): void {
    const top = this.heap[0]
    top.gone = true
    this.keys.delete(top.m.key)
    this.live--
    this.dropInline(top.m)
    const rank = Math.min(RANKS - 1, Math.max(0, top.m.rank))
    this.liveByRank[rank]--
    // Sent nodes stay in their rank's stack until eviction walks past them: compact now and then.
    const stack = this.byRank[rank]
    if (stack.length > 2 * this.liveByRank[rank] + 64) this.byRank[rank] = stack.filter(n => !n.gone)
    this.removeTop()
  }

  private dropInline (m: QueuedMessage): void {
    if (m.inline === true) { this.inlineTotal -= (m.bytes as Uint8Array).length; m.inline = false }
  }

  private removeTop (): void {
    const last = this.heap.pop() as HeapNode
    if (this.heap.length > 0 && last !== this.heap[0]) {
      this.heap[0] = last
      this.siftDown(0)
    }
  }

  private siftUp (i: number): void {
    const h = this.heap
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i], h[p])) break
      ;[h[i], h[p]] = [h[p], h[i]]
      i = p
    }
  }

  private siftDown (i: number): void {
    const h = this.heap
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && before(h[l], h[m])) m = l
      if (r < h.length && before(h[r], h[m])) m = r
      if (m === i) return
      ;[h[i], h[m]] = [h[m], h[i]]
      i = m
    }
  }
}
