/**
 * The radio benchmark (issue 8): two real nodes through two real Direwolf modems at
 * 1,200 bit/s (joined by FIFOs, shared/recipes/radio-direwolf.md), real airtime.
 *
 *   npm run bench -- radio        (about 5 minutes; needs direwolf)
 *
 * Prints progress, then one JSON line:
 *   alert_air_bytes     KISS bytes the sample alert (envelope-size's) took on the line: every
 *                       fragment, radio header and KISS framing (DEFLATE applied as sent)
 *   overhead_bytes      alert_air_bytes − its content text bytes (goal ≤ 100; LXMF: 111)
 *   goodput_ratio       message bytes delivered per second in a bulk transfer, over what
 *                       Direwolf carries back-to-back with raw frames of the same size,
 *                       measured first in the same run (goal ≥ 0.8)
 *   flash_behind_bulk_s a flash alert queued behind ≥ 20 KB of routine bulletins: time to
 *                       arrival (goal ≤ one frame's airtime plus its own)
 *   reconcile_air_bytes RECON, WANT and DONE on the air (both ways) when two nodes that
 *                       differ by 5 messages among 5,000 link (goal ≤ 600)
 * and the figures that explain them (baselines, bounds, the uncompressed equivalents).
 */
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { composeEnvelope, envelopeOverhead, sampleAlert, type Envelope } from '../src/envelope/index.js'
import { createTestWorld, type WorldMember } from '../src/sim/world.js'
import { startDirewolfPair, type DirewolfPair } from '../src/sim/direwolf.js'
import { openRadioNode, type RadioTestNode } from '../src/sim/radio-node.js'
import { encodeKissFrame, KissDeframer, openKissTcp, frameAirtimeMs, hdlcFrameBits, type KissPort } from '../src/links/kiss/index.js'
import { KISS_FRAME_OVERHEAD_BYTES, escapedLength } from '../src/links/kiss/kiss.js'
import { encodeFrame } from '../src/sync/frames.js'
import { DEFAULT_RADIO_FRAME_BYTES } from '../src/links/radio/constants.js'

const BAUD = 1200
const KEYING = { bitRate: BAUD, txDelayMs: 300, txTailMs: 100 }
const FRAME = DEFAULT_RADIO_FRAME_BYTES
const say = (line: string): void => { console.error(line) }
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

async function within<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined
  try { return await Promise.race([p, new Promise<never>((resolve, reject) => { t = setTimeout(() => { reject(new Error(`${what}: not within ${ms} ms`)) }, ms) })]) } finally { clearTimeout(t) }
}

/**
 * Raw frames back to back: two bursts of n frames of FRAME bytes written at once to A's KISS
 * port (Direwolf sends a burst in one key-up); B gets the second burst one key-up after the
 * first. Over the FIFOs a burst arrives faster than its airtime (the receiver decodes as fast
 * as audio is written), but A cannot key up again before the first key-up's real end, so the
 * gap between the bursts' last frames is the real airtime of a burst.
 */
async function rawBaseline (pair: DirewolfPair, n: number): Promise<{ bytesPerS: number, burstMs: number }> {
  const a = connect(pair.kissA, '127.0.0.1')
  const b = connect(pair.kissB, '127.0.0.1')
  await Promise.all([new Promise(resolve => a.once('connect', resolve)), new Promise(resolve => b.once('connect', resolve))])
  const deframer = new KissDeframer(2048)
  const arrivals: number[] = []
  let wake: (() => void) | undefined
  b.on('data', (chunk: Buffer) => { for (const f of deframer.push(chunk)) if (f.data.length === FRAME) { arrivals.push(Date.now()); wake?.() } })
  const until = async (count: number): Promise<void> => { while (arrivals.length < count) await new Promise<void>(resolve => { wake = resolve }) }
  const burst = (): void => { for (let i = 0; i < n; i++) a.write(encodeKissFrame(new Uint8Array(randomBytes(FRAME)))) }
  try {
    burst()
    await within(until(n), 120_000, 'first raw burst')
    burst()
    await within(until(2 * n), 120_000, 'second raw burst')
    const burstMs = arrivals[2 * n - 1] - arrivals[n - 1]
    return { bytesPerS: (n * FRAME) / (burstMs / 1000), burstMs }
  } finally { a.destroy(); b.destroy() }
}

function alertOf (m: WorldMember, seq: number, created = Date.now()): Envelope {
  const u = sampleAlert({ author: m.operator.publicKey, org: m.org, created, seq })
  const { version: _v, author: _a, created: _c, expires: _e, ...fields } = u
  return composeEnvelope({ ...fields, org: m.org, ttlS: 86_400 }, m.operator, { now: created })
}

function bulletinOf (m: WorldMember, seq: number, bytes: number): Envelope {
  const text = randomBytes(Math.ceil(bytes * 0.75)).toString('base64').slice(0, bytes)
  return composeEnvelope({ kind: 'bulletin', org: m.org, content: { msgType: 'Alert', headline: `Boletin ${seq}`, description: text } }, m.operator, { now: Date.now() })
}

