/**
 * Test helpers for the store: deterministic signed envelopes and temp store folders.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signEnvelope } from '../../src/envelope/codec.js'
import type { Envelope, Kind, Precedence, UnsignedEnvelope } from '../../src/envelope/types.js'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import type { KeyPair } from '../../src/identity/keys.js'

export const T0_MS = Date.UTC(2026, 10, 28) // 2026-11-28T00:00:00Z
export const HOUR_MS = 60 * 60 * 1000

export function keyPair (n: number): KeyPair {
  return keyPairFromSeed(new Uint8Array(32).fill(n))
}

export interface MakeOptions {
  kind?: Kind
  org?: string
  precedence?: Precedence
  created?: number
  ttlS?: number
  references?: Uint8Array[]
  author?: KeyPair
  seq?: number
}

/** A signed envelope; `seq` makes the text (and so the id) unique. */
export function makeEnvelope (o: MakeOptions = {}): Envelope {
  const author = o.author ?? keyPair(1)
  const created = o.created ?? T0_MS
  const kind = o.kind ?? 'alert'
  const base = {
    version: 1 as const,
    kind,
    author: author.publicKey,
    org: o.org ?? 'MX-YUC',
    created,
    expires: created + (o.ttlS ?? 24 * 3600) * 1000,
    precedence: o.precedence ?? 'routine',
    scope: [],
    references: o.references ?? []
  }
  let u: UnsignedEnvelope
  if (kind === 'ack') u = { ...base, note: `ack ${o.seq ?? 0}` }
  else if (kind === 'receipt') u = base
  else {
    u = {
      ...base,
      content: { msgType: base.references.length > 0 ? 'Update' : 'Alert', headline: `test message ${o.seq ?? 0}` }
    }
  }
  return signEnvelope(u, author.privateKey)
}

export async function tempDir (prefix = 'c5store-'): Promise<{ path: string, cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: async () => { await rm(path, { recursive: true, force: true }) } }
}

export function hex (b: Uint8Array): string { return Buffer.from(b).toString('hex') }
