/**
 * The outgoing priority queue of one session (docs/protocol/sync.md §4.6 "Priority").
 *
 * Two classes: control frames (HELLO, ROSTER, RECON, WANT, DONE, ERROR, BYE) in FIFO order,
 * always before any MSG; and messages in a binary heap ordered by precedence rank (flash
 * first), then created time (oldest first), then arrival. A flash message queued after a
 * thousand routine ones is therefore the next MSG out. Messages are deduplicated by id and
 * capped in number; their bytes may be fetched lazily at send time to bound memory.
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
}

export type QueueEntry =
  | { kind: 'control', type: FrameType, frame: Uint8Array }
  | { kind: 'message', message: QueuedMessage }

interface HeapNode { m: QueuedMessage, seq: number }

function before (a: HeapNode, b: HeapNode): boolean {
  if (a.m.rank !== b.m.rank) return a.m.rank < b.m.rank
  if (a.m.timestamp !== b.m.timestamp) return a.m.timestamp < b.m.timestamp
  return a.seq < b.seq
}

export class OutgoingQueue {
  private readonly control: Array<{ type: FrameType, frame: Uint8Array }> = []
  private controlHead = 0
  private controlBytesQueued = 0
  private readonly heap: HeapNode[] = []
  private readonly keys = new Set<string>()
  private seq = 0

  constructor (private readonly maxMessages: number) {}

  get size (): number { return this.control.length - this.controlHead + this.heap.length }
  get messageCount (): number { return this.heap.length }
  /** Bytes of control frames waiting (bounded by the session: a peer that stops reading). */
  get controlBytes (): number { return this.controlBytesQueued }
  hasMessage (key: string): boolean { return this.keys.has(key) }

  pushControl (type: FrameType, frame: Uint8Array): void {
    this.control.push({ type, frame })
    this.controlBytesQueued += frame.length
  }

  /** False when the id is already queued or the queue is full. */
  pushMessage (m: QueuedMessage): boolean {
    if (this.keys.has(m.key) || this.heap.length >= this.maxMessages) return false
    this.keys.add(m.key)
    this.heap.push({ m, seq: this.seq++ })
    this.siftUp(this.heap.length - 1)
    return true
  }

  peek (): QueueEntry | undefined {
    if (this.controlHead < this.control.length) {
      const c = this.control[this.controlHead]
      return { kind: 'control', type: c.type, frame: c.frame }
    }
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
  }

  private popMessage (): void {
    const top = this.heap[0]
    this.keys.delete(top.m.key)
    const last = this.heap.pop() as HeapNode
    if (this.heap.length > 0) {
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
