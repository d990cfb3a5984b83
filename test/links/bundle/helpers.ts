/** Bundle tests: nodes on disk, messages, and bytes in and out of bundles. */
import { join } from 'node:path'
import { composeEnvelope } from '../../../src/envelope/index.js'
import type { Envelope, Precedence } from '../../../src/envelope/types.js'
import { openNodeCore, type NodeCore } from '../../../src/node/core.js'
import { generateKeyPair, type KeyPair } from '../../../src/identity/index.js'
import { createBundleWriter } from '../../../src/links/bundle/index.js'
import type { TestWorld } from '../../helpers/world.js'

export const T0 = 1_780_000_000_000 // 2026: a fixed instant for the injected clocks
const PRECEDENCES: Precedence[] = ['flash', 'immediate', 'priority', 'routine']

/** `n` signed alerts and bulletins by member `m`'s operator, created one second apart from `start`. */
export function messages (world: TestWorld, m: number, n: number, start: number, tag = 'm'): Envelope[] {
  const member = world.members[m]
  const out: Envelope[] = []
  for (let i = 0; i < n; i++) {
    const created = start + i * 1000
    out.push(composeEnvelope({
      kind: i % 3 === 0 ? 'bulletin' : 'alert',
      org: member.org,
      precedence: PRECEDENCES[i % 4],
      content: { msgType: 'Alert', headline: `${tag} ${member.org} #${i}`, description: 'Se reporta robo de vehiculo sedan gris, placas YUC-123-A.' },
      ttlS: 7 * 86_400
    }, member.operator, { now: created }))
  }
  return out
}

export interface TestNode { core: NodeCore, key: KeyPair, org: string, close: () => Promise<void> }

/** A node of `world` (member m) with its store on disk under `dir`, the roster ingested. */
export async function openNode (world: TestWorld, m: number, dir: string, clock: { now: () => number }): Promise<TestNode> {
  const core = await openNodeCore({ storePath: join(dir, `node-${m}`), anchors: world.anchors, clock })
  const r = await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
  if (!r.ok) throw new Error(r.code)
  return { core, key: world.members[m].node, org: world.members[m].org, close: async () => core.close() }
}

export async function ingestAll (core: NodeCore, envs: Envelope[]): Promise<void> {
  await Promise.all(envs.map(async e => {
    const r = await core.ingest.ingest(e.bytes, 'peer:test')
    if (!r.ok && r.code !== 'INGEST_DUPLICATE') throw new Error(`${r.code}: ${r.message}`)
  }))
}

export async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return new Uint8Array(Buffer.concat(parts))
}

/** Bytes as a source of chunks of `size`. */
export async function * chunked (bytes: Uint8Array, size = 4096): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.subarray(o, Math.min(bytes.length, o + size))
}

/** A bundle of arbitrary payloads (the reader does not look inside records). */
export async function rawBundle (payloads: Uint8Array[], signer: KeyPair = generateKeyPair(), created = T0): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  const w = await createBundleWriter({ org: 'MX-YUC', created, count: payloads.length, since: 0, answers: [] }, signer, async c => { parts.push(c) })
  for (const p of payloads) await w.add(p)
  await w.finish()
  return new Uint8Array(Buffer.concat(parts))
}
