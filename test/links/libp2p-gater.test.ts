/**
 * The roster connection gater with real libp2p nodes on loopback TCP: refusal in both
 * directions, cutting connections after a roster change, and a 3-node line.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import { createHost, openLink, handleLinks, closeDisallowedConnections } from '../../src/links/libp2p/index.js'
import { libp2pPrivateKey, peerIdOf } from '../../src/identity/index.js'
import { isC5Error } from '../../src/errors.js'
import { makeKeys, startHost, hex, LinkInbox, type TestHost } from './libp2p-helpers.js'

const started: TestHost[] = []

afterEach(async () => {
  await Promise.all(started.splice(0).map(async h => { await h.node.stop() }))
})

async function host (...args: Parameters<typeof startHost>): Promise<TestHost> {
  const h = await startHost(...args)
  started.push(h)
  return h
}

const refused = (e: unknown): boolean => isC5Error(e, 'LINK_REFUSED')

/** Resolves once `node` has an open connection to `peer` (event-driven, no polling). */
async function connected (h: TestHost, peer: PeerId): Promise<void> {
  if (h.node.getConnections(peer).length > 0) return
  await new Promise<void>(resolve => {
    const on = (evt: CustomEvent<PeerId>): void => {
      if (evt.detail.equals(peer)) { h.node.removeEventListener('peer:connect', on); resolve() }
    }
    h.node.addEventListener('peer:connect', on)
  })
}

/** Resolves once `node` has no connection to `peer` left. */
async function disconnected (h: TestHost, peer: PeerId): Promise<void> {
  if (h.node.getConnections(peer).length === 0) return
  await new Promise<void>(resolve => {
    const on = (evt: CustomEvent<PeerId>): void => {
      if (evt.detail.equals(peer)) { h.node.removeEventListener('peer:disconnect', on); resolve() }
    }
    h.node.addEventListener('peer:disconnect', on)
  })
}

