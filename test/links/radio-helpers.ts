/**
 * Radio test helpers: stations on the in-memory broadcast channel, a seeded random source,
 * and a pair of radio links (for the Link compliance suite).
 */
import { createBroadcastChannel, type BroadcastChannel, type BroadcastChannelOptions } from '../../src/links/broadcast/index.js'
import { createRadioStation, type RadioStation, type RadioStationOptions } from '../../src/links/radio/index.js'
import type { RadioLink } from '../../src/links/radio/link.js'
import { generateKeyPair, type KeyPair } from '../../src/identity/keys.js'
import type { LinkPair } from './compliance.js'

/** Mulberry32: a small seeded uniform [0, 1) source. */
export function seeded (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface TestStation {
  name: string
  key: KeyPair
  station: RadioStation
  links: RadioLink[]
  shared: Uint8Array[]
}

export function addStation (channel: BroadcastChannel, name: string, o: Partial<RadioStationOptions> & { random?: () => number } = {}): TestStation {
  const key = o.nodeKey ?? generateKeyPair()
  const t: TestStation = { name, key, links: [], shared: [], station: undefined as never }
  t.station = createRadioStation({
    port: channel.station(name),
    nodeKey: key,
    stationId: name.toUpperCase(),
    allowKey: () => true,
    onLink: l => { t.links.push(l) },
    onShared: f => { t.shared.push(f) },
    ...o
  })
  return t
}

async function waitFor (cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms
  while (!cond()) {
    if (Date.now() > until) throw new Error('radio link did not come up')
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

/** Two stations on a fast lossy channel (wall clock), linked: a pair of radio links. */
export async function radioLinkPair (options: { loss?: number, seed?: number, linkMaxFrameBytes?: number, linkReceiveBytes?: number, frameBytes?: number, channel?: Partial<BroadcastChannelOptions> } = {}): Promise<LinkPair> {
  const random = seeded(options.seed ?? 1)
  const channel = createBroadcastChannel({ bitRate: 4_000_000, txDelayMs: 0, txTailMs: 0, loss: options.loss ?? 0.1, random, ...options.channel })
  const common = {
    random,
    frameTimeMs: 3,
    frameBytes: options.frameBytes ?? 200,
    linkMaxFrameBytes: options.linkMaxFrameBytes ?? 2048,
    ...(options.linkReceiveBytes === undefined ? {} : { linkReceiveBytes: options.linkReceiveBytes }),
    stopTimeoutMs: 200
  }
  const a = addStation(channel, 'a', common)
  const b = addStation(channel, 'b', common)
  a.station.start()
  b.station.start()
  await waitFor(() => a.links.length > 0 && b.links.length > 0, 5000)
  return {
    a: a.links[0],
    b: b.links[0],
    keyA: a.key.publicKey,
    keyB: b.key.publicKey,
    cleanup: async () => { await Promise.all([a.station.stop(), b.station.stop()]) }
  }
}
