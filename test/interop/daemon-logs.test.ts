/**
 * What a `c5mesh start` process logs under a burst (issue 13.7): a roster peer pushes 1,000
 * valid bulletins and then tampered ones until it is banned. The node's log (JSON lines on
 * stderr) must hold one line for the ban, none per message and none per rejection — an
 * unattended C5 whose log grew by a line per message of every flood (54,100 in 45 s) and 55
 * lines per ban buried what its administrator must see.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { composeEnvelope } from '../../src/envelope/index.js'
import { libp2pPrivateKey, peerIdOf } from '../../src/identity/index.js'
import { createHost, openLink } from '../../src/links/libp2p/index.js'
import { encodeFrame } from '../../src/sync/frames.js'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { startDaemonProcess } from '../helpers/cli.js'

const BURST = 1000
const TAMPERED = 60

const children: ChildProcess[] = []
const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const c of cleanups) await c().catch(() => {})
})

describe('the daemon\'s log under a burst', { timeout: 120_000 }, () => {
  it(`${BURST} messages and a ban write a handful of lines: one for the ban, none per message or rejection`, async () => {
    const tmp = await tempDir('c5mesh-logs-'); cleanups.push(tmp.cleanup)
    const world = createTestWorld(['MX-CMX', 'MX-SON'], Date.now())
    const dir = join(tmp.path, 'v')
    await prepareFolder(world, world.members[0], dir)
    const daemon = await startDaemonProcess(['--data', dir]); children.push(daemon.child)
    const info = await daemonInfo(dir)
    const start = daemon.output().length

    // The insider: a roster node's key speaking the sync protocol frame by frame.
    const insider = world.members[1]
    const host = await createHost({ privateKey: await libp2pPrivateKey(insider.node), listen: [], bootstrap: [], mdns: false, dht: false, allowPeer: () => true })
    cleanups.push(async () => { await host.stop() })
    const link = await openLink(host, info.addrs[0])
    void (async () => { for await (const _ of link.frames()) { /* what the node says is not read */ } })().catch(() => {})
    await link.send(encodeFrame({ type: 'hello', protocolVersion: 1, nodeKey: insider.node.publicKey, nonce: new Uint8Array(randomBytes(8)), rosterVersion: 1, itemCount: 0, features: 0 }))
    const now = Date.now()
    const bulletin = (i: number): Uint8Array => composeEnvelope({ kind: 'bulletin', org: insider.org, precedence: 'routine', content: { msgType: 'Alert', headline: `boletín ${i}` } }, insider.operator, { now: now - i }).bytes
    for (let i = 0; i < BURST; i++) await link.send(encodeFrame({ type: 'msg', envelope: bulletin(i) }))
    for (let i = 0; i < TAMPERED; i++) {
      const bad = bulletin(BURST + i).slice()
      bad[bad.length - 1] ^= 0x01 // a signature bit
      await link.send(encodeFrame({ type: 'msg', envelope: bad })).catch(() => {})
    }
    await daemon.waitForOutput(/"event":"peer\.banned"/, 60_000)
    daemon.child.kill('SIGTERM') // the stop flushes the pending summaries
    expect(await daemon.exited).toBe(0)

    const lines = daemon.output().slice(start).split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, unknown>)
    const events = lines.map(l => l.event)
    const peer = peerIdOf(insider.node.publicKey).toString()
    expect(events.filter(e => e === 'message')).toEqual([])
    expect(events.filter(e => e === 'rejected')).toEqual([])
    expect(lines.filter(l => l.event === 'peer.banned')).toEqual([expect.objectContaining({ level: 'warn', peer })])
    // Its rejections are the ban's: no summary names it again.
    expect(lines.filter(l => l.event === 'rejections' && JSON.stringify(l.bySource ?? {}).includes(peer))).toEqual([])
    expect(lines.length, events.join(' ')).toBeLessThanOrEqual(8)
  })
})
