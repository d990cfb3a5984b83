/**
 * One verification pool (worker threads) shared by every simulated node of a run. In the
 * field each C5 runs on its own machine and its daemon verifies on its own worker threads;
 * here 32 nodes share one process, and the pool keeps Ed25519 off the one event loop that
 * they share, as each node's own cores would. Used by c5mesh and by the GossipSub + ingest
 * baseline alike.
 */
import { createVerifyPool, type VerifyPool } from '../../src/node/verify-pool.js'

let pool: VerifyPool | undefined

export function sharedVerifyPool (): VerifyPool {
  pool ??= createVerifyPool()
  return pool
}

export async function closeSharedVerifyPool (): Promise<void> {
  await pool?.close()
  pool = undefined
}
