/** Golden vectors (test/vectors/bundle-v1.json, quoted in docs/protocol/bundle.md): any change to a byte layout fails here. */
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { fromHex, toHex } from '../../../src/identity/keys.js'
import { decodeManifest, openBundle, verifyManifest } from '../../../src/links/bundle/index.js'
import { bundleVectors, BUNDLE_VECTORS_PATH } from './vector-cases.js'
import { chunked } from './helpers.js'

const file = JSON.parse(readFileSync(BUNDLE_VECTORS_PATH, 'utf8'))

describe('bundle and manifest golden vectors', () => {
  it('the encoder reproduces them byte for byte', async () => {
    expect(await bundleVectors()).toEqual(file)
  })

  it('the bundle vector reads back: header fields, both records, intact', async () => {
    const r = await openBundle(chunked(fromHex(file.bundle.hex), 33))
    expect(r.headerSignatureValid).toBe(true)
    expect(r.header).toMatchObject({ org: 'MX-YUC', created: file.bundle.created, count: 2, since: 0, id: file.bundle.id })
    expect(toHex(r.header.exporter)).toBe(file.bundle.exporterKey)
    expect(r.header.answers.map(a => [toHex(a.owner), a.messages, a.exact])).toEqual([[file.bundle.answerOwnerKey, 2, true]])
    const records: string[] = []
    for await (const ev of r.events()) if (ev.type === 'record') records.push(toHex(ev.digest).slice(0, 8))
    expect(records).toEqual(file.bundle.records.map((x: { tagIsDigestPrefix: string }) => x.tagIsDigestPrefix))
    expect(r.end()).toMatchObject({ intact: true, records: 2 })
  })

  it('the manifest vector reads back and verifies', () => {
    const m = decodeManifest(fromHex(file.manifest.hex))
    expect(verifyManifest(m)).toBe(true)
    expect(m).toMatchObject({ org: 'MX-CMX', created: file.manifest.created, size: 3, capacity: 1 })
    expect(m.symbols.length).toBe(8)
    expect(m.ranges.map(x => [x.upper, x.count])).toEqual([[file.manifest.items[2].timestamp, 3]])
  })
})
