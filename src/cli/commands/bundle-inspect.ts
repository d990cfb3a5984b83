/**
 * `c5mesh bundle inspect FILE`: what a bundle or manifest holds, read from the file alone
 * (no node, no roster): header, signatures, records by kind and precedence, time span,
 * damage. Nothing is imported.
 */
import { open } from 'node:fs/promises'
import { C5Error } from '../../errors.js'
import { decodeAnyEnvelope } from '../../node/roster-envelope.js'
import { toHex } from '../../identity/index.js'
import {
  bundleInfo, decodeManifest, fileSource, openBundle, readSmallFile, verifyManifest, MANIFEST_MAGIC, MANIFEST_MAX_BYTES, type BundleInfo
} from '../../links/bundle/index.js'
import { readError } from '../../links/bundle/files.js'

export interface Inspection { json: Record<string, unknown>, lines: string[], problem?: C5Error }

const n = (x: number): string => x.toLocaleString('en-US')
const iso = (t: number): string => new Date(t).toISOString()

async function firstBytes (path: string, count: number): Promise<Uint8Array> {
  let fh
  try {
    fh = await open(path, 'r')
    const buf = new Uint8Array(count)
    const { bytesRead } = await fh.read(buf, 0, count, 0)
    return buf.subarray(0, bytesRead)
  } catch (err) {
    throw readError(err, path)
  } finally {
    await fh?.close()
  }
}

export async function inspectFile (path: string): Promise<Inspection> {
  const head = await firstBytes(path, 4)
  if (head.length === 4 && MANIFEST_MAGIC.every((b, i) => head[i] === b)) return inspectManifest(path)
  return inspectBundle(path)
}

async function inspectManifest (path: string): Promise<Inspection> {
  const bytes = await readSmallFile(path, MANIFEST_MAX_BYTES)
  const m = decodeManifest(bytes, path)
  const valid = verifyManifest(m)
  const json = {
    format: 'manifest', version: 1, bytes: bytes.length, id: m.id, owner: toHex(m.owner), org: m.org, created: m.created,
    size: m.size, setDigest: toHex(m.digest), capacity: m.capacity, symbols: m.symbols.length, ranges: m.ranges.length,
    oldest: m.ranges.length === 0 ? null : m.ranges[0].upper, newest: m.ranges.length === 0 ? null : m.ranges[m.ranges.length - 1].upper,
    signatureValid: valid
  }
  const lines = [
    `manifest ${path}`,
    `  format     c5mesh manifest v1, ${n(bytes.length)} bytes (id ${m.id.slice(0, 12)})`,
    `  owner      ${toHex(m.owner)} (${m.org}), signature ${valid ? 'valid' : 'DOES NOT VERIFY'}`,
    `  created    ${iso(m.created)}`,
    `  messages   ${n(m.size)} (set digest ${toHex(m.digest)})`,
    `  symbols    ${n(m.symbols.length)}: decode a difference of up to about ${n(m.capacity)} messages exactly`,
    `  ranges     ${n(m.ranges.length)}${m.ranges.length === 0 ? '' : `, ${iso(m.ranges[0].upper)} … ${iso(m.ranges[m.ranges.length - 1].upper)}`}: beyond that, whole ranges are sent`
  ]
  return { json, lines, ...(valid ? {} : { problem: new C5Error('BUNDLE_BAD_SIGNATURE', `${path}: the manifest's signature does not verify for the node it names (altered or forged)`) }) }
}

async function inspectBundle (path: string): Promise<Inspection> {
  const src = await fileSource(path)
  const reader = await openBundle(src.chunks, { name: path })
  const info: BundleInfo = bundleInfo(reader.header)
  const byKind: Record<string, number> = {}
  const byPrecedence: Record<string, number> = {}
  let undecodable = 0
  let oldest = Infinity
  let newest = -Infinity
  const damage: Array<{ offset: number, length: number, message: string }> = []
  for await (const ev of reader.events()) {
    if (ev.type === 'damage') { damage.push({ offset: ev.offset, length: ev.length, message: ev.message }); continue }
    try {
      const e = decodeAnyEnvelope(ev.bytes)
      byKind[e.kind] = (byKind[e.kind] ?? 0) + 1
      byPrecedence[e.precedence] = (byPrecedence[e.precedence] ?? 0) + 1
      if (e.created < oldest) oldest = e.created
      if (e.created > newest) newest = e.created
    } catch {
      undecodable++
    }
  }
  const end = reader.end()
  const json = {
    format: 'bundle', version: 1, bytes: src.size, ...info, headerSignatureValid: reader.headerSignatureValid,
    records: end.records, byKind, byPrecedence, undecodable, oldest: end.records > 0 ? oldest : null, newest: end.records > 0 ? newest : null,
    complete: end.complete, truncated: end.truncated, intact: end.intact, damagedBytes: end.damagedBytes, damage: damage.slice(0, 20),
    ...(end.problem === undefined ? {} : { problem: end.problem })
  }
  const list = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${n(v)}`).join(', ') || '—'
  const lines = [
    `bundle ${path}`,
    `  format      c5mesh bundle v1, ${n(src.size)} bytes (id ${info.id})`,
    `  exporter    ${info.exporter} (${info.org}), header signature ${reader.headerSignatureValid ? 'valid' : 'DOES NOT VERIFY'}`,
    `  created     ${iso(info.created)}`,
    `  announced   ${n(info.count)} messages${info.since > 0 ? `, created since ${iso(info.since)}` : ''}`,
    ...info.answers.map(a => `  for         ${a.owner.slice(0, 16)}… (manifest of ${iso(a.manifestCreated)}): ${n(a.messages)} messages${a.exact ? '' : ' (by ranges)'}`),
    `  messages    ${n(end.records)} read: ${list(byKind)}${undecodable > 0 ? `, ${n(undecodable)} undecodable` : ''}`,
    `  precedence  ${list(byPrecedence)}`,
    ...(end.records > 0 ? [`  created     ${iso(oldest)} … ${iso(newest)}`] : []),
    `  file        ${end.intact ? 'intact: complete, and exactly what its exporter signed' : end.truncated ? `TRUNCATED: ${end.problem ?? ''}` : `DAMAGED: ${end.problem ?? ''}`}`,
    ...damage.slice(0, 5).map(d => `    at byte ${n(d.offset)}: ${n(d.length)} bytes unreadable (${d.message})`)
  ]
  let problem: C5Error | undefined
  if (!reader.headerSignatureValid) problem = new C5Error('BUNDLE_BAD_SIGNATURE', `${path}: its header is not signed by the node it names (altered or forged)`)
  else if (!end.intact) problem = new C5Error(end.truncated ? 'BUNDLE_TRUNCATED' : 'BUNDLE_CORRUPT', `${path}: ${end.problem ?? 'damaged'}`)
  return { json, lines, ...(problem === undefined ? {} : { problem }) }
}
