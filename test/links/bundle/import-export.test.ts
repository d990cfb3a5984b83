/**
 * Bundles between real nodes (LevelDB on disk): whole-store and difference bundles,
 * --since, and the files a courier may bring instead — tampered, truncated, foreign,
 * empty, or from a key that is not a node on the roster.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { createHash } from 'node:crypto'
import { isC5Error } from '../../../src/errors.js'
import { generateKeyPair, toHex } from '../../../src/identity/index.js'
import { decodeEnvelope } from '../../../src/envelope/index.js'
import {
  hasSeen, importBundle, localBundleNode, openBundle, type BundleNode, type ImportSummary
} from '../../../src/links/bundle/index.js'
import { createTestWorld, signWorldRoster, type TestWorld } from '../../helpers/world.js'
import { tempDir } from '../../helpers/tmp.js'
import { T0, chunked, collect, ingestAll, messages, openNode, type TestNode } from './helpers.js'

const START = T0 - 3_600_000

function bundleNodeOf (n: TestNode): BundleNode { return localBundleNode({ core: n.core, signer: n.key, org: n.org }) }

async function exportBytes (n: TestNode, request: Parameters<BundleNode['export']>[0] = {}): Promise<{ bytes: Uint8Array, view: Awaited<ReturnType<BundleNode['export']>>['view'] }> {
  const { view, body } = await bundleNodeOf(n).export(request)
  return { bytes: await collect(body), view }
}

async function importBytes (n: TestNode, bytes: Uint8Array, name = 'test.bundle'): Promise<ImportSummary> {
  return importBundle(n.core, chunked(bytes, 8192), { name })
}

/** Payloads of a bundle's records, in file order. */
async function recordsOf (bytes: Uint8Array): Promise<Uint8Array[]> {
  const r = await openBundle(chunked(bytes))
  const out: Uint8Array[] = []
  for await (const ev of r.events()) if (ev.type === 'record') out.push(ev.bytes)
  return out
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('bundle export and import between nodes on disk', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let world: TestWorld
  let now = T0
  const clock = { now: () => now }
  const nodes: TestNode[] = []
  const node = async (m: number): Promise<TestNode> => { const n = await openNode(world, m, dir.path, clock); nodes.push(n); return n }

  beforeEach(async () => {
    now = T0
    dir = await tempDir('c5mesh-bundle-')
    world = createTestWorld(['MX-YUC', 'MX-CMX', 'MX-JAL'], T0 - 86_400_000)
  })
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.close()
    await dir.cleanup()
  })

  it('a whole store crosses: roster first, then flash before routine; importing twice adds nothing', async () => {
    const a = await node(0)
    const b = await node(1)
    const envs = messages(world, 0, 300, START)
    await ingestAll(a.core, envs)
    const { bytes, view } = await exportBytes(a)
    expect(view.count).toBe(301)
    const records = await recordsOf(bytes)
    expect(records).toHaveLength(301)
    expect(sha(records[0])).toBe(sha(world.rosterEnvelope.bytes))
    const ranks = records.slice(1).map(r => ['flash', 'immediate', 'priority', 'routine'].indexOf(decodeEnvelope(r).precedence))
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y))

    const first = await importBytes(b, bytes)
    expect(first).toMatchObject({ records: 301, new: 300, known: 1, rejected: 0, intact: true, complete: true })
    expect(first.problem).toBeUndefined()
    expect(first.bundle).toMatchObject({ exporter: toHex(a.key.publicKey), org: 'MX-YUC', count: 301 })
    expect(b.core.store.count()).toBe(301)
    for (const e of envs) expect(b.core.store.holds(e.digest)).toBe(true)
    expect(await hasSeen(b.core.store, first.bundle.id)).toBe(true)
    const again = await importBytes(b, bytes)
    expect(again).toMatchObject({ new: 0, known: 301, rejected: 0, intact: true })
    expect(b.core.store.count()).toBe(301)
  })

  it('--since carries the newer messages and the roster', async () => {
    const a = await node(0)
    const envs = messages(world, 0, 100, START)
    await ingestAll(a.core, envs)
    const since = envs[60].created
    const records = await recordsOf((await exportBytes(a, { since })).bytes)
    expect(records.map(sha).sort()).toEqual([world.rosterEnvelope.bytes, ...envs.slice(60).map(e => e.bytes)].map(sha).sort())
  })

  it('a difference bundle for a manifest carries exactly what its owner lacks, and says so in its header', async () => {
    const a = await node(0)
    const b = await node(1)
    const common = messages(world, 0, 200, START)
    const onlyA = messages(world, 0, 30, START + 500_000, 'a')
    const onlyB = messages(world, 1, 10, START + 600_000, 'b')
    await ingestAll(a.core, [...common, ...onlyA])
    await ingestAll(b.core, [...common, ...onlyB])
    const manifest = await bundleNodeOf(b).manifest()
    const { bytes, view } = await exportBytes(a, { manifests: [{ name: 'b.manifest', bytes: manifest }] })
    expect(view.used).toEqual([expect.objectContaining({ org: 'MX-CMX', messages: 30, method: 'symbols' })])
    expect((await recordsOf(bytes)).map(sha).sort()).toEqual(onlyA.map(e => sha(e.bytes)).sort())
    const s = await importBytes(b, bytes)
    expect(s).toMatchObject({ new: 30, known: 0, intact: true })
    expect(s.bundle.answers).toEqual([expect.objectContaining({ owner: toHex(b.key.publicKey), messages: 30, exact: true })])
    // Now B lacks nothing of A's: an answer to its new manifest is empty.
    const next = await exportBytes(a, { manifests: [{ name: 'b.manifest', bytes: await bundleNodeOf(b).manifest() }] })
    expect(next.view.count).toBe(0)
  })

  it('a manifest that was altered, or made by a key off the roster, is refused; the others are answered', async () => {
    const a = await node(0)
    const b = await node(1)
    await ingestAll(a.core, messages(world, 0, 20, START))
    const good = await bundleNodeOf(b).manifest()
    const altered = good.slice(); altered[40] ^= 1
    const stranger = localBundleNode({ core: b.core, signer: generateKeyPair(), org: 'MX-XXX' })
    const { view } = await exportBytes(a, { manifests: [{ name: 'good', bytes: good }, { name: 'altered', bytes: altered }, { name: 'stranger', bytes: await stranger.manifest() }] })
    expect(view.used.map(u => u.name)).toEqual(['good'])
    expect(view.skipped.map(s => [s.name, s.code])).toEqual([['altered', 'BUNDLE_BAD_SIGNATURE'], ['stranger', 'BUNDLE_UNKNOWN_NODE']])
  })

  it('a tampered bundle keeps every message that verifies and reports the rest; it is not recorded as seen', async () => {
    const a = await node(0)
    const b = await node(1)
    const envs = messages(world, 0, 50, START)
    await ingestAll(a.core, envs)
    const bytes = (await exportBytes(a)).bytes
    // 1. A byte flipped inside one message: its record no longer matches its tag.
    const target = envs[10].bytes
    const at = Buffer.from(bytes).indexOf(Buffer.from(target)) + 40
    const flipped = bytes.slice(); flipped[at] ^= 0xff
    const s1 = await importBytes(b, flipped)
    expect(s1).toMatchObject({ new: 49, rejected: 0, intact: false, complete: true })
    expect(s1.damage).toHaveLength(1)
    expect(s1.problem?.code).toBe('BUNDLE_CORRUPT')
    expect(b.core.store.holds(envs[10].digest)).toBe(false)
    expect(await hasSeen(b.core.store, s1.bundle.id)).toBe(false)
    // 2. A forger who also fixes the record tag: ingest refuses the altered message itself.
    const c = await node(2)
    const forged = bytes.slice()
    const start = Buffer.from(bytes).indexOf(Buffer.from(target))
    forged[start + 40] ^= 0xff
    const digest = createHash('sha256').update(forged.subarray(start, start + target.length)).digest()
    forged.set(digest.subarray(0, 4), start - 4)
    const s2 = await importBytes(c, forged)
    expect(s2).toMatchObject({ new: 49, rejected: 1, intact: false })
    expect(Object.keys(s2.byCode).filter(k => k.startsWith('ENVELOPE_'))).toHaveLength(1)
    expect(s2.problem?.code).toBe('BUNDLE_CORRUPT')
  })

  it('a truncated bundle keeps what it holds; the whole file brings the rest later', async () => {
    const a = await node(0)
    const b = await node(1)
    await ingestAll(a.core, messages(world, 0, 100, START))
    const bytes = (await exportBytes(a)).bytes
    const cut = await importBytes(b, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    expect(cut.truncated).toBe(true)
    expect(cut.problem?.code).toBe('BUNDLE_TRUNCATED')
    expect(cut.new).toBeGreaterThan(50)
    expect(cut.new).toBeLessThan(100)
    expect(b.core.store.count()).toBe(1 + cut.new)
    const whole = await importBytes(b, bytes)
    expect(whole).toMatchObject({ new: 100 - cut.new, known: cut.new + 1, intact: true })
    expect(b.core.store.count()).toBe(101)
  })

  it('a source that breaks mid-way (a pulled stick) keeps what was read and says so', async () => {
    const a = await node(0)
    const b = await node(1)
    await ingestAll(a.core, messages(world, 0, 100, START))
    const bytes = (await exportBytes(a)).bytes
    async function * pulled (): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, Math.floor(bytes.length / 2))
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
    }
    const s = await importBundle(b.core, pulled(), { name: 'pulled.bundle' })
    expect(s.problem?.code).toBe('BUNDLE_UNREADABLE')
    expect(s.new).toBeGreaterThan(30)
    expect(b.core.store.count()).toBe(1 + s.new)
    expect(await hasSeen(b.core.store, s.bundle.id)).toBe(false)
  })

  it('foreign, empty and header-cut files are refused with one code, and nothing changes', async () => {
    const b = await node(1)
    const before = b.core.store.count()
    const cases: Array<[Uint8Array, string]> = [
      [new TextEncoder().encode('%PDF-1.7 not a bundle at all'), 'BUNDLE_FOREIGN'],
      [new Uint8Array(0), 'BUNDLE_EMPTY'],
      [new TextEncoder().encode('C5MB'), 'BUNDLE_TRUNCATED'],
      [await bundleNodeOf(b).manifest(), 'BUNDLE_FOREIGN']
    ]
    for (const [bytes, code] of cases) {
      const err = await importBytes(b, bytes).then(() => undefined, e => e)
      expect(isC5Error(err, code as any), code).toBe(true)
    }
    expect(b.core.store.count()).toBe(before)
  })

  it('a bundle exported by a key that is not a node on the roster is refused', async () => {
    const a = await node(0)
    const b = await node(1)
    await ingestAll(a.core, messages(world, 0, 5, START))
    const stranger = localBundleNode({ core: a.core, signer: generateKeyPair(), org: 'MX-YUC' })
    // Its roster envelope is accepted (self-authenticating) — B has it already — the rest is not.
    const bytes = await collect((await stranger.export({})).body)
    const err = await importBytes(b, bytes).then(() => undefined, e => e)
    expect(isC5Error(err, 'BUNDLE_UNKNOWN_NODE')).toBe(true)
    expect(b.core.store.count()).toBe(1)
  })

  it('a new node\'s first bundle carries the roster that admits it: roster first, then its messages', async () => {
    const now0 = T0 - 86_400_000
    const v1 = { ...world.document, members: world.document.members.filter(m => !world.members[2].node.publicKey.every((x, i) => m.key[i] === x) && !world.members[2].operator.publicKey.every((x, i) => m.key[i] === x)) }
    const old = signWorldRoster(world.root, v1, now0)
    const v2 = signWorldRoster(world.root, { ...world.document, version: 2, issued: now0 + 1000 }, now0 + 1000)
    const b = await openNode({ ...world, rosterEnvelope: old.rosterEnvelope }, 1, dir.path, clock)
    nodes.push(b)
    expect(b.core.roster.version()).toBe(1)
    const x = await openNode({ ...world, rosterEnvelope: v2.rosterEnvelope }, 2, dir.path, clock)
    nodes.push(x)
    const envs = messages(world, 2, 10, START)
    await ingestAll(x.core, envs)
    const s = await importBytes(b, (await exportBytes(x)).bytes)
    expect(s).toMatchObject({ new: 11, rejected: 0, intact: true })
    expect(b.core.roster.version()).toBe(2)
    for (const e of envs) expect(b.core.store.holds(e.digest)).toBe(true)
  })
})
