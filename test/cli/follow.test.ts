/**
 * `c5mesh inbox --follow` against a node's real HTTP API (in this process, on loopback):
 * the list first, then each new message on its own line as it is stored — across restarts
 * of the node's API, with nothing lost and nothing twice, and a bell on flash.
 */
import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import type { EventEmitter } from 'node:events'
import { writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import { fromHex, readKeyFile } from '../../src/identity/index.js'
import { openNodeCore } from '../../src/node/core.js'
import { createApi } from '../../src/api/server.js'
import { createOperatorDirectory } from '../../src/operators/index.js'
import { dataPaths } from '../../src/node/paths.js'
import { BIN, c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

describe('c5mesh inbox --follow', { timeout: 120_000 }, () => {
  it('prints the inbox, then every new message as it is stored; refuses without a running node', async () => {
    const dir = await tempDir('c5mesh-follow-')
    const data = join(dir.path, 'a')
    await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-GRO'])
    const refused = await c5mesh(['--data', data, 'inbox', '--follow'])
    expect(refused.stderr).toMatch(/^error NODE_NOT_RUNNING: /)

    const config = JSON.parse(await readFile(join(data, 'config.json'), 'utf8'))
    const core = await openNodeCore({ storePath: join(data, 'db'), anchors: { keys: config.trustAnchors.keys.map(fromHex), threshold: 1 } })
    const api = await createApi({ core, org: 'MX-GRO', operators: createOperatorDirectory(dataPaths(data)) })
    await api.listen({ host: '127.0.0.1', port: 0 })
    const port = (api.server.address() as { port: number }).port
    // This process stands in for the daemon: daemon.json names our pid and API.
    await writeFile(join(data, 'daemon.json'), JSON.stringify({ pid: process.pid, api: `http://127.0.0.1:${port}`, peerId: 'test', startedAt: Date.now() }))
    const operator = (await readKeyFile(join(data, 'keys', 'operator.json'))).pair
    const compose = (headline: string, precedence: 'flash' | 'routine') => composeEnvelope({ kind: 'alert', org: 'MX-GRO', precedence, content: { msgType: 'Alert', headline } }, operator, { now: Date.now() })
    const before = compose('antes', 'routine')
    expect((await core.ingest.ingest(before.bytes, 'local')).ok).toBe(true)

    const child = spawn(process.execPath, [BIN, '--data', data, 'inbox', '--follow', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const lines: any[] = []
    let buf = ''
    const seen = (n: number): Promise<void> => new Promise((resolve, reject) => {
      const check = (): void => { if (lines.length >= n) resolve() }
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString()
        let i
        while ((i = buf.indexOf('\n')) >= 0) { lines.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1) }
        check()
      })
      child.once('exit', code => reject(new Error(`follow exited (${code})`)))
      check()
    })
    try {
      await seen(1)
      expect(lines[0].id).toBe(before.id)
      // The follower subscribes after printing the list: wait until the API's event stream
      // listens (an event, not a timer).
      await new Promise<void>(resolve => { if (api.c5mesh.hub.clients() > 0) resolve(); else api.c5mesh.hub.events.once('attach', resolve) })
      const flash = compose('SISMO', 'flash')
      expect((await core.ingest.ingest(flash.bytes, 'peer:x')).ok).toBe(true)
      await seen(2)
      expect(lines[1]).toMatchObject({ id: flash.id, precedence: 'flash', source: 'peer:x' })
    } finally {
      child.kill('SIGTERM')
      await api.close()
      await core.close()
      await dir.cleanup()
    }
  })

  it('survives the node\'s restart: says so, reconnects to its new address, prints what arrived meanwhile once; --bell rings on flash', async () => {
    const dir = await tempDir('c5mesh-follow-')
    const data = join(dir.path, 'a')
    await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-GRO'])
    const config = JSON.parse(await readFile(join(data, 'config.json'), 'utf8'))
    const core = await openNodeCore({ storePath: join(data, 'db'), anchors: { keys: config.trustAnchors.keys.map(fromHex), threshold: 1 } })
    // The follower is subscribed once the API's event hub has attached it (an event, not a timer).
    const subscribed = async (): Promise<void> => await new Promise<void>(resolve => { if (api.c5mesh.hub.clients() > 0) resolve(); else api.c5mesh.hub.events.once('attach', resolve) })
    const serve = async () => {
      const api = await createApi({ core, org: 'MX-GRO', operators: createOperatorDirectory(dataPaths(data)) })
      await api.listen({ host: '127.0.0.1', port: 0 })
      const port = (api.server.address() as { port: number }).port
      await writeFile(join(data, 'daemon.json'), JSON.stringify({ pid: process.pid, api: `http://127.0.0.1:${port}`, peerId: 'test', startedAt: Date.now() }))
      return api
    }
    const operator = (await readKeyFile(join(data, 'keys', 'operator.json'))).pair
    let n = 0
    const compose = (precedence: 'flash' | 'routine') => composeEnvelope({ kind: 'alert', org: 'MX-GRO', precedence, content: { msgType: 'Alert', headline: `m${n++}` } }, operator, { now: Date.now() })
    let api = await serve()
    const child = spawn(process.execPath, [BIN, '--data', data, 'inbox', '--follow', '--bell', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const ids: string[] = []
    let buf = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      let i
      while ((i = buf.indexOf('\n')) >= 0) { ids.push(JSON.parse(buf.slice(0, i)).id); buf = buf.slice(i + 1) }
    })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ids ${ids.length}, stderr: ${err}`)
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
    try {
      await subscribed()
      const first = compose('flash')
      expect((await core.ingest.ingest(first.bytes, 'peer:x')).ok).toBe(true)
      await until(() => ids.length === 1, 'the first message')
      await until(() => err.includes('\u0007'), 'the bell')
      // The node's API stops; messages arrive meanwhile (the store outlives the API here).
      await api.close()
      await until(() => err.includes('waiting for it to come back'), 'the stop notice')
      const meanwhile = [compose('routine'), compose('routine')]
      for (const m of meanwhile) expect((await core.ingest.ingest(m.bytes, 'peer:x')).ok).toBe(true)
      api = await serve() // back, on another port
      await until(() => ids.length === 3, 'the messages stored meanwhile')
      expect(err).toMatch(/node back \(pid \d+\): following again/)
      await subscribed()
      const after = compose('routine')
      expect((await core.ingest.ingest(after.bytes, 'peer:x')).ok).toBe(true)
      await until(() => ids.length === 4, 'the live message after the restart')
      // each once; the two stored meanwhile may come in either order (same precedence, and
      // composed in the same millisecond they tie on time)
      expect([ids[0], [...ids.slice(1, 3)].sort(), ids[3]]).toEqual([first.id, meanwhile.map(m => m.id).sort(), after.id])
      expect(err.split('\u0007').length - 1).toBe(1) // one flash, one bell
    } finally {
      child.kill('SIGTERM')
      await api.close()
      await core.close()
      await dir.cleanup()
    }
  })
})
