/**
 * The plates part of a running node: the hotlist service and the read checker, built from
 * the node's core, config and operator key (the daemon and the CLI's local mode use it).
 */
import { isAbsolute } from 'node:path'
import type { NodeCore } from '../node/core.js'
import type { NodeConfig } from '../config/index.js'
import type { KeyPair } from '../identity/index.js'
import { loadTopology, type Topology } from '../sim/topology.js'
import { projectPath } from '../util/root.js'
import { createPlatesService, type PlatesService } from './service.js'
import { createReadChecker, type HitOptions, type ReadChecker } from './hits.js'

export interface NodePlates {
  service: PlatesService
  reads: ReadChecker
  stop: () => void
}

/** Land neighbours of `org` in a topology (backbone links are not neighbours). */
export function neighboursOf (t: Topology, org: string): string[] {
  const out: string[] = []
  for (const l of t.links) {
    if (l.kind === 'backbone') continue
    if (l.a === org) out.push(l.b)
    else if (l.b === org) out.push(l.a)
  }
  return out.sort()
}

export function hitOptionsOf (config: NodeConfig): HitOptions {
  const p = config.plates
  return { kind: p.hitKind, precedence: p.hitPrecedence, possiblePrecedence: p.possiblePrecedence, scope: p.hitScope, dedupWindowMs: p.hitDedupMs, nearMatches: p.nearMatches }
}

/** Builds and starts (rebuilds the hotlist) the plates part of a node. */
export async function startNodePlates (core: NodeCore, config: NodeConfig, operator: Pick<KeyPair, 'publicKey' | 'privateKey'> | undefined): Promise<NodePlates> {
  const file = isAbsolute(config.plates.topology) ? config.plates.topology : projectPath(config.plates.topology)
  const topology = await loadTopology(file)
  const service = createPlatesService({ store: core.store, ingest: core.ingest, clock: core.clock })
  await service.start()
  const reads = createReadChecker({
    hotlist: service.hotlist,
    clock: core.clock,
    ingest: core.ingest,
    org: config.org,
    neighbours: neighboursOf(topology, config.org),
    ...(operator === undefined ? {} : { operator })
  }, hitOptionsOf(config))
  return { service, reads, stop: () => { service.stop() } }
}
