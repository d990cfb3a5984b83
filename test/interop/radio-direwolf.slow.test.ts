/**
 * Radio end to end through two real Direwolf modems joined by FIFOs (shared/recipes/
 * radio-direwolf.md): real nodes (LevelDB on disk, the real ingest, sync sessions and radio
 * link layer) on Direwolf's KISS TCP ports, with real airtime. 1,200 bit/s where airtime is
 * the point, 9,600 elsewhere. Each test starts its own pair and always stops it.
 */
import { describe, it, expect } from 'vitest'
import { randomBytes } from 'node:crypto'
import { composeEnvelope, sampleAlert, type Content, type Envelope, type Precedence } from '../../src/envelope/index.js'
import { createTestWorld, type TestWorld, type WorldMember } from '../../src/sim/world.js'
import { direwolfInstalled, startDirewolfPair, type DirewolfPair } from '../../src/sim/direwolf.js'
import { openRadioNode, type RadioTestNode } from '../../src/sim/radio-node.js'
import { openKissTcp, openKissSerial, type KissPort } from '../../src/links/kiss/index.js'
import { frameAirtimeMs } from '../../src/links/kiss/airtime.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeCore } from '../../src/node/core.js'
import type { AirByKind } from '../../src/sim/radio-node.js'

const airOf = (air: AirByKind, ...kinds: string[]): number => kinds.reduce((n, k) => n + (air.get(k)?.bytes ?? 0), 0)

const MIN = 60_000
const hasDirewolf = direwolfInstalled()

interface Rig { pair: DirewolfPair, world: TestWorld, a: RadioTestNode, b: RadioTestNode, ports: KissPort[], stop: () => Promise<void> }

/** Two nodes on a Direwolf pair; `members` picks who is on which side (b may be off the roster). */
async function rig (baud: 1200 | 9600, opts: { corrupt?: number, world?: TestWorld, bMember?: WorldMember, bWorld?: TestWorld, serialB?: boolean, prepareA?: (c: NodeCore) => Promise<void>, prepareB?: (c: NodeCore) => Promise<void> } = {}): Promise<Rig> {
  const pair = await startDirewolfPair({ baud, ...(opts.corrupt === undefined ? {} : { corrupt: opts.corrupt }), ...(opts.serialB === true ? { pty: true } : {}) })
  const dir = await tempDir('c5mesh-radio-')
  const ports: KissPort[] = []
  const nodes: RadioTestNode[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map(async n => { await n.close().catch(() => {}) }))
    for (const p of ports) await p.close().catch(() => {})
    await pair.stop()
    await dir.cleanup()
  }
  try {
    const world = opts.world ?? createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const common = { bitRate: baud, txDelayMs: 300, txTailMs: 100, fullDuplex: true }
    const pa = openKissTcp({ host: '127.0.0.1', port: pair.kissA, ...common })
    const pb = opts.serialB === true ? openKissSerial({ path: pair.ptyB!, baudRate: 115_200, ...common }) : openKissTcp({ host: '127.0.0.1', port: pair.kissB, ...common })
    ports.push(pa, pb)
    await Promise.all([pa.ready, pb.ready])
    const a = await openRadioNode({ world, member: world.members[0], dir: `${dir.path}/a`, port: pa, stationId: 'C5-YUC', ...(opts.prepareA === undefined ? {} : { prepare: opts.prepareA }) })
    nodes.push(a)
    const b = await openRadioNode({ world: opts.bWorld ?? world, member: opts.bMember ?? world.members[1], dir: `${dir.path}/b`, port: pb, stationId: 'C5-CAM', ...(opts.prepareB === undefined ? {} : { prepare: opts.prepareB }) })
    nodes.push(b)
    return { pair, world, a, b, ports, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function linked (r: Rig, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (!(r.a.radio.peering.sessions.size > 0 && r.b.radio.peering.sessions.size > 0 && r.a.radio.view().neighbours.some(n => n.sync !== undefined && n.sync.framesReceived.hello > 0) && r.b.radio.view().neighbours.some(n => n.sync !== undefined && n.sync.framesReceived.hello > 0))) {
    if (Date.now() > until) throw new Error(`no radio link after ${ms} ms: ${JSON.stringify([r.a.radio.view(), r.b.radio.view()])}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

function alert (m: WorldMember, seq: number, opts: { precedence?: Precedence, description?: string } = {}): Envelope {
  const u = sampleAlert({ author: m.operator.publicKey, org: m.org, created: Date.now(), seq })
  const { version: _v, author: _a, created: _c, expires: _e, precedence: _p, content, ...fields } = u
  return composeEnvelope({ ...fields, org: m.org, ttlS: 86_400, content: { ...content, ...(opts.description === undefined ? {} : { description: opts.description }) } as Content, ...(opts.precedence === undefined ? {} : { precedence: opts.precedence }) }, m.operator, { now: Date.now() })
}

function bulletin (m: WorldMember, seq: number, bytes: number): Envelope {
  // Text that DEFLATE cannot shrink much: the 20 KB on the air are 20 KB.
  const text = randomBytes(Math.ceil(bytes * 0.75)).toString('base64').slice(0, bytes)
  return composeEnvelope({ kind: 'bulletin', org: m.org, content: { msgType: 'Alert', headline: `Boletin ${seq}`, description: text } }, m.operator, { now: Date.now() })
}

async function within<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: not within ${ms} ms`)) }, ms) })])
  } finally { clearTimeout(timer) }
}