/** Bytes a MSG with this envelope takes as sent: the sync frame, DEFLATE-compressed when shorter. */
function wireBytes (e: Envelope): number {
  const f = encodeFrame({ type: 'msg', envelope: e.bytes }, { maxFrameBytes: 1 << 20 })
  return Math.min(f.length, deflateRawSync(f, { level: 9 }).length)
}

const air = (n: RadioTestNode, ...kinds: string[]): number => kinds.reduce((s, k) => s + (n.air.get(k)?.bytes ?? 0), 0)

export async function run (): Promise<Record<string, unknown>> {
  const pair = await startDirewolfPair({ baud: BAUD })
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-bench-radio-'))
  const ports: KissPort[] = []
  const nodes: RadioTestNode[] = []
  try {
    say('radio bench: two Direwolf modems at 1200 bit/s, TXDELAY 300 ms, TXTAIL 100 ms')
    const raw = await rawBaseline(pair, 8)
    say(`  raw ${FRAME}-byte frames back to back: ${raw.bytesPerS.toFixed(1)} B/s (a burst of 8 frames: ${raw.burstMs} ms)`)

    // Two nodes that share 5,000 messages; A holds 5 more, created last.
    const world = createTestWorld(['MX-YUC', 'MX-CAM'], Date.now())
    const m = world.members[0]
    const base = Date.now() - 3_600_000
    const shared = Array.from({ length: 5000 }, (_, i) => alertOf(m, i, base + i * 500))
    const fresh = Array.from({ length: 5 }, (_, i) => alertOf(m, 9000 + i))
    const fill = (list: Envelope[]) => async (c: RadioTestNode['core']): Promise<void> => {
      for (const e of list) { const r = await c.ingest.ingest(e.bytes, 'local'); if (!r.ok) throw new Error(r.code) }
    }
    say('  filling both stores (5,000 shared, A has 5 more)…')
    const common = { ...KEYING, fullDuplex: true }
    const pa = openKissTcp({ host: '127.0.0.1', port: pair.kissA, ...common })
    const pb = openKissTcp({ host: '127.0.0.1', port: pair.kissB, ...common })
    ports.push(pa, pb)
    await Promise.all([pa.ready, pb.ready])
    const t0 = Date.now()
    const a = await openRadioNode({ world, member: m, dir: join(dir, 'a'), port: pa, stationId: 'C5-YUC', prepare: fill([...shared, ...fresh]) })
    nodes.push(a)
    const b = await openRadioNode({ world, member: world.members[1], dir: join(dir, 'b'), port: pb, stationId: 'C5-CAM', prepare: fill(shared) })
    nodes.push(b)
    say(`  filled in ${Math.round((Date.now() - t0) / 1000)} s; linking and reconciling…`)
    await within(Promise.all(fresh.map(async e => await b.arrival(e.id))), 5 * 60_000, 'the 5 new messages at B')
    await sleep(8_000) // the round's DONE
    const reconcileAir = air(a, 'recon', 'want', 'done') + air(b, 'recon', 'want', 'done')
    const setupAir = air(a, 'station-hello', 'hello') + air(b, 'station-hello', 'hello')
    say(`  reconcile 5 of 5,000: ${reconcileAir} B of RECON/WANT/DONE on the air; link setup (hellos) ${setupAir} B; the 5 MSGs ${air(a, 'msg')} B`)

    // The sample alert, pushed from A: what its MSG took on the line.
    const beforeMsg = air(a, 'msg')
    const sample = alertOf(m, 424242)
    if (!(await a.core.ingest.ingest(sample.bytes, 'local')).ok) throw new Error('sample refused')
    await within(b.arrival(sample.id), 60_000, 'the sample alert at B')
    const alertAir = air(a, 'msg') - beforeMsg
    const contentBytes = sample.bytes.length - envelopeOverhead(sample)
    const uncompressedAir = (() => {
      // The same alert without DEFLATE: its sync frame in two even fragments with their headers, as KISS frames.
      const f = encodeFrame({ type: 'msg', envelope: sample.bytes }, { maxFrameBytes: 1 << 20 })
      const n = f.length <= FRAME - 9 ? 1 : 1 + Math.ceil((f.length - (FRAME - 9)) / (FRAME - 7))
      return f.length + 9 + 7 * (n - 1) + n * KISS_FRAME_OVERHEAD_BYTES + (escapedLength(f) - f.length)
    })()
    say(`  sample alert: envelope ${sample.bytes.length} B (content text ${contentBytes} B, envelope overhead ${envelopeOverhead(sample)} B); on the line ${alertAir} B → overhead ${alertAir - contentBytes} B (${uncompressedAir - contentBytes} B without DEFLATE)`)

    // Bulk: 30 routine bulletins of ~1 KB of base64 text, then a flash alert while ≥ 20 KB wait.
    const bulk = Array.from({ length: 30 }, (_, i) => bulletinOf(m, i, 1000))
    const tBulk = Date.now()
    for (const e of bulk) if (!(await a.core.ingest.ingest(e.bytes, 'local')).ok) throw new Error('bulletin refused')
    const firstAt = await within(b.arrival(bulk[0].id), 120_000, 'first bulletin')
    // Bytes of routine bulletins still waiting for the air (as they will be sent: compressed).
    const queued = a.radio.station.stats().queue.routine.bytes
    const flashEnv = composeEnvelope({ kind: 'alert', org: m.org, precedence: 'flash', content: { msgType: 'Alert', urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed', event: 'Sismo', headline: 'Sismo fuerte: evacuar edificios', description: 'Sismo de magnitud 7.4 con epicentro cerca de la costa. Evacuar y alejarse de la playa.' } }, m.operator, { now: Date.now() })
    const tFlash = Date.now()
    if (!(await a.core.ingest.ingest(flashEnv.bytes, 'local')).ok) throw new Error('flash refused')
    const flashAt = await within(b.arrival(flashEnv.id), 60_000, 'the flash alert')
    const frameS = frameAirtimeMs(new Uint8Array(FRAME).fill(0x55), KEYING) / 1000
    const flashWire = wireBytes(flashEnv)
    const flashFrames = flashWire <= FRAME - 9 ? 1 : 1 + Math.ceil((flashWire - (FRAME - 9)) / (FRAME - 7))
    const flashFrameBytes = Math.ceil(flashWire / flashFrames) + 9
    const ownS = flashFrames * frameAirtimeMs(new Uint8Array(flashFrameBytes).fill(0x55), KEYING) / 1000
    // Over the FIFOs B decodes a frame as soon as A's Direwolf has written its audio, before
    // the frame's airtime ends; on a radio it arrives at the end. Add the last frame's bits.
    const fifoS = (flashAt - tFlash) / 1000
    const lastFrameBitsS = hdlcFrameBits(new Uint8Array(flashFrameBytes).fill(0x55)) / BAUD
    const flashS = fifoS + lastFrameBitsS
    say(`  flash behind ${queued} B of routine bulletins: ${flashS.toFixed(2)} s (${fifoS.toFixed(2)} s to B's decoding + ${lastFrameBitsS.toFixed(2)} s for its last frame's bits on a real channel; bound: one frame ${frameS.toFixed(2)} s + its own ${ownS.toFixed(2)} s = ${(frameS + ownS).toFixed(2)} s)`)
    const lastAt = Math.max(...await within(Promise.all(bulk.map(async e => await b.arrival(e.id))), 10 * 60_000, 'all bulletins'))
    // Steady state: from the first bulletin's arrival to the last's, the bytes of the other bulletins and the flash.
    const delivered = [...bulk.slice(1), flashEnv]
    const seconds = (lastAt - firstAt) / 1000
    const goodput = delivered.reduce((s, e) => s + e.bytes.length, 0) / seconds
    const goodputWire = delivered.reduce((s, e) => s + wireBytes(e), 0) / seconds
    say(`  bulk: ${bulk.length} bulletins (${bulk.reduce((s, e) => s + e.bytes.length, 0)} B) in ${Math.round((lastAt - tBulk) / 1000)} s; goodput ${goodput.toFixed(1)} B/s of messages (${goodputWire.toFixed(1)} B/s as compressed on the air) vs raw ${raw.bytesPerS.toFixed(1)} B/s`)

    return {
      bench: 'radio',
      alert_air_bytes: alertAir,
      overhead_bytes: alertAir - contentBytes,
      goodput_ratio: Number((goodput / raw.bytesPerS).toFixed(3)),
      flash_behind_bulk_s: Number(flashS.toFixed(2)),
      reconcile_air_bytes: reconcileAir,
      // What explains them:
      baud: BAUD,
      frame_bytes: FRAME,
      overhead_bytes_without_deflate: uncompressedAir - contentBytes,
      alert_envelope_bytes: sample.bytes.length,
      alert_content_text_bytes: contentBytes,
      raw_back_to_back_bytes_per_s: Number(raw.bytesPerS.toFixed(1)),
      goodput_bytes_per_s: Number(goodput.toFixed(1)),
      goodput_ratio_as_sent: Number((goodputWire / raw.bytesPerS).toFixed(3)),
      flash_bound_s: Number((frameS + ownS).toFixed(2)),
      flash_to_decoding_over_fifo_s: Number(fifoS.toFixed(2)),
      flash_queued_behind_bytes: queued,
      link_setup_air_bytes: setupAir
    }
  } finally {
    for (const n of nodes) await n.close().catch(() => {})
    for (const p of ports) await p.close().catch(() => {})
    await pair.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
