/**
 * Group commit for synced writes (issue 2 item 5). Sync puts that arrive while a synced
 * batch is being written — or within `windowMs` of the first — are concatenated into ONE
 * batch written with `{ sync: true }`: one fsync for the whole group.
 *
 * Atomicity per put is kept: LevelDB applies a batch all-or-nothing, so if a grouped batch
 * fails (e.g. one caller's `extra` op is invalid), every member is retried on its own, so
 * only the faulty put rejects and the others still become durable.
 */
import type { BatchOp } from './types.js'

export interface GroupCommitComponents {
  /** Writes one batch; with sync = true, durable when it resolves. */
  write: (ops: BatchOp[], sync: boolean) => Promise<void>
  windowMs: number
  onSyncWrite: () => void
}

interface Pending { ops: BatchOp[], resolve: () => void, reject: (e: unknown) => void }

export class GroupCommit {
  private queue: Pending[] = []
  private flushing = false
  private scheduled = false
  private idle: Array<() => void> = []

  constructor (private readonly components: GroupCommitComponents) {}

  submit (ops: BatchOp[]): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => { this.queue.push({ ops, resolve, reject }) })
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

  private async writeGroup (group: Pending[]): Promise<void> {
    try {
      await this.components.write(group.flatMap(p => p.ops), true)
      this.components.onSyncWrite()
      for (const p of group) p.resolve()
      return
    } catch (err) {
      if (group.length === 1) { group[0].reject(err); return }
    }
    // The grouped batch failed and wrote nothing: find the faulty member(s).
    for (const p of group) {
      try {
        await this.components.write(p.ops, true)
        this.components.onSyncWrite()
        p.resolve()
      } catch (err) {
        p.reject(err)
      }
    }
  }
}
