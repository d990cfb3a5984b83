/**
 * The data folder of one node. Everything a node keeps lives here, so a folder is a node:
 *
 *   <data>/config.json          node settings written by `c5mesh init` (org, trust anchors)
 *   <data>/keys/node.json       node key (= libp2p PeerId), mode 0600
 *   <data>/keys/operator.json   operator key, mode 0600
 *   <data>/keys/root.json       development root key (init --dev only), mode 0600
 *   <data>/db/                  LevelDB store (its LOCK keeps a second daemon out)
 *   <data>/roster-draft.cbor    a roster version being edited and signed (roster add|sign…)
 *   <data>/daemon.json          written by a running daemon: pid, API address, PeerId
 */
import { join, resolve } from 'node:path'

export const DEFAULT_DATA_DIR = 'data'

export interface DataPaths {
  dir: string
  config: string
  keysDir: string
  nodeKey: string
  operatorKey: string
  rootKey: string
  db: string
  rosterDraft: string
  daemon: string
}

/** `--data` wins, then the C5MESH_DATA environment variable, then ./data. */
export function resolveDataDir (flag: string | undefined, env: Record<string, string | undefined>): string {
  return resolve(flag ?? env.C5MESH_DATA ?? DEFAULT_DATA_DIR)
}

export function dataPaths (dir: string): DataPaths {
  const keysDir = join(dir, 'keys')
  return {
    dir,
    config: join(dir, 'config.json'),
    keysDir,
    nodeKey: join(keysDir, 'node.json'),
    operatorKey: join(keysDir, 'operator.json'),
    rootKey: join(keysDir, 'root.json'),
    db: join(dir, 'db'),
    rosterDraft: join(dir, 'roster-draft.cbor'),
    daemon: join(dir, 'daemon.json')
  }
}
