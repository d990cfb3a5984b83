/**
 * `send` while the node cannot send (issue 12 §3): stopped, or running with no peer. It
 * says so plainly — the message is stored here, not sent — and the inbox marks it until a
 * sync session has handed it to a peer; the mark is durable (the message's own batch) and
 * cleared for good once it left.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { c5mesh, c5meshJson, startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'

const running: DaemonProcess[] = []
let tmp: { path: string, cleanup: () => Promise<void> } | undefined
afterAll(async () => {
  for (const d of running) { if (d.child.exitCode === null) { d.child.kill('SIGTERM'); await d.exited } }
  await tmp?.cleanup()
})

async function eventually (check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

describe('the outbox', { timeout: 150_000 }, () => {
  it('is kept in the message\'s own batch, survives a restart, and only local operator messages enter it', async () => {
    const dir = await tempDir('c5mesh-outbox-')
    const world = createTestWorld(['MX-YUC'], Date.now())
    const path = join(dir.path, 'db')
    try {
      let core = await openNodeCore({ storePath: path, anchors: world.anchors })
      await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
      const mine = composeEnvelope({ kind: 'alert', org: 'MX-YUC', precedence: 'flash', content: { msgType: 'Alert', headline: 'mío' } }, world.members[0].operator, { now: Date.now() })
      const relayed = composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'de otro' } }, world.members[0].operator, { now: Date.now() + 1 })
      expect((await core.ingest.ingest(mine.bytes, 'local')).ok).toBe(true)
      expect((await core.ingest.ingest(relayed.bytes, 'peer:x')).ok).toBe(true)
      await core.close()
      core = await openNodeCore({ storePath: path, anchors: world.anchors })
      const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex')
      expect(core.outbox.pending(hex(mine.digest))).toBe(true)
      expect(core.outbox.pending(hex(relayed.digest))).toBe(false)
      expect(core.outbox.pending(hex(world.rosterEnvelope.digest))).toBe(false)
      core.outbox.sent(mine.digest)
      await core.close()
      core = await openNodeCore({ storePath: path, anchors: world.anchors })
      expect(core.outbox.size()).toBe(0)
      await core.close()
    } finally {
      await dir.cleanup()
    }
  })

  it('send on a stopped node says NOT SENT; the inbox marks it while no peer is connected; the mark goes once a peer got it', async () => {
    tmp = await tempDir('c5mesh-outbox-')
    const world = createTestWorld(['MX-YUC', 'MX-QUE'], Date.now())
    const dirA = join(tmp.path, 'a'); const dirB = join(tmp.path, 'b')
    await prepareFolder(world, world.members[0], dirA)
    await prepareFolder(world, world.members[1], dirB)

    const offline = await c5mesh(['--data', dirA, 'send', '--headline', 'Sismo en la costa', '--precedence', 'flash'])
    expect(offline.code).toBe(0)
    const [id, line] = offline.stdout.trim().split('\n')
    expect(line).toBe('NOT SENT YET (FLASH): stored on this node only — the node is not running: it leaves when the node starts (c5mesh start)')
    expect((await c5mesh(['--data', dirA, 'inbox'])).stdout).toMatch(/Sismo en la costa {2}\S+ {2}\[NOT SENT YET: stored here, no peer has it\]/)
    expect((await c5mesh(['--data', dirA, 'show', id])).stdout).toContain('sent        NOT YET')

    const a = await startDaemonProcess(['--data', dirA]); running.push(a)
    const alone = await c5meshJson(['--data', dirA, 'send', '--headline', 'Réplica'])
    expect(alone).toMatchObject({ sent: false, notSent: 'no peer is connected: it leaves as soon as one is (c5mesh peers)' })
    expect((await c5meshJson<any[]>(['--data', dirA, 'inbox'])).filter(m => m.pending === true).map(m => m.id).sort()).toEqual([id, alone.id].sort())

    const infoA = await daemonInfo(dirA)
    const { readFile, writeFile } = await import('node:fs/promises')
    const cfgB = JSON.parse(await readFile(join(dirB, 'config.json'), 'utf8'))
    await writeFile(join(dirB, 'config.json'), JSON.stringify({ ...cfgB, bootstrap: [infoA.addrs[0]] }))
    const b = await startDaemonProcess(['--data', dirB]); running.push(b)
    await eventually(async () => (await c5meshJson<any[]>(['--data', dirA, 'inbox'])).every(m => m.pending !== true), 'the marks to go')
    const onB = (await c5meshJson<any[]>(['--data', dirB, 'inbox'])).map(m => m.id)
    expect(onB).toEqual(expect.arrayContaining([id, alone.id]))
    const sentNow = await c5meshJson(['--data', dirA, 'send', '--headline', 'Con par conectado'])
    expect(sentNow.sent).toBe(true)
    await eventually(async () => (await c5meshJson(['--data', dirA, 'show', sentNow.id])).pending !== true, 'the new message to leave')
    // Cleared for good: not marked again after a restart.
    a.child.kill('SIGTERM'); await a.exited
    expect((await c5meshJson<any[]>(['--data', dirA, 'inbox'])).filter(m => m.pending === true)).toEqual([])
  })
})
