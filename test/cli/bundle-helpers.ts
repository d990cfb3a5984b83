/** Folders of C5s for the bundle and courier CLI tests: messages stored, ids read back. */
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope } from '../../src/envelope/types.js'
import { openNodeCore } from '../../src/node/core.js'
import { dataPaths } from '../../src/node/paths.js'
import type { TestWorld } from '../helpers/world.js'

export const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex')

export function alerts (world: TestWorld, m: number, count: number, tag: string): Envelope[] {
  const now = Date.now()
  return Array.from({ length: count }, (_, i) => composeEnvelope({
    kind: 'alert',
    org: world.members[m].org,
    precedence: i % 5 === 0 ? 'flash' : 'routine',
    content: { msgType: 'Alert', headline: `${tag} ${world.members[m].org} #${i}`, description: 'Robo de vehiculo, placas YUC-123-A.' },
    ttlS: 86_400
  }, world.members[m].operator, { now: now - 60_000 + i }))
}

/** Stores messages in a node's folder (no daemon running), as if its operators had sent them. */
export async function store (world: TestWorld, dir: string, envs: Envelope[]): Promise<void> {
  const core = await openNodeCore({ storePath: dataPaths(dir).db, anchors: world.anchors })
  try {
    const results = await Promise.all(envs.map(async e => core.ingest.ingest(e.bytes, 'local', { sync: false })))
    const bad = results.find(r => !r.ok)
    if (bad !== undefined && !bad.ok) throw new Error(bad.code)
  } finally { await core.close() }
}

/**
 * Every message id a node holds (no daemon running on it), but the delivery receipts that
 * running nodes emit on their own as messages reach them (they travel like any message,
 * and a receipt made at the last stop of a round reaches the others on the next one).
 */
export async function held (world: TestWorld, dir: string): Promise<string[]> {
  return (await heldByKind(world, dir)).ids
}

export async function heldByKind (world: TestWorld, dir: string): Promise<{ ids: string[], receipts: number }> {
  const core = await openNodeCore({ storePath: dataPaths(dir).db, anchors: world.anchors })
  try {
    const ids: string[] = []
    let receipts = 0
    for (const it of core.store.syncItems(Date.now())) {
      if ((await core.store.get(it.id))?.envelope.kind === 'receipt') receipts++
      else ids.push(hex(it.id))
    }
    return { ids: ids.sort(), receipts }
  } finally { await core.close() }
}

