/**
 * GroupCommit's per-member `written` hook (the store keeps its in-memory index with it):
 * it runs once the member's ops have landed and before its promise resolves, and a hook
 * or batch failure fails only its own member. maxMembers starts a batch without waiting.
 */
import { describe, expect, it } from 'vitest'
import { GroupCommit } from '../../src/store/group-commit.js'
import type { BatchOp } from '../../src/store/types.js'

const op = (key: string): BatchOp => ({ type: 'put', key, value: key })

/** A GroupCommit over an in-memory "database" whose write refuses any key named 'bad'. */
function setup (): { group: GroupCommit, landed: string[] } {
  const landed: string[] = []
  const group = new GroupCommit({
    windowMs: 0,
    onBatch: () => {},
    write: async (ops) => {
      if (ops.some(o => o.key === 'bad')) throw new Error('refused')
      for (const o of ops) landed.push(String(o.key))
    }
  })
  return { group, landed }
}

describe('GroupCommit', () => {
  it('runs after the ops landed and before the promise resolves', async () => {
    const { group, landed } = setup()
    const seen: string[][] = []
    const p = group.submit([op('a')], false, () => { seen.push(landed.slice()) })
    expect(seen).toEqual([]) // not before the write
    await p
    expect(seen).toEqual([['a']])
  })

  it('a throwing hook rejects its own member only; a bad member is retried alone and its hook never runs', async () => {
    const { group, landed } = setup()
    const hooks: string[] = []
    const results = await Promise.allSettled([
      group.submit([op('a')], false, () => { hooks.push('a') }),
      group.submit([op('b')], false, () => { throw new Error('hook failed') }),
      group.submit([op('bad')], false, () => { hooks.push('bad') }),
      group.submit([op('c')], true, () => { hooks.push('c') })
    ])
    expect(results.map(r => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('hook failed')
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('refused')
    expect(hooks).toEqual(['a', 'c'])
    expect(landed).toEqual(['a', 'b', 'c'])
  })

  it('with maxMembers, starts writing as soon as that many wait, and the next batch takes what queued meanwhile', async () => {
    const batches: string[][] = []
    const group = new GroupCommit({ windowMs: 0, maxMembers: 2, onBatch: () => {}, write: async (ops) => { batches.push(ops.map(o => String(o.key))) } })
    const all = [group.submit([op('a')], false), group.submit([op('b')], false)]
    expect(batches).toEqual([['a', 'b']]) // at once, not after this turn of the event loop
    all.push(group.submit([op('c')], false), group.submit([op('d')], false), group.submit([op('e')], false))
    await Promise.all(all)
    expect(batches).toEqual([['a', 'b'], ['c', 'd', 'e']])
    await group.drain()
  })
})
