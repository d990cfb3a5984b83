/**
 * Importing a bundle (docs/protocol/bundle.md §5): every record goes through the node's
 * one `ingest`, up to IMPORT_MAX_IN_FLIGHT at once (and IMPORT_MAX_IN_FLIGHT_BYTES), so a
 * 100,000-message file streams through in bounded memory. Roster and revocation envelopes
 * are ingested alone, after everything before them and before anything after them (what
 * follows may depend on them). A damaged or truncated file keeps every message that
 * verifies; the summary says what was new, known and rejected (by code) and what was wrong
 * with the file.
 */
import { C5Error, type ErrorCode } from '../../errors.js'
import { KINDS } from '../../envelope/types.js'
import { toHex } from '../../identity/index.js'
import type { NodeCore } from '../../node/core.js'
import { IMPORT_MAX_IN_FLIGHT, IMPORT_MAX_IN_FLIGHT_BYTES } from './constants.js'
import { openBundle, type BundleEnd } from './reader.js'
import { recordImport } from './seen.js'
import type { DecodedHeader } from './format.js'

export interface BundleInfo {
  id: string
  exporter: string
  org: string
  created: number
  /** Records the header announced. */
  count: number
  since: number
  answers: Array<{ owner: string, manifestCreated: number, messages: number, exact: boolean }>
}

export interface ImportSummary {
  file: string
  bundle: BundleInfo
  /** Records read (proven by their tags). */
  records: number
  new: number
  known: number
  rejected: number
  /** Every ingest result but the new ones, by code (INGEST_DUPLICATE, ENVELOPE_EXPIRED, …). */
  byCode: Record<string, number>
  /** The first damaged stretches (offset and length in bytes). */
  damage: Array<{ offset: number, length: number, message: string }>
  damagedBytes: number
  complete: boolean
  truncated: boolean
  /** The file is exactly what its exporter signed. */
  intact: boolean
  /** Why the import is not clean: a file problem or a stop (code and one sentence). */
  problem?: { code: ErrorCode, message: string }
  durationMs: number
  /** Most bytes the reader held at once (its memory bound: one record and one chunk). */
  readerMaxBufferedBytes: number
}

export interface ImportOptions {
  /** File name for messages and the ingest source ('file:NAME'). */
  name: string
  /** Called as records are read (records so far). */
  onRecord?: (records: number) => void
}

const DAMAGE_LISTED = 20
const ROSTER_CHANGES = new Set([KINDS.indexOf('roster'), KINDS.indexOf('revocation')])
/** Codes that say the store failed, not the message: the import stops and is not recorded. */
const STOPS: ReadonlySet<string> = new Set(['STORE_WRITE_FAILED', 'STORE_CLOSED', 'INGEST_INTERNAL'])

/**
 * Whether bytes are a roster or revocation envelope, from their first bytes (the signed
 * part is a CBOR array whose first items are version 1 and the kind index).
 */
export function changesRoster (bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] >= 0x88 && bytes[0] <= 0x8a && bytes[1] === 0x01 && ROSTER_CHANGES.has(bytes[2])
}

export function bundleInfo (h: DecodedHeader): BundleInfo {
  return {
    id: h.id,
    exporter: toHex(h.exporter),
    org: h.org,
    created: h.created,
    count: h.count,
    since: h.since,
    answers: h.answers.map(a => ({ owner: toHex(a.owner), manifestCreated: a.manifestCreated, messages: a.messages, exact: a.exact }))
  }
}

