/**
 * Separate `c5mesh start` processes on loopback: the CLI talks to its daemon's API; an alert
 * sent on one node reaches the other; a node killed with SIGKILL mid-sync restarts and
 * converges without loss; SIGTERM stops a node cleanly.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { c5mesh, c5meshJson, startDaemonProcess } from '../helpers/cli.js'
import type { ChildProcess } from 'node:child_process'

const children: ChildProcess[] = []
let tmp: { path: string, cleanup: () => Promise<void> } | undefined
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await tmp?.cleanup()
})

/** Resolves with the ids of `message` events on a daemon's SSE stream until `until` says stop. */
async function watch (api: string, auth: Record<string, string>, until: (ids: Set<string>) => boolean): Promise<Set<string>> {
  const res = await fetch(`${api}/v1/events`, { headers: auth })
  const reader = res.body!.getReader()
  const ids = new Set<string>()
  let buf = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) throw new Error('event stream ended')
      buf += Buffer.from(value).toString()
      let i
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i); buf = buf.slice(i + 2)
        const data = block.split('\n').find(l => l.startsWith('data: '))
        if (block.includes('event: message') && data !== undefined) ids.add(JSON.parse(data.slice(6)).id)
      }
      if (until(ids)) return ids
    }
  } finally { await reader.cancel().catch(() => {}) }
}

describe('c5mesh start processes', { timeout: 120_000 }, () => {
  it('send on A reaches B; B killed with SIGKILL mid-sync restarts and converges; SIGTERM stops cleanly', async () => {
    tmp = await tempDir('c5mesh-daemons-')
    const world = createTestWorld(['MX-YUC', 'MX-QUE'], Date.now())
    const dirA = join(tmp.path, 'a'); const dirB = join(tmp.path, 'b')
    await prepareFolder(world, world.members[0], dirA, { postsPerMinute: 100_000 }) // it posts a backlog
    const a = await startDaemonProcess(['--data', dirA]); children.push(a.child)
    const infoA = await daemonInfo(dirA)
    // a second daemon on the same folder is refused, and A keeps running
    const second = await c5mesh(['--data', dirA, 'start'])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/^error NODE_LOCKED: /m)
    expect(a.child.exitCode).toBeNull()
    await prepareFolder(world, world.members[1], dirB, { bootstrap: [`${infoA.addrs[0]}`] })
    let b = await startDaemonProcess(['--data', dirB]); children.push(b.child)
    let infoB = await daemonInfo(dirB)

    // an operator at A sends through A's daemon (the CLI finds it through daemon.json)
    const arrivedAtB = watch(infoB.api, infoB.auth, ids => ids.size >= 1)
    const sent = await c5meshJson(['--data', dirA, 'send', '--headline', 'Robo de vehículo', '--param', 'placa=YUC-123-A', '--precedence', 'flash'])
    expect(sent.via).toBe('daemon')
    expect([...await arrivedAtB]).toEqual([sent.id])
    const shownAtB = await c5meshJson(['--data', dirB, 'show', sent.id])
    expect(shownAtB.source).toMatch(/^peer:/)

    // a backlog published at A while B is syncing; B is killed part-way
    const backlog = Array.from({ length: 600 }, (_, i) => composeEnvelope({ kind: 'bulletin', org: 'MX-YUC', precedence: 'routine', content: { msgType: 'Alert', headline: `boletín ${i}`, description: 'd'.repeat(300) } }, world.members[0].operator, { now: Date.now() }))
    const partly = watch(infoB.api, infoB.auth, ids => ids.size >= 50)
    for (const e of backlog) {
      const r = await fetch(`${infoA.api}/v1/messages`, { method: 'POST', body: e.bytes, headers: { 'content-type': 'application/octet-stream', ...infoA.auth } })
      expect(r.status).toBe(201)
    }
    await partly
    b.child.kill('SIGKILL')
    await b.exited
    b = await startDaemonProcess(['--data', dirB]); children.push(b.child) // a stale daemon.json is replaced
    infoB = await daemonInfo(dirB)
    const statusB = await (await fetch(`${infoB.api}/v1/status`, { headers: infoB.auth })).json() as { messages: number }
    expect(statusB.messages).toBeGreaterThanOrEqual(50)
    const inbox = async (): Promise<string[]> => (await c5meshJson<any[]>(['--data', dirB, 'inbox', '--kind', 'bulletin', '--limit', '10000'])).map(m => m.id)
    // Watch first, then read the inbox: a message stored between the two is in one of them
    // (the other order lost those that arrived in between, and waited for them forever).
    let have = new Set<string>()
    const rest = watch(infoB.api, infoB.auth, ids => backlog.every(e => have.has(e.id) || ids.has(e.id)))
    rest.catch(() => {})
    have = new Set(await inbox())
    if (have.size < backlog.length) await rest
    const ids = await inbox()
    expect(ids.length).toBe(backlog.length)
    expect(new Set(ids)).toEqual(new Set(backlog.map(e => e.id)))

    for (const d of [a, b]) d.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
    await expect(stat(join(dirA, 'daemon.json'))).rejects.toThrow()
  })
})
