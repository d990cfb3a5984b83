/**
 * mDNS discovery over a real LAN (issue 3): two `c5mesh start` processes, each in its own
 * Linux network namespace, joined by a veth pair. Neither has a bootstrap list and nothing
 * dials: they find each other only by multicast DNS on 224.0.0.251, connect, and an alert
 * sent on one reaches the other. Needs root and `ip` (iproute2); fails, not skips, without.
 */
import { describe, it, expect, afterAll, onTestFailed } from 'vitest'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { c5meshJson, startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'
import { createNetnsPair, type NetnsPair } from '../helpers/netns.js'

/**
 * How long discovery and connection, and then delivery, may each take. @libp2p/mdns queries
 * at start and then every 10 s: when both nodes start together, both first queries can go
 * out before the other answers, and discovery waits for the next round.
 */
const STEP_MS = 20_000

const children: ChildProcess[] = []
const daemons = new Map<string, DaemonProcess>()
let net: NetnsPair | undefined
let tmp: { path: string, cleanup: () => Promise<void> } | undefined
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise(resolve => c.once('exit', resolve))
      c.kill('SIGKILL')
      await gone
    }
  }
  await net?.cleanup()
  await tmp?.cleanup()
})

describe('mDNS discovery between c5mesh start processes on two network namespaces', { timeout: 60_000 }, () => {
  it('the two nodes find each other by mDNS alone, connect, and an alert sent on A reaches B', async () => {
    onTestFailed(() => { for (const [name, d] of daemons) console.error(`--- output of daemon ${name}:\n${d.output()}`) })
    net = await createNetnsPair(`c5m${process.pid}`)
    tmp = await tempDir('c5mesh-mdns-')
    const world = createTestWorld(['MX-YUC', 'MX-QUE'], Date.now())
    // A listens on its veth address; B on every interface, like config/default.json (so its
    // mDNS answers carry 127.0.0.1 too, which is no use to A). No bootstrap peers, no dial.
    const hosts = [
      { host: net.a, dir: join(tmp.path, 'a'), member: world.members[0], listen: `/ip4/${net.a.addr}/tcp/4370` },
      { host: net.b, dir: join(tmp.path, 'b'), member: world.members[1], listen: '/ip4/0.0.0.0/tcp/4370' }
    ]
    for (const h of hosts) await prepareFolder(world, h.member, h.dir, { listen: [h.listen], bootstrap: [], mdns: true })
    // allSettled: if one fails to start, the other is still recorded for afterAll to stop.
    const started = await Promise.allSettled(hosts.map(async (h, i) => {
      const d = await startDaemonProcess(['--data', h.dir], h.host.run)
      children.push(d.child)
      daemons.set('AB'[i], d)
      return d
    }))
    const [a, b] = started.map(r => { if (r.status === 'rejected') throw r.reason; return r.value })
    const [infoA, infoB] = await Promise.all(hosts.map(async h => await daemonInfo(h.dir)))
    expect(infoA.addrs).toEqual([`/ip4/${net.a.addr}/tcp/4370/p2p/${infoA.peerId}`])
    expect(infoB.addrs).toContain(`/ip4/${net.b.addr}/tcp/4370/p2p/${infoB.peerId}`)

    // Each side logs a sync session with the other once mDNS has led to a connection.
    await Promise.all([
      a.waitForOutput(new RegExp(`"event":"session.open","peer":"${infoB.peerId}"`), STEP_MS),
      b.waitForOutput(new RegExp(`"event":"session.open","peer":"${infoA.peerId}"`), STEP_MS)
    ])
    const peersA = await c5meshJson<any[]>(['--data', hosts[0].dir, 'peers'], {}, net.a.run)
    expect(peersA).toEqual([expect.objectContaining({ peerId: infoB.peerId, org: 'MX-QUE', state: 'connected', syncing: true })])
    expect(peersA[0].addrs).toContain(`/ip4/${net.b.addr}/tcp/4370`)

    // An operator at A sends through A's daemon; B stores it from the peer.
    const sent = await c5meshJson(['--data', hosts[0].dir, 'send', '--headline', 'Robo de vehículo', '--param', 'placa=YUC-123-A', '--precedence', 'flash'], {}, net.a.run)
    expect(sent.via).toBe('daemon')
    // (A stored message is a debug log line, not an info one: ask B's daemon.)
    const showAtB = async (): Promise<any> => await c5meshJson(['--data', hosts[1].dir, 'show', sent.id], {}, net!.b.run).catch(() => undefined)
    await expect.poll(showAtB, { timeout: STEP_MS, interval: 250 }).toBeDefined()
    const shownAtB = await showAtB()
    expect(shownAtB.source).toBe(`peer:${infoA.peerId}`)

    // One sync session per pair, even though both sides discovered and dialled each other
    // at once (two connections): none was opened twice, replaced or ended.
    for (const d of [a, b]) {
      expect(d.output().match(/"event":"session\.open"/g)?.length).toBe(1)
      expect(d.output()).not.toMatch(/"event":"session\.end"/)
    }

    for (const d of [a, b]) d.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
  })
})
