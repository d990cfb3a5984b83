/**
 * Who gets in before authentication (issue 13.6, docs/protocol/links.md §5.1), with real
 * libp2p hosts over loopback TCP and raw sockets that never speak: an outsider with no key
 * opens idle TCP connections to a node's libp2p port; roster peers must still connect.
 * Loopback is 127.0.0.0/8, so the outsider's sockets come from other addresses than the
 * roster peers' 127.0.0.1, as they would from another machine.
 */
import { describe, it, expect, afterEach } from 'vitest'
import { connect, type Socket } from 'node:net'
import { createLibp2p } from 'libp2p'
import { tcp, type TCPSocketOptions } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { libp2pPrivateKey, type KeyPair } from '../../src/identity/index.js'
import { admissionAllowList, createHost, INBOUND_UPGRADE_TIMEOUT_MS, type C5Host } from '../../src/links/libp2p/index.js'
import { makeKeys, hex } from './libp2p-helpers.js'

const hosts: Array<{ stop: () => void | Promise<void> }> = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(hosts.splice(0).map(async h => { await h.stop() }))
})

async function victim (allowed: KeyPair[], allowInbound?: string[]): Promise<{ node: C5Host, port: number }> {
  const keys = new Set(allowed.map(k => hex(k.publicKey)))
  const node = await createHost({ privateKey: await libp2pPrivateKey(allowed[0]), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], mdns: false, dht: false, allowPeer: k => keys.has(hex(k)), ...(allowInbound === undefined ? {} : { allowInbound }) })
  hosts.push(node)
  return { node, port: Number(node.getMultiaddrs()[0].toString().split('/')[4]) }
}

/**
 * A roster peer dialling out (from 127.0.0.1, or from `from` when given: net.connect's
 * localAddress, which @libp2p/tcp passes through but does not list in its type).
 */
async function dialer (key: KeyPair, allowed: KeyPair[], from?: string): Promise<{ dial: (addr: C5Host) => Promise<boolean> }> {
  const keys = new Set(allowed.map(k => hex(k.publicKey)))
  const node = from === undefined
    ? await createHost({ privateKey: await libp2pPrivateKey(key), listen: [], bootstrap: [], mdns: false, dht: false, allowPeer: k => keys.has(hex(k)) })
    : await createLibp2p({ privateKey: await libp2pPrivateKey(key), transports: [tcp({ dialOpts: { localAddress: from } as TCPSocketOptions })], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
  hosts.push(node)
  return {
    dial: async target => {
      try {
        const c = await node.dial(target.getMultiaddrs()[0], { signal: AbortSignal.timeout(8_000) })
        // A refused inbound connection looks open to the dialer for a moment: a ping proves it.
        await c.newStream('/ipfs/ping/1.0.0', { signal: AbortSignal.timeout(8_000) }).then(async s => { await s.close() })
        return true
      } catch { return false }
    }
  }
}

/** An idle TCP connection from `from` that never sends a byte; resolves once connected. */
async function idleSocket (port: number, from: string): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port, localAddress: from })
  s.on('error', () => {})
  sockets.push(s)
  await new Promise<void>(resolve => { s.once('connect', () => { resolve() }); s.once('close', () => { resolve() }) })
  return s
}

describe('admission before authentication', () => {
  it('keeps IP hosts and ranges for the allow list, drops names, unspecified and bad addresses', () => {
    expect(admissionAllowList([
      '/ip4/10.20.0.0/ipcidr/16', '/ip4/201.150.3.7/tcp/4370/p2p/12D3KooWHBhRvN1Lz9c9ucRb5xnH4Rr2y5L6RNnq8Z6mFq3dLPUN',
      '/ip4/201.150.3.7/tcp/4371/ws', '/ip6/2001:db8::1/tcp/4370', '/dns4/c5.example/tcp/4370', '/ip4/0.0.0.0/tcp/4370', 'nonsense'
    ])).toEqual(['/ip4/10.20.0.0/ipcidr/16', '/ip4/201.150.3.7', '/ip6/2001:db8::1'])
  })

  it('an outsider\'s idle sockets from one address cannot keep roster peers out', async () => {
    const keys = makeKeys(5)
    const v = await victim(keys)
    // The outsider opens a socket every 100 ms for 3 s — twice libp2p's per-address rate —
    // and never speaks. With libp2p's defaults (10 pending, 10 s to upgrade) ten of them
    // block every new inbound connection (issue 13.6: 15 of 19 roster dials failed).
    for (let i = 0; i < 30; i++) {
      void idleSocket(v.port, '127.0.0.2')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const peers = await Promise.all(keys.slice(1).map(async k => await dialer(k, keys)))
    const results = await Promise.all(peers.map(async p => await p.dial(v.node)))
    expect(results).toEqual([true, true, true, true])
  })

  it('roster peers\' addresses are admitted even when strangers fill every pending slot', async () => {
    const keys = makeKeys(11)
    const v = await victim(keys, ['/ip4/127.0.0.1'])
    // 40 outsider addresses, 4 idle sockets each: more than every pending slot.
    await Promise.all(Array.from({ length: 160 }, async (_, i) => await idleSocket(v.port, `127.0.1.${2 + (i % 40)}`)))
    // A roster key dialling from an address the node does not know is refused: the slots are full…
    const stranger = await dialer(keys[1], keys, '127.0.2.9')
    expect(await stranger.dial(v.node)).toBe(false)
    // …but roster peers at their known address get in, all at once.
    const peers = await Promise.all(keys.slice(2).map(async k => await dialer(k, keys)))
    const results = await Promise.all(peers.map(async p => await p.dial(v.node)))
    expect(results.filter(Boolean).length).toBe(peers.length)
  })

  it(`an idle socket is dropped after ${INBOUND_UPGRADE_TIMEOUT_MS} ms, not libp2p's 10 s`, async () => {
    const keys = makeKeys(1)
    const v = await victim(keys)
    const s = await idleSocket(v.port, '127.0.0.3')
    const t0 = Date.now()
    await new Promise(resolve => s.once('close', resolve))
    const held = Date.now() - t0
    expect(held).toBeGreaterThan(INBOUND_UPGRADE_TIMEOUT_MS - 500)
    // Below libp2p's 10 s with room for a loaded machine.
    expect(held).toBeLessThan(INBOUND_UPGRADE_TIMEOUT_MS + 4_000)
  }, 15_000)
})
