/**
 * Delivery bookkeeping shared by both systems: for each payload (keyed by the sha2-256 of
 * the envelope bytes, which is also c5mesh's message id) the publish time and the time each
 * node first delivered it to the application, on one process clock (performance.now()).
 */
import { createHash } from 'node:crypto'

export const payloadKey = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

interface Waiter { nodes: Set<number>, remaining: number, done: () => void }
interface Entry { t0: number, at: Map<number, number>, waiters: Set<Waiter> }

export interface DeliveryTracker {
  /** Starts tracking a payload published now (the origin counts as delivered when `originDelivered`). */
  published: (key: string, origin: number, originDelivered: boolean) => void
  /** A node delivered the payload (duplicates ignored; unknown payloads ignored). */
  delivered: (node: number, key: string) => void
  /** Resolves when every node in `nodes` has every payload in `keys`, or after deadlineMs. */
  waitAll: (keys: string[], nodes: number[], deadlineMs: number) => Promise<boolean>
  /** Time from publish to the last of `nodes` delivering it; Infinity when one is missing. */
  lastNodeMs: (key: string, nodes: number[]) => number
  has: (key: string, node: number) => boolean
}

export function createTracker (): DeliveryTracker {
  const entries = new Map<string, Entry>()
  return {
    published (key, origin, originDelivered) {
      const e: Entry = { t0: performance.now(), at: new Map(), waiters: new Set() }
      entries.set(key, e)
      if (originDelivered) e.at.set(origin, e.t0)
    },
    delivered (node, key) {
      const e = entries.get(key)
      if (e === undefined || e.at.has(node)) return
      e.at.set(node, performance.now())
      // O(waiters) per delivery: the measurement must not slow the event loop it measures.
      for (const w of e.waiters) if (w.nodes.has(node) && --w.remaining === 0) w.done()
    },
    async waitAll (keys, nodes, deadlineMs) {
      const nodeSet = new Set(nodes)
      const waiting = keys.map(k => entries.get(k)).filter((e): e is Entry => e !== undefined)
      let remaining = (keys.length - waiting.length) * nodeSet.size // unknown keys never complete
      for (const e of waiting) for (const n of nodeSet) if (!e.at.has(n)) remaining++
      if (remaining === 0) return true
      return await new Promise<boolean>(resolve => {
        const w: Waiter = { nodes: nodeSet, remaining, done: () => finish(true) }
        const finish = (ok: boolean): void => { clearTimeout(timer); for (const e of waiting) e.waiters.delete(w); resolve(ok) }
        const timer = setTimeout(() => finish(false), deadlineMs)
        for (const e of waiting) e.waiters.add(w)
      })
    },
    lastNodeMs (key, nodes) {
      const e = entries.get(key)
      if (e === undefined) return Infinity
      let last = e.t0
      for (const n of nodes) {
        const t = e.at.get(n)
        if (t === undefined) return Infinity
        last = Math.max(last, t)
      }
      return last - e.t0
    },
    has: (key, node) => entries.get(key)?.at.has(node) === true
  }
}
