/**
 * `npm start`, the README's development quick start (issue 12 §2): it passes --dev (a fresh
 * folder gets a development identity), and SIGTERM to npm — what a supervisor or a closing
 * terminal sends — stops the node. It used to leave the node orphaned, holding its store
 * lock and its ports: npm signalled the shell that ran the script, not the node under it.
 */
import { spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/tmp.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }

describe('npm start', () => {
  it('makes a development node on a fresh folder, and SIGTERM to npm stops the node', async () => {
    const dir = await tempDir('c5mesh-npm-')
    const data = join(dir.path, 'data')
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, C5MESH_DATA: data, C5MESH_LISTEN: '/ip4/127.0.0.1/tcp/0', C5MESH_API_PORT: '0', C5MESH_MDNS: 'false', C5MESH_DHT: 'false' }
    })
    let out = ''
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    let nodePid: number | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(' running — peer id ')) resolve() })
        child.stderr.on('data', (d: Buffer) => { out += d.toString() })
        void exited.then(code => { reject(new Error(`npm start exited (${code}):\n${out}`)) })
      })
      expect(out).toContain('first run: made a development identity and roster')
      nodePid = JSON.parse(await readFile(join(data, 'daemon.json'), 'utf8')).pid as number
      expect(nodePid).not.toBe(child.pid)
      child.kill('SIGTERM')
      await exited
      // The node itself stops (cleanly: it removes daemon.json), not just npm.
      const deadline = Date.now() + 20_000
      while (alive(nodePid) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100))
      expect(alive(nodePid)).toBe(false)
      await expect(stat(join(data, 'daemon.json'))).rejects.toThrow(/ENOENT/)
    } finally {
      child.kill('SIGKILL')
      if (nodePid !== undefined && alive(nodePid)) process.kill(nodePid, 'SIGKILL')
      await dir.cleanup()
    }
  }, 60_000)
})
