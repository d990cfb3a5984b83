/** openLink / handleLinks edges: stream limits, cancellation, unhandle, option checks. */
import { describe, it, expect, afterEach } from 'vitest'
import { handleLinks, openLink, streamLink, closeDisallowedConnections, SYNC_PROTOCOL, MAX_INBOUND_SYNC_STREAMS } from '../../src/links/libp2p/index.js'
import { isC5Error } from '../../src/errors.js'
import { makeKeys, startHost, LinkInbox, type TestHost } from './libp2p-helpers.js'

const started: TestHost[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async h => { await h.node.stop() })) })

async function pair (): Promise<[TestHost, TestHost]> {
  const [ka, kb] = makeKeys(2)
  const a = await startHost(ka, [kb.publicKey])
  const b = await startHost(kb, [ka.publicKey])
  started.push(a, b)
  return [a, b]
}

describe('openLink / handleLinks', () => {
  it(`refuses inbound sync streams beyond ${MAX_INBOUND_SYNC_STREAMS} per connection`, async () => {
    const [a, b] = await pair()
    const inbox = new LinkInbox()
    await handleLinks(b.node, inbox.push)
    const links = []
    for (let i = 0; i < MAX_INBOUND_SYNC_STREAMS; i++) links.push(await openLink(a.node, b.node.getMultiaddrs()[0]))
    for (let i = 0; i < MAX_INBOUND_SYNC_STREAMS; i++) await inbox.next()
    // One more: refused by B (inbound limit) or by A (outbound limit) — either way no link.
    const extra = await openLink(a.node, b.node.getMultiaddrs()[0]).then(async l => {
      // B resets a stream over its limit right after negotiation.
      try { await l.frames()[Symbol.asyncIterator]().next(); return 'ended' } catch (e) { return isC5Error(e, 'LINK_ABORTED') ? 'aborted' : e }
    }, (e: unknown) => isC5Error(e, 'LINK_REFUSED') ? 'refused' : e)
    expect(['refused', 'aborted']).toContain(extra)
    expect(inbox.delivered).toHaveLength(MAX_INBOUND_SYNC_STREAMS)
    for (const l of links) l.abort()
  })

  it('an aborted signal cancels openLink with LINK_REFUSED', async () => {
    const [a, b] = await pair()
    await handleLinks(b.node, () => {})
    await expect(openLink(a.node, b.node.getMultiaddrs()[0], { signal: AbortSignal.abort() })).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_REFUSED'))
  })

  it('openLink takes a multiaddr string; a bad one is LINK_BAD_ARGUMENT', async () => {
    const [a, b] = await pair()
    const inbox = new LinkInbox()
    await handleLinks(b.node, inbox.push)
    const link = await openLink(a.node, b.node.getMultiaddrs()[0].toString())
    await link.send(Uint8Array.of(3))
    expect((await (await inbox.next()).frames()[Symbol.asyncIterator]().next()).value).toEqual(Uint8Array.of(3))
    await expect(openLink(a.node, 'not a multiaddr')).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_BAD_ARGUMENT'))
  })

  it('a consumer that throws in onLink gets the link aborted, not leaked', async () => {
    const [a, b] = await pair()
    await handleLinks(b.node, () => { throw new Error('busy') })
    const link = await openLink(a.node, b.node.getMultiaddrs()[0])
    await expect(link.frames()[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_ABORTED'))
  })

  it('after unhandle, new sync streams are refused', async () => {
    const [a, b] = await pair()
    const inbox = new LinkInbox()
    const unhandle = await handleLinks(b.node, inbox.push)
    await unhandle()
    await expect(openLink(a.node, b.node.getMultiaddrs()[0])).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_REFUSED'))
    expect(inbox.delivered).toHaveLength(0)
  })

  it('both ends with a smaller maxFrameBytes: the limit holds on send and on receive', async () => {
    const [a, b] = await pair()
    const inbox = new LinkInbox()
    await handleLinks(b.node, inbox.push, { maxFrameBytes: 1024 })
    // A thinks frames may be 4096 bytes; B refuses what exceeds its own 1024.
    const la = await openLink(a.node, b.node.getMultiaddrs()[0], { maxFrameBytes: 4096 })
    const lb = await inbox.next()
    expect(lb.maxFrameBytes).toBe(1024)
    await la.send(new Uint8Array(2000))
    await expect(lb.frames()[Symbol.asyncIterator]().next()).rejects.toSatisfy((e: unknown) => isC5Error(e, 'LINK_FRAME_TOO_LARGE'))
  })

  it('streamLink refuses bad options with LINK_BAD_ARGUMENT', async () => {
    const [a, b] = await pair()
    await b.node.handle(SYNC_PROTOCOL, () => {})
    const conn = await a.node.dial(b.node.getMultiaddrs()[0])
    const stream = await conn.newStream(SYNC_PROTOCOL)
    for (const opts of [{ maxFrameBytes: 0 }, { maxFrameBytes: 1.5 }, { maxFrameBytes: 1000, queueBytes: 10 }]) {
      expect(() => streamLink(stream, conn, opts)).toThrow(expect.objectContaining({ code: 'LINK_BAD_ARGUMENT' }))
    }
  })

  it('closeDisallowedConnections treats a throwing allowPeer as a refusal', async () => {
    const [a, b] = await pair()
    await a.node.dial(b.node.getMultiaddrs()[0])
    const cut = closeDisallowedConnections(a.node, () => { throw new Error('roster unavailable') })
    expect(cut).toEqual([b.node.peerId.toString()])
    expect(a.node.getConnections(b.node.peerId)).toHaveLength(0)
  })
})
