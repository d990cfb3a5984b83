/**
 * A roster key speaking the sync protocol frame by frame, as an attacker does: a libp2p host
 * with that key (our own host: TCP, Noise, Yamux), sync streams to the victim, and frames
 * made with the project's own encoder — or any bytes at all. It does not run a session:
 * what it sends is the attack's choice, and it reads the victim's frames only if asked to
 * (a peer that never reads is an attack too).
 */
import { randomBytes } from 'node:crypto'
import { libp2pPrivateKey, type KeyPair } from '../../src/identity/index.js'
import { createHost, openLink, type C5Host } from '../../src/links/libp2p/index.js'
import type { Link } from '../../src/links/types.js'
import { encodeFrame, decodeFrame, type SyncFrame } from '../../src/sync/frames.js'
import { FEATURE_CREDIT, SYNC_PROTOCOL_VERSION } from '../../src/sync/constants.js'

export async function attackerHost (node: KeyPair): Promise<C5Host> {
  return await createHost({ privateKey: await libp2pPrivateKey(node), listen: [], bootstrap: [], mdns: false, dht: false, allowPeer: () => true })
}

export interface RawSession {
  link: Link
  /** Frames received, by type (when reading). */
  received: Record<string, number>
  bytesReceived: () => number
  send: (frame: SyncFrame) => Promise<void>
  sendBytes: (bytes: Uint8Array) => Promise<void>
  /** Resolves with the victim's first frame type when it arrives (HELLO, normally). */
  firstFrame: Promise<string | undefined>
  closed: () => boolean
  close: () => Promise<void>
}

export interface OpenOptions {
  /** Read and count the victim's frames (default true); false: never read. */
  read?: boolean
  /** Send HELLO at once with these fields (default: our key, the given roster version, no features). */
  hello?: false | { rosterVersion?: number, features?: number, itemCount?: number }
  /** Cancels opening (dial and protocol negotiation). */
  signal?: AbortSignal
  /** Aborts the session (and any send waiting on the victim) when it fires: the attack's end. */
  abortOn?: AbortSignal
}

export function helloFrame (node: KeyPair, o: { rosterVersion?: number, features?: number, itemCount?: number } = {}): SyncFrame {
  return { type: 'hello', protocolVersion: SYNC_PROTOCOL_VERSION, nodeKey: node.publicKey, nonce: new Uint8Array(randomBytes(8)), rosterVersion: o.rosterVersion ?? 1, itemCount: o.itemCount ?? 0, features: o.features ?? 0 }
}

export async function openRawSession (host: C5Host, node: KeyPair, addr: string, options: OpenOptions = {}): Promise<RawSession> {
  const link = await openLink(host, addr, { ...(options.signal === undefined ? {} : { signal: options.signal }) })
  const onAbort = (): void => { link.abort() }
  if (options.abortOn?.aborted === true) link.abort()
  else options.abortOn?.addEventListener('abort', onAbort, { once: true })
  const forget = (): void => { options.abortOn?.removeEventListener('abort', onAbort) }
  const received: Record<string, number> = {}
  let bytes = 0
  let closed = false
  let resolveFirst!: (t: string | undefined) => void
  const firstFrame = new Promise<string | undefined>(resolve => { resolveFirst = resolve })
  if (options.read !== false) {
    void (async () => {
      for await (const f of link.frames()) {
        bytes += f.length
        let type = 'undecodable'
        try { type = decodeFrame(f).type } catch {}
        received[type] = (received[type] ?? 0) + 1
        resolveFirst(type)
      }
    })().catch(() => {}).finally(() => { closed = true; forget(); resolveFirst(undefined) })
  }
  const s: RawSession = {
    link,
    received,
    bytesReceived: () => bytes,
    send: async frame => { await link.send(encodeFrame(frame)) },
    sendBytes: async b => { await link.send(b) },
    firstFrame,
    closed: () => closed || link.closed,
    close: async () => {
      closed = true
      forget()
      // A graceful close, unless the victim does not take it within a second.
      const t = setTimeout(() => { link.abort() }, 1_000)
      await link.close().catch(() => { link.abort() })
      clearTimeout(t)
    }
  }
  if (options.hello !== false) await s.send(helloFrame(node, options.hello === undefined ? {} : options.hello))
  return s
}

/** The credit feature bit (a peer that grants credit gets MSG frames paced to its reading). */
export { FEATURE_CREDIT }
