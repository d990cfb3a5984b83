/**
 * Link classes of the simulator: the properties of a medium that decide how fast and at
 * what cost a message crosses it. Scenarios name a class per link and may define their own
 * (`classes:` with `base:` and overrides). Figures are typical, documented in
 * docs/SIMULATOR.md with their sources; a tester tunes them per scenario.
 *
 * - `kind: 'ip'` links are dialled by the nodes (internet, private fibre, VSAT): one
 *   connection per pair of nodes, over the best such link that is up; when it goes down the
 *   connection breaks and the nodes redial with their backoff (src/node/reconnect.ts).
 * - `kind: 'radio'` links are channels: every powered station on an up channel hears the
 *   others, without dialling; one medium shared by all of them (half duplex: one
 *   transmission at a time on the whole channel).
 */

export type LinkKind = 'ip' | 'radio'

export interface LinkClass {
  name: string
  kind: LinkKind
  description: string
  /** One-way propagation and processing delay. */
  latencyMs: number
  /** Uniform random extra delay per frame, 0..jitterMs (frames stay in order). */
  jitterMs: number
  /** Bytes per second: per direction for full duplex, for the whole medium when half duplex or shared. */
  bytesPerSecond: number
  /** Probability that a packet is lost (and sent again: these links are reliable, loss costs time and bytes). */
  loss: number
  /** Largest packet payload on the medium; a frame is cut into packets of at most this. */
  mtuBytes: number
  /** Bytes each packet costs on the wire beyond its payload (TCP/IP, AX.25 + KISS + CRC). */
  headerBytes: number
  /** 'half': both directions share one medium. Radio channels are always shared. */
  duplex: 'full' | 'half'
  /** Time before the first bit of a transmission (radio key-up, TXDELAY). */
  keyupMs: number
  /** Extra wait before a lost packet is sent again (retransmission timeout / ARQ timer). */
  retryMs: number
  /** Bytes the sender may have accepted but not yet on the wire (socket buffer); radio: 0, a frame at a time. */
  bufferBytes: number
  /** Largest sync frame the link carries (the session's frames are cut into packets below it). */
  maxFrameBytes: number
}

const KiB = 1024

/** The built-in classes. A 1,000-byte frame takes: internet ~31 ms, VSAT ~316 ms, radio-1200 ~7.7 s. */
export const BUILTIN_LINK_CLASSES: Readonly<Record<string, LinkClass>> = Object.freeze({
  internet: {
    name: 'internet',
    kind: 'ip',
    description: 'public internet between state C5s: ~30 ms one way, 10 Mbit/s, 0.1 % loss',
    latencyMs: 30,
    jitterMs: 10,
    bytesPerSecond: 1_250_000,
    loss: 0.001,
    mtuBytes: 1_460,
    headerBytes: 52,
    duplex: 'full',
    keyupMs: 0,
    retryMs: 200,
    bufferBytes: 64 * KiB,
    maxFrameBytes: 256 * KiB
  },
  fibre: {
    name: 'fibre',
    kind: 'ip',
    description: 'private network (government fibre): ~5 ms one way, 100 Mbit/s, no loss',
    latencyMs: 5,
    jitterMs: 1,
    bytesPerSecond: 12_500_000,
    loss: 0,
    mtuBytes: 1_460,
    headerBytes: 52,
    duplex: 'full',
    keyupMs: 0,
    retryMs: 200,
    bufferBytes: 64 * KiB,
    maxFrameBytes: 256 * KiB
  },
  vsat: {
    name: 'vsat',
    kind: 'ip',
    description: 'geostationary satellite terminal (VSAT): ~300 ms one way (≈ 600 ms RTT), 512 kbit/s, 0.5 % loss',
    latencyMs: 300,
    jitterMs: 30,
    bytesPerSecond: 64_000,
    loss: 0.005,
    mtuBytes: 1_400,
    headerBytes: 52,
    duplex: 'full',
    keyupMs: 0,
    retryMs: 1_000,
    bufferBytes: 16 * KiB,
    maxFrameBytes: 256 * KiB
  },
  'radio-1200': {
    name: 'radio-1200',
    kind: 'radio',
    description: 'VHF/HF packet radio, 1200 baud AFSK (150 B/s), one shared half-duplex channel, 5 % frame loss',
    latencyMs: 20,
    jitterMs: 50,
    bytesPerSecond: 150,
    loss: 0.05,
    mtuBytes: 256,
    headerBytes: 22,
    duplex: 'half',
    keyupMs: 300,
    retryMs: 3_000,
    bufferBytes: 0,
    maxFrameBytes: 64 * KiB
  },
  'radio-9600': {
    name: 'radio-9600',
    kind: 'radio',
    description: 'UHF packet radio, 9600 baud G3RUH (1,200 B/s), one shared half-duplex channel, 3 % frame loss',
    latencyMs: 10,
    jitterMs: 20,
    bytesPerSecond: 1_200,
    loss: 0.03,
    mtuBytes: 256,
    headerBytes: 22,
    duplex: 'half',
    keyupMs: 100,
    retryMs: 1_500,
    bufferBytes: 0,
    maxFrameBytes: 64 * KiB
  }
})

/** Round trip of a small packet on a class: what a connection handshake costs per round. */
export function roundTripMs (c: LinkClass): number {
  return 2 * (c.latencyMs + c.keyupMs + ((c.headerBytes + 64) * 1000) / c.bytesPerSecond)
}