export async function importBundle (core: NodeCore, source: AsyncIterable<Uint8Array>, options: ImportOptions): Promise<ImportSummary> {
  const t0 = performance.now()
  const name = options.name
  const reader = await openBundle(source, { name })
  const h = reader.header
  if (!reader.headerSignatureValid) {
    await reader.close()
    throw new C5Error('BUNDLE_BAD_SIGNATURE', `${name}: its header is not signed by the node it names (${toHex(h.exporter).slice(0, 16)}…): altered or forged, nothing imported`)
  }
  const allowed = (): boolean => core.roster.state.isNodeAllowed(h.exporter, h.created)
  let exporterChecked = allowed()
  const sourceLabel = `file:${name.slice(-200)}`
  const summary: ImportSummary = {
    file: name, bundle: bundleInfo(h), records: 0, new: 0, known: 0, rejected: 0, byCode: {}, damage: [], damagedBytes: 0,
    complete: false, truncated: false, intact: false, durationMs: 0, readerMaxBufferedBytes: 0
  }
  let stop: { code: ErrorCode, message: string } | undefined

  let inFlight = 0
  let inFlightBytes = 0
  let wake: (() => void) | undefined
  const settled = (): void => { const w = wake; wake = undefined; w?.() }
  async function waitBelow (n: number, bytes: number): Promise<void> {
    while (inFlight > n || inFlightBytes > bytes) await new Promise<void>(resolve => { wake = resolve })
  }
  function count (r: Awaited<ReturnType<NodeCore['ingest']['ingest']>>): void {
    if (r.ok) { summary.new++; return }
    summary.byCode[r.code] = (summary.byCode[r.code] ?? 0) + 1
    if (r.code === 'INGEST_DUPLICATE' || r.code === 'INGEST_TOMBSTONED') summary.known++
    else summary.rejected++
    if (STOPS.has(r.code) && stop === undefined) stop = { code: r.code, message: `the store refused a write (${r.message}): import stopped after ${summary.records} records; run it again once the node is healthy` }
  }
  async function ingest (bytes: Uint8Array, digest: Uint8Array): Promise<void> {
    inFlight++
    inFlightBytes += bytes.length
    try {
      count(await core.ingest.ingest(bytes, sourceLabel, { digestOfBytes: digest }))
    } finally {
      inFlight--
      inFlightBytes -= bytes.length
      settled()
    }
  }

  let end: BundleEnd | undefined
  try {
    let broke: C5Error | undefined
    try {
      await readAll()
    } catch (err) {
      // The source broke mid-way (a pulled stick, a dropped upload): what was read is kept.
      if (!(err instanceof C5Error)) throw err
      broke = err
    }
    await waitBelow(0, 0)
    if (broke !== undefined) stop ??= { code: broke.code, message: `${name}: ${broke.message}; the ${summary.new} new messages read before were kept` }
    if (stop === undefined) end = reader.end()
  } finally {
    await waitBelow(0, 0)
    await reader.close()
  }

  async function readAll (): Promise<void> {
    for await (const ev of reader.events()) {
      if (ev.type === 'damage') {
        if (summary.damage.length < DAMAGE_LISTED) summary.damage.push({ offset: ev.offset, length: ev.length, message: ev.message })
        continue
      }
      summary.records++
      options.onRecord?.(summary.records)
      const rosterChange = changesRoster(ev.bytes)
      if (!exporterChecked && !rosterChange) {
        // A new node's first bundle may carry the roster that admits it: roster envelopes
        // (self-authenticating: k-of-n root signatures) come first; then it must be on it.
        await waitBelow(0, 0)
        exporterChecked = allowed()
        if (!exporterChecked) {
          stop = { code: 'BUNDLE_UNKNOWN_NODE', message: `${name} was exported by ${toHex(h.exporter).slice(0, 16)}… (${h.org}), which is not a node on this roster at ${new Date(h.created).toISOString()}: its messages were not imported` }
          summary.records--
          break
        }
      }
      if (rosterChange) {
        await waitBelow(0, 0)
        await ingest(ev.bytes, ev.digest)
      } else {
        void ingest(ev.bytes, ev.digest)
        if (inFlight >= IMPORT_MAX_IN_FLIGHT || inFlightBytes > IMPORT_MAX_IN_FLIGHT_BYTES) await waitBelow(IMPORT_MAX_IN_FLIGHT - 1, IMPORT_MAX_IN_FLIGHT_BYTES)
      }
      if (stop !== undefined) break
    }
  }
  if (end !== undefined) {
    Object.assign(summary, { complete: end.complete, truncated: end.truncated, intact: end.intact, damagedBytes: end.damagedBytes })
    if (!end.intact) stop = { code: end.truncated ? 'BUNDLE_TRUNCATED' : 'BUNDLE_CORRUPT', message: `${name}: ${end.problem ?? 'damaged'}; the ${summary.new} new messages that verified were kept` }
  }
  // Refused outright when it changed nothing (a roster envelope already held may have passed).
  if (stop?.code === 'BUNDLE_UNKNOWN_NODE' && summary.new === 0) throw new C5Error('BUNDLE_UNKNOWN_NODE', stop.message)
  // Durable: the seen record is written with sync after the unsynced message writes. Only a
  // clean import is recorded (a damaged file is read again next time: a courier may bring a good copy).
  const clean = summary.intact && stop === undefined
  try {
    await recordImport(core.store, clean ? h.id : undefined)
  } catch (err) {
    stop ??= { code: 'STORE_WRITE_FAILED', message: `could not record the import (${(err as Error).message})` }
  }
  if (stop !== undefined) summary.problem = stop
  summary.durationMs = Math.round(performance.now() - t0)
  summary.readerMaxBufferedBytes = reader.stats().maxBufferedBytes
  return summary
}