describe.skipIf(!hasDirewolf)('radio through two Direwolf modems', () => {
  it('1,200 bit/s: an alert and a bulletin cross intact, exactly once', async () => {
    const r = await rig(1200)
    try {
      await linked(r, 2 * MIN)
      const al = alert(r.world.members[0], 1)
      const bu = bulletin(r.world.members[0], 2, 600)
      expect((await r.a.core.ingest.ingest(al.bytes, 'local')).ok).toBe(true)
      expect((await r.a.core.ingest.ingest(bu.bytes, 'local')).ok).toBe(true)
      await within(Promise.all([r.b.arrival(al.id), r.b.arrival(bu.id)]), 2 * MIN, 'alert and bulletin at B')
      const got = await r.b.core.store.get(al.digest)
      expect(Buffer.from(got!.envelope.bytes).equals(Buffer.from(al.bytes))).toBe(true)
      expect(Buffer.from((await r.b.core.store.get(bu.digest))!.envelope.bytes).equals(Buffer.from(bu.bytes))).toBe(true)
      expect(r.b.seen.get(al.id)!.count).toBe(1)
      expect(r.b.seen.get(bu.id)!.count).toBe(1)
      for (const s of r.b.radio.peering.sessions.values()) expect(s.stats().messagesKnown).toBe(0)
      // Real air: the KISS port paced its writes on the airtime it computed.
      expect((r.ports[0].stats().airtimeMs)).toBeGreaterThan(5_000)
    } finally { await r.stop() }
  }, 5 * MIN)

  it('1,200 bit/s: a flash alert queued behind 20 KB of routine bulletins arrives within one frame\'s airtime plus its own', async () => {
    const r = await rig(1200)
    try {
      await linked(r, 2 * MIN)
      const m = r.world.members[0]
      for (let i = 0; i < 24; i++) expect((await r.a.core.ingest.ingest(bulletin(m, 100 + i, 1000).bytes, 'local')).ok).toBe(true)
      // Let the routine traffic get on the air.
      await new Promise(resolve => setTimeout(resolve, 5_000))
      const q = r.a.radio.station.stats().queue.routine
      expect(q.bytes).toBeGreaterThanOrEqual(20_000)
      const flash = alert(m, 999, { precedence: 'flash' })
      const t0 = Date.now()
      expect((await r.a.core.ingest.ingest(flash.bytes, 'local')).ok).toBe(true)
      const at = await within(r.b.arrival(flash.id), MIN, 'flash at B')
      const waited = at - t0
      const frameMs = frameAirtimeMs(new Uint8Array(256).fill(0x55), { bitRate: 1200, txDelayMs: 300, txTailMs: 100 })
      // Its own airtime: the flash envelope (compressed as sent) in two frames at most.
      const ownMs = 2 * frameMs
      console.log(`flash behind ${q.bytes} B of routine: arrived after ${waited} ms (bound ${Math.round(frameMs + ownMs)} ms)`)
      expect(waited).toBeLessThan(frameMs + ownMs + 1_000)
      expect(r.a.radio.station.stats().queue.routine.packets).toBeGreaterThan(0)
    } finally { await r.stop() }
  }, 5 * MIN)

  it('9,600 bit/s: a station whose node key is not on the roster is ignored', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const other = createTestWorld(['MX-XXX'], Date.now())
    const r = await rig(9600, { world, bWorld: other, bMember: other.members[0] })
    try {
      const al = alert(other.members[0], 7)
      expect((await r.b.core.ingest.ingest(al.bytes, 'local')).ok).toBe(true)
      await new Promise(resolve => setTimeout(resolve, 20_000))
      const n = r.a.radio.view().neighbours
      expect(n.map(x => [x.stationId, x.state])).toEqual([['C5-CAM', 'refused']])
      expect(r.a.radio.peering.sessions.size).toBe(0)
      expect(r.a.seen.has(al.id)).toBe(false)
      expect(r.a.core.store.holds(al.digest)).toBe(false)
    } finally { await r.stop() }
  }, 3 * MIN)

  it('9,600 bit/s: two nodes that differ by 5 messages out of 5,000 converge, reconciling in a few hundred bytes of air', async () => {
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const m = world.members[0]
    const base = Date.now() - 3_600_000
    const shared: Envelope[] = []
    for (let i = 0; i < 5000; i++) {
      const u = sampleAlert({ author: m.operator.publicKey, org: m.org, created: base + i * 500, seq: i })
      const { version: _v, author: _a, created: _c, expires: _e, ...fields } = u
      shared.push(composeEnvelope({ ...fields, org: m.org, ttlS: 86_400 }, m.operator, { now: base + i * 500 }))
    }
    const fresh = Array.from({ length: 5 }, (_, i) => alert(m, 9000 + i))
    const fill = (list: Envelope[]) => async (c: NodeCore): Promise<void> => {
      for (const e of list) { const res = await c.ingest.ingest(e.bytes, 'local'); if (!res.ok) throw new Error(res.code) }
    }
    const r = await rig(9600, { world, prepareA: fill([...shared, ...fresh]), prepareB: fill(shared) })
    try {
      await within(Promise.all(fresh.map(async e => await r.b.arrival(e.id))), 3 * MIN, 'the 5 new messages at B')
      // Let the round finish (DONE) before counting.
      await new Promise(resolve => setTimeout(resolve, 5_000))
      const recon = airOf(r.a.air, 'recon', 'want', 'done') + airOf(r.b.air, 'recon', 'want', 'done')
      const setup = airOf(r.a.air, 'station-hello', 'hello') + airOf(r.b.air, 'station-hello', 'hello')
      console.log(`reconcile 5 of 5,000 over radio: ${recon} B of RECON/WANT/DONE on the air (link setup ${setup} B), msgs ${airOf(r.a.air, 'msg')} B`)
      expect(recon).toBeLessThan(600)
      for (const e of fresh) expect(r.b.seen.get(e.id)?.count).toBe(1)
    } finally { await r.stop() }
  }, 5 * MIN)

  it('9,600 bit/s: with a relay corrupting audio A → B, frames drop and everything still arrives exactly once', async () => {
    const r = await rig(9600, { corrupt: 0.05 })
    try {
      await linked(r, 2 * MIN)
      const m = r.world.members[0]
      const sent = Array.from({ length: 20 }, (_, i) => alert(m, 500 + i))
      for (const e of sent) expect((await r.a.core.ingest.ingest(e.bytes, 'local')).ok).toBe(true)
      await within(Promise.all(sent.map(async e => await r.b.arrival(e.id))), 4 * MIN, 'all 20 alerts at B')
      for (const e of sent) expect(r.b.seen.get(e.id)!.count).toBe(1)
      const nb = r.b.radio.view().neighbours.find(n => n.stationId === 'C5-YUC')!
      console.log(`corrupting relay: ${r.pair.corrupted()} audio chunks garbled, B NACKed ${nb.nacked} frames, A sent ${r.a.radio.station.stats().retransmissions} again`)
      expect(r.pair.corrupted()).toBeGreaterThan(0)
      expect(nb.nacked).toBeGreaterThan(0)
      expect(r.a.radio.station.stats().retransmissions).toBeGreaterThan(0)
    } finally { await r.stop() }
  }, 6 * MIN)

  it('9,600 bit/s over a serial line: B talks KISS on Direwolf\'s pseudo terminal (the serialport package), both ways', async () => {
    const r = await rig(9600, { serialB: true })
    try {
      expect(r.ports[1].label).toMatch(/^kiss-serial:\/dev\/pts\//)
      await linked(r, 2 * MIN)
      const ab = alert(r.world.members[0], 1)
      const ba = alert(r.world.members[1], 2)
      expect((await r.a.core.ingest.ingest(ab.bytes, 'local')).ok).toBe(true)
      expect((await r.b.core.ingest.ingest(ba.bytes, 'local')).ok).toBe(true)
      await within(Promise.all([r.b.arrival(ab.id), r.a.arrival(ba.id)]), 2 * MIN, 'alerts both ways')
      expect(r.ports[1].stats().framesRead).toBeGreaterThan(0)
      expect(r.ports[1].stats().framesWritten).toBeGreaterThan(0)
    } finally { await r.stop() }
  }, 4 * MIN)
})
