/**
 * Group commit (issue 2 item 5). Writes submitted while a batch is being written — or in
 * the same event-loop turn as the first (`windowMs` 0 = setImmediate) — are concatenated
 * into ONE LevelDB batch; the batch is written with `{ sync: true }` (one fsync for the
 * whole group) if any member asked for sync. One queue for all writes keeps them in
 * submission order (a later meta write never lands before an earlier one).
 *
 * Atomicity per member is kept: LevelDB applies a batch all-or-nothing, so if a grouped
 * batch fails (e.g. one caller's `extra` op is invalid), every member is retried on its
 * own, so only the faulty write rejects and the others still land.
 */
import type { BatchOp } from './types.js'

export interface GroupCommitComponents {
  /** Writes one batch; with sync = true, durable when it resolves. */
  write: (ops: BatchOp[], sync: boolean) => Promise<void>
  windowMs: number
  /** Timer for a window > 0 (the store's clock: virtual in the simulator). Default: Node's. */
  setTimeout?: (fn: () => void, ms: number) => unknown
  /** Start writing at once when this many submissions wait (default: only by the window). */
  maxMembers?: number
  /** Called once per batch written, with its sync flag and member count. */
  onBatch: (sync: boolean, members: number) => void
}

interface Pending { ops: BatchOp[], sync: boolean, written: (() => void) | undefined, resolve: () => void, reject: (e: unknown) => void }

/** Runs the member's `written` hook (a throw fails only that member) and resolves it. */
function settle (p: Pending): void {
  try {
    p.written?.()
  } catch (err) {
    p.reject(err)
    return
  }
  p.resolve()
}

export class GroupCommit {
  private queue: Pending[] = []
  private flushing = false
  private scheduled = false
  private idle: Array<() => void> = []

  constructor (private readonly components: GroupCommitComponents) {}

  /**
   * Queues `ops` for the next batch. `written` runs once they have landed, just before the
   * promise resolves (a caller's bookkeeping, without a promise of its own).
   */
  submit (ops: BatchOp[], sync: boolean, written?: () => void): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => { this.queue.push({ ops, sync, written, resolve, reject }) })
    // Full enough and nothing being written: start now (the scheduled run finds the queue
    // empty or newer members). While a batch is being written the queue just grows: the
    // flush loop takes it next.
    if (!this.flushing && this.queue.length >= (this.components.maxMembers ?? Infinity)) void this.flush()
    else this.schedule()
    return promise
  }

  /** Resolves once every submitted write has settled (used by close). */
  async drain (): Promise<void> {
    if (!this.flushing && !this.scheduled && this.queue.length === 0) return
    return new Promise<void>((resolve) => { this.idle.push(resolve) })
  }

  private schedule (): void {
    if (this.flushing || this.scheduled) return
    this.scheduled = true
    const run = (): void => { this.scheduled = false; if (!this.flushing) void this.flush() }
    if (this.components.windowMs > 0) (this.components.setTimeout ?? setTimeout)(run, this.components.windowMs)
    else setImmediate(run)
  }

  private async flush (): Promise<void> {
    this.flushing = true
    while (this.queue.length > 0) {
      const group = this.queue
      this.queue = []
      await this.writeGroup(group)
    }
    this.flushing = false
    if (!this.scheduled) for (const done of this.idle.splice(0)) done()
  }

  private async writeOne (members: Pending[]): Promise<void> {
    const sync = members.some(p => p.sync)
    await this.components.write(members.length === 1 ? members[0].ops : members.flatMap(p => p.ops), sync)
    this.components.onBatch(sync, members.length)
  }

  private async writeGroup (group: Pending[]): Promise<void> {
    try {
      await this.writeOne(group)
      for (const p of group) settle(p)
      return
    } catch (err) {
      if (group.length === 1) { group[0].reject(err); return }
    }
    // The grouped batch failed and wrote nothing: find the faulty member(s).
    for (const p of group) {
      try {
        await this.writeOne([p])
      } catch (err) {
        p.reject(err)
        continue
      }
      settle(p)
    }
  }
}
