/**
 * Exporting a bundle (docs/protocol/bundle.md §3): what to carry, then the file.
 *
 *   - no manifest: every unexpired message (created ≥ since, if given), the current roster
 *     envelope always first;
 *   - with manifests: for each, what its owner lacks (difference.ts), computed against our
 *     set as it was at the manifest's time (so messages that expired since do not count as
 *     differences), keeping only what is still unexpired now; the union of all of them.
 *
 * Messages are written flash first, then by created time (from the store's memory): a file
 * cut short keeps the most urgent. Memory holds the selected ids and one chunk.
 */
import { C5Error, type ErrorCode } from '../../errors.js'
import { toHex, type KeyPair } from '../../identity/index.js'
import type { NodeCore } from '../../node/core.js'
import { bytesKey } from '../../util/bytes-key.js'
import { PRECEDENCES } from '../../envelope/types.js'
import { EXPORT_READ_AHEAD } from './constants.js'
import { differenceFor } from './difference.js'
import { sha256, type BundleAnswer } from './format.js'
import { decodeManifest, verifyManifest } from './manifest.js'
import { createBundleWriter, type Sink } from './writer.js'

export interface ExportRequest {
  /** Only messages created at or after this time (ms). */
  since?: number
  manifests?: Array<{ name: string, bytes: Uint8Array }>
  /** The header's nonce (default: random). The simulator passes a seeded one: runs repeat byte for byte. */
  nonce?: Uint8Array
}

export interface ExportPlan {
  /** Selected digests (bytesKey → digest), in no particular order. */
  selected: Map<string, Uint8Array>
  /** The roster envelope to write first, when selected. */
  roster?: { key: string, bytes: Uint8Array }
  since: number
  answers: BundleAnswer[]
  /** Per manifest used: its file, owner org and how the difference was found. */
  used: Array<{ name: string, owner: string, org: string, created: number, messages: number, method: string }>
  /** Manifests refused, with why. */
  skipped: Array<{ name: string, code: ErrorCode, message: string }>
  nonce?: Uint8Array
}

/** Reads and checks one manifest; throws its refusal. */
function checkedManifest (core: NodeCore, name: string, bytes: Uint8Array): ReturnType<typeof decodeManifest> {
  const m = decodeManifest(bytes, name)
  if (!verifyManifest(m)) throw new C5Error('BUNDLE_BAD_SIGNATURE', `${name}: its signature does not verify for the node it names (altered or forged)`)
  if (!core.roster.state.isNodeAllowed(m.owner, m.created)) {
    throw new C5Error('BUNDLE_UNKNOWN_NODE', `${name}: made by ${toHex(m.owner).slice(0, 16)}… (${m.org}), which is not a node on this roster`)
  }
  return m
}

export function planExport (core: NodeCore, request: ExportRequest): ExportPlan {
  const now = core.clock.now()
  const since = request.since ?? 0
  if (!Number.isSafeInteger(since) || since < 0) throw new C5Error('CLI_BAD_ARGUMENT', '--since must be a time')
  const current = core.store.syncItems(now)
  const currentKeys = new Set<string>()
  for (const it of current) if (it.timestamp >= since) currentKeys.add(bytesKey(it.id))
  const plan: ExportPlan = { selected: new Map(), since, answers: [], used: [], skipped: [], ...(request.nonce === undefined ? {} : { nonce: request.nonce }) }
  const rosterBytes = core.roster.envelopeBytes()
  const rosterDigest = rosterBytes === undefined ? undefined : sha256(rosterBytes)
  const manifests = request.manifests ?? []
  if (manifests.length === 0) {
    for (const it of current) if (it.timestamp >= since) plan.selected.set(bytesKey(it.id), it.id)
    // The roster travels first on every link, whatever --since says.
    if (rosterDigest !== undefined && core.store.holds(rosterDigest)) plan.selected.set(bytesKey(rosterDigest), rosterDigest)
  }
  for (const { name, bytes } of manifests) {
    let m
    try {
      m = checkedManifest(core, name, bytes)
    } catch (err) {
      if (!(err instanceof C5Error)) throw err
      plan.skipped.push({ name, code: err.code, message: err.message })
      continue
    }
    const d = differenceFor(m, core.store.syncItems(m.created))
    let n = 0
    for (const id of d.ids) {
      const k = bytesKey(id)
      if (!currentKeys.has(k)) continue
      n++
      plan.selected.set(k, id)
    }
    plan.answers.push({ owner: m.owner, manifestCreated: m.created, messages: n, exact: d.method !== 'ranges' })
    plan.used.push({ name, owner: toHex(m.owner), org: m.org, created: m.created, messages: n, method: d.method })
  }
  if (rosterDigest !== undefined && plan.selected.has(bytesKey(rosterDigest))) plan.roster = { key: bytesKey(rosterDigest), bytes: rosterBytes as Uint8Array }
  return plan
}

export interface ExportResult { records: number, bytes: number, id: string, missing: number }

/** Writes the planned bundle to `sink`, signed with the node key. */
export async function writeExport (core: NodeCore, signer: Pick<KeyPair, 'publicKey' | 'privateKey'>, org: string, plan: ExportPlan, sink: Sink, onRecord?: (records: number) => void): Promise<ExportResult> {
  const writer = await createBundleWriter({ org, created: core.clock.now(), count: plan.selected.size, since: plan.since, answers: plan.answers, ...(plan.nonce === undefined ? {} : { nonce: plan.nonce }) }, signer, sink)
  let missing = 0
  const written = new Set<string>()
  if (plan.roster !== undefined) {
    await writer.add(plan.roster.bytes)
    written.add(plan.roster.key)
    onRecord?.(writer.records)
  }
  // Flash first, then by created time: from the store's memory (syncMeta), no read.
  const order = [...plan.selected.entries()]
    .filter(([k]) => !written.has(k))
    .map(([k, digest]) => {
      const m = core.store.syncMeta(digest)
      return { k, digest, rank: m === undefined ? PRECEDENCES.length : PRECEDENCES.indexOf(m.precedence), created: m?.created ?? 0 }
    })
    .sort((a, b) => a.rank - b.rank || a.created - b.created || Buffer.compare(a.digest, b.digest))
  // Reads run ahead of the writer (LevelDB answers in parallel); order is kept.
  const ahead: Array<{ digest: Uint8Array, bytes: Promise<Uint8Array | undefined> }> = []
  const put = async (e: { digest: Uint8Array, bytes: Promise<Uint8Array | undefined> }): Promise<void> => {
    const bytes = await e.bytes
    // Swept meanwhile, or a record that no longer matches its digest: left out, counted.
    if (bytes === undefined || Buffer.compare(sha256(bytes), e.digest) !== 0) { missing++; return }
    await writer.add(bytes, e.digest)
    onRecord?.(writer.records)
  }
  for (const { k, digest } of order) {
    written.add(k)
    ahead.push({ digest, bytes: core.store.getBytes(digest).catch(() => undefined) })
    if (ahead.length >= EXPORT_READ_AHEAD) await put(ahead.shift()!)
  }
  while (ahead.length > 0) await put(ahead.shift()!)
  const r = await writer.finish()
  return { ...r, id: writer.header.id, missing }
}
