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
  /** Called once per batch written, with its sync flag and member count. */
  onBatch: (sync: boolean, members: number) => void
}

interface Pending { ops: BatchOp[], sync: boolean, resolve: () => void, reject: (e: unknown) => void }

export class GroupCommit {
  private queue: Pending[] = []
  private flushing = false
  private scheduled = false
  private idle: Array<() => void> = []

  constructor (private readonly components: GroupCommitComponents) {}

  submit (ops: BatchOp[], sync: boolean): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => { this.queue.push({ ops, sync, resolve, reject }) })
    this.schedule()
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
    const run = (): void => { this.scheduled = false; void this.flush() }
    if (this.components.windowMs > 0) setTimeout(run, this.components.windowMs)
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
    for (const done of this.idle.splice(0)) done()
  }

  private async writeOne (members: Pending[]): Promise<void> {
    const sync = members.some(p => p.sync)
    await this.components.write(members.length === 1 ? members[0].ops : members.flatMap(p => p.ops), sync)
    this.components.onBatch(sync, members.length)
  }

  private async writeGroup (group: Pending[]): Promise<void> {
    try {
      await this.writeOne(group)
      for (const p of group) p.resolve()
      return
    } catch (err) {
      if (group.length === 1) { group[0].reject(err); return }
    }
    // The grouped batch failed and wrote nothing: find the faulty member(s).
    for (const p of group) {
      try {
        await this.writeOne([p])
        p.resolve()
      } catch (err) {
        p.reject(err)
      }
    }
  }
}