describe('roster connection gater', () => {
  it('an allowed pair connects and exchanges a frame', async () => {
    const [ka, kb] = makeKeys(2)
    const a = await host(ka, [kb.publicKey])
    const b = await host(kb, [ka.publicKey])
    const inbox = new LinkInbox()
    await handleLinks(b.node, inbox.push)
    const link = await openLink(a.node, b.node.getMultiaddrs()[0])
    await link.send(Uint8Array.of(5))
    const lb = await inbox.next()
    expect(hex(lb.remoteKey ?? new Uint8Array())).toBe(hex(ka.publicKey))
    const r = await lb.frames()[Symbol.asyncIterator]().next()
    expect(Array.from(r.value as Uint8Array)).toEqual([5])
  })

  it('refuses an inbound peer the roster does not allow: the dial fails and no link is delivered', async () => {
    const [ka, kx] = makeKeys(2)
    const a = await host(ka, []) // A allows nobody
    const x = await host(kx, [ka.publicKey]) // X would talk to A
    const inbox = new LinkInbox()
    await handleLinks(a.node, inbox.push)
    await expect(openLink(x.node, a.node.getMultiaddrs()[0])).rejects.toSatisfy(refused)
    await disconnected(a, x.node.peerId)
    expect(inbox.delivered).toHaveLength(0)
    expect(a.node.getConnections(x.node.peerId)).toHaveLength(0)
  })

  it('refuses to dial a peer the roster does not allow, by PeerId and by multiaddr with or without /p2p/', async () => {
    const [ka, kx] = makeKeys(2)
    const a = await host(ka, [])
    const x = await host(kx, [ka.publicKey])
    const inbox = new LinkInbox()
    await handleLinks(x.node, inbox.push)
    const withPeer = x.node.getMultiaddrs()[0]
    const withoutPeer = multiaddr(withPeer.toString().replace(/\/p2p\/.*$/, ''))
    await expect(openLink(a.node, withPeer)).rejects.toSatisfy(refused)
    await expect(openLink(a.node, withoutPeer)).rejects.toSatisfy(refused)
    await a.node.peerStore.merge(x.node.peerId, { multiaddrs: [withoutPeer] })
    await expect(openLink(a.node, x.node.peerId)).rejects.toSatisfy(refused)
    expect(inbox.delivered).toHaveLength(0)
    expect(a.node.getConnections()).toHaveLength(0)
  })

  it('closeDisallowedConnections cuts an open connection whose key a new roster removed, and it cannot come back', async () => {
    const [ka, kb, kc] = makeKeys(3)
    const a = await host(ka, [kb.publicKey, kc.publicKey])
    const b = await host(kb, [ka.publicKey])
    const c = await host(kc, [ka.publicKey])
    const inboxA = new LinkInbox()
    const inboxB = new LinkInbox()
    await handleLinks(a.node, inboxA.push)
    await handleLinks(b.node, inboxB.push)
    await handleLinks(c.node, () => {})
    const link = await openLink(a.node, b.node.getMultiaddrs()[0])
    await openLink(a.node, c.node.getMultiaddrs()[0])
    const linkAtB = await inboxB.next()

    // New roster: B is revoked.
    a.allowed.delete(hex(kb.publicKey))
    const allow = (k: Uint8Array): boolean => a.allowed.has(hex(k))
    expect(closeDisallowedConnections(a.node, allow)).toEqual([b.node.peerId.toString()])

    await expect(linkAtB.frames()[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_ABORTED'))
    await expect(link.frames()[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_ABORTED'))
    await disconnected(b, a.node.peerId)
    expect(a.node.getConnections(b.node.peerId)).toHaveLength(0)
    // C is untouched.
    expect(a.node.getConnections(c.node.peerId).length).toBeGreaterThan(0)
    // B cannot reconnect (A speaks the protocol, so only the gater can refuse).
    await expect(openLink(b.node, a.node.getMultiaddrs()[0])).rejects.toSatisfy(refused)
    expect(inboxA.delivered).toHaveLength(0)
  })

  it('a line A–B–C (bootstrap to B, DHT on) connects A–B and B–C, never A–C', async () => {
    const [ka, kb, kc] = makeKeys(3)
    const b = await host(kb, [ka.publicKey, kc.publicKey], { dht: true })
    const bAddr = b.node.getMultiaddrs()[0].toString()
    const a = await host(ka, [kb.publicKey], { dht: true, bootstrap: [bAddr] })
    const c = await host(kc, [kb.publicKey], { dht: true, bootstrap: [bAddr] })
    // Both ends: the dialer counts a connection before the responder has finished Noise.
    await Promise.all([connected(a, b.node.peerId), connected(c, b.node.peerId), connected(b, a.node.peerId), connected(b, c.node.peerId)])
    // A learns of C (through B's DHT or by being told) but the gater forbids the link either way.
    await expect(openLink(a.node, c.node.getMultiaddrs()[0])).rejects.toSatisfy(refused)
    await expect(openLink(c.node, a.node.getMultiaddrs()[0])).rejects.toSatisfy(refused)
    const dht = a.node.services as { dht?: { findPeer: (p: PeerId, o?: { signal?: AbortSignal }) => AsyncIterable<unknown> } }
    expect(dht.dht).toBeDefined()
    expect(a.node.getConnections(c.node.peerId)).toHaveLength(0)
    expect(c.node.getConnections(a.node.peerId)).toHaveLength(0)
    expect(a.node.getPeers().map(String)).toEqual([b.node.peerId.toString()])
    expect(c.node.getPeers().map(String)).toEqual([b.node.peerId.toString()])
    expect(b.node.getPeers().map(String).sort()).toEqual([a.node.peerId.toString(), c.node.peerId.toString()].sort())
  })

  it('links work over WebSockets too (/ws listen address)', async () => {
    const [ka, kb] = makeKeys(2)
    const a = await host(ka, [kb.publicKey])
    const b = await host(kb, [ka.publicKey], { listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
    const ws = b.node.getMultiaddrs().find(m => m.toString().includes('/ws'))
    expect(ws).toBeDefined()
    const inbox = new LinkInbox()
    await handleLinks(b.node, inbox.push)
    const link = await openLink(a.node, ws!)
    expect(a.node.getConnections(b.node.peerId)[0].remoteAddr.toString()).toContain('/ws')
    await link.send(Uint8Array.of(1, 2))
    const r = await (await inbox.next()).frames()[Symbol.asyncIterator]().next()
    expect(Array.from(r.value as Uint8Array)).toEqual([1, 2])
  })

  it('a host with mDNS and the DHT enabled starts and stops', async () => {
    const [ka] = makeKeys(1)
    const a = await host(ka, [], { mdns: true, dht: true })
    expect(a.node.status).toBe('started')
  })

  it('the node PeerId is the roster key', async () => {
    const [ka] = makeKeys(1)
    const a = await host(ka, [])
    expect(a.node.peerId.toString()).toBe(peerIdOf(ka.publicKey).toString())
  })
})

describe('createHost input checks', () => {
  it('refuses bad options with LINK_BAD_ARGUMENT', async () => {
    const [k] = makeKeys(1)
    const privateKey = await libp2pPrivateKey(k)
    const base = { privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, allowPeer: () => true }
    for (const bad of [
      { listen: ['not a multiaddr'] },
      { bootstrap: ['/ip4/127.0.0.1/tcp/4370'] }, // no /p2p/
      { allowPeer: undefined },
      { privateKey: undefined }
    ]) {
      await expect(createHost({ ...base, ...bad } as never)).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_BAD_ARGUMENT'))
    }
  })
})
