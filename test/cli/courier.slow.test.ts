/**
 * `c5mesh courier` as couriers run it: real processes, real stores on disk, one C5 running
 * as a daemon. Three C5s that never connect otherwise converge through a stick; a full
 * stick gives a clear error and leaves every file whole. (Slow: some 30 CLI processes.)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Envelope } from '../../src/envelope/types.js'
import { c5mesh, c5meshJson, startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'
import { prepareFolder } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { alerts, hex, held, store } from './bundle-helpers.js'

const STICK_BYTES = 2 * 1024 * 1024

let tmp: { path: string, cleanup: () => Promise<void> }
let world: TestWorld
beforeAll(async () => {
  tmp = await tempDir('c5mesh-courier-')
  world = createTestWorld(['MX-YUC', 'MX-CMX', 'MX-JAL'], Date.now() - 3_600_000)
})
afterAll(async () => { await tmp.cleanup() })

describe('c5mesh courier', { timeout: 240_000 }, () => {
  it('three C5s that never connect: after a round of the stick, each holds every message exactly once', async () => {
    const dirs = ['c-yuc', 'c-cmx', 'c-jal'].map(d => join(tmp.path, d))
    const own: Envelope[][] = []
    for (let m = 0; m < 3; m++) {
      await prepareFolder(world, world.members[m], dirs[m])
      own.push(alerts(world, m, 25 + 5 * m, 'own'))
      await store(world, dirs[m], own[m])
    }
    const stick = join(tmp.path, 'stick')
    await mkdir(stick)
    await writeFile(join(stick, 'notes.txt'), 'ruta: YUC → CMX → JAL') // other things on the stick are left alone

    // MX-CMX runs as a daemon throughout: its courier goes through the daemon's API.
    let daemon: DaemonProcess | undefined
    try {
      daemon = await startDaemonProcess(['--data', dirs[1]])
      const route = [0, 1, 2, 0, 1, 2]
      for (const [step, m] of route.entries()) {
        const r = await c5mesh(['--data', dirs[m], 'courier', stick])
        expect(r.code, `step ${step} at ${world.members[m].org}:\n${r.stdout}\n${r.stderr}`).toBe(0)
        expect(r.stdout).toMatch(/safe to unplug/)
      }
      // Through the daemon: CMX imported the others' bundles while running.
      const status = await c5meshJson(['--data', dirs[1], 'status'])
      // (and its receipts of the flash alerts that reached it: the daemon makes them, the CLI does not)
      expect(status.running).toBe(true)
      expect(status.messages).toBeGreaterThanOrEqual(1 + 25 + 30 + 35)
    } finally {
      daemon?.child.kill('SIGTERM')
      await daemon?.exited
    }
    // Run twice at the last stop: nothing new to import, the same files, still no error.
    const before = await readFile(join(stick, (await readdir(stick)).find(f => f.includes('MX-YUC') && f.endsWith('.bundle'))!))
    const again = await c5meshJson(['--data', dirs[2], 'courier', stick])
    expect(again.imported).toEqual([])
    expect(again.skipped.map((s: { reason: string }) => s.reason).sort()).toEqual(['already imported', 'already imported', 'this node\'s own bundle'])
    expect(again.errors).toEqual([])
    expect(await readFile(join(stick, (await readdir(stick)).find(f => f.includes('MX-YUC') && f.endsWith('.bundle'))!))).toEqual(before)
    const all = [world.rosterEnvelope, ...own.flat()].map(e => hex(e.digest)).sort()
    for (const d of dirs) expect(await held(world, d)).toEqual(all)
    // One manifest and one bundle per C5, no temporary files, the courier's notes untouched.
    const files = (await readdir(stick)).sort()
    expect(files.filter(f => f.endsWith('.manifest'))).toHaveLength(3)
    expect(files.filter(f => f.endsWith('.bundle'))).toHaveLength(3)
    expect(files.filter(f => f.startsWith('.'))).toEqual([])
    expect(await readFile(join(stick, 'notes.txt'), 'utf8')).toBe('ruta: YUC → CMX → JAL')
    for (const f of files.filter(f => f.endsWith('.bundle'))) {
      expect((await c5meshJson(['bundle', 'inspect', join(stick, f)])).intact, f).toBe(true)
    }
  })

  it('on a full stick: a clear error, no half-written file, the older copy unchanged; it works again once there is room', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs as the stick: run it as root (CI does)')
    const dirs = ['f-yuc', 'f-cmx'].map(d => join(tmp.path, d))
    for (let m = 0; m < 2; m++) {
      await prepareFolder(world, world.members[m], dirs[m])
      await store(world, dirs[m], alerts(world, m, 10, 'first'))
    }
    const stick = await mkdtemp(join(tmpdir(), 'c5mesh-stick-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${STICK_BYTES}`, 'tmpfs', stick])
    try {
      // A round on a roomy stick: each C5 has its manifest and its bundle there.
      for (const m of [0, 1, 0]) expect((await c5mesh(['--data', dirs[m], 'courier', stick])).code).toBe(0)
      const names = (await readdir(stick)).sort()
      const yucBundle = names.find(f => f.includes('MX-YUC') && f.endsWith('.bundle'))!
      const old = await readFile(join(stick, yucBundle))
      // MX-YUC receives many messages: its next bundle for MX-CMX will not fit.
      await store(world, dirs[0], alerts(world, 0, 4000, 'big'))
      await writeFile(join(stick, 'filler'), Buffer.alloc(STICK_BYTES - 600 * 1024))
      for (let run = 0; run < 2; run++) {
        const r = await c5mesh(['--data', dirs[0], 'courier', stick])
        expect(r.code).toBe(1)
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
        expect(r.stderr).toMatch(/^error BUNDLE_NO_SPACE: .*no room left/)
        expect(r.stdout).toMatch(/wrote {4}c5mesh-MX-YUC-\w+\.manifest/) // what fitted was written
        expect((await readdir(stick)).filter(f => f.startsWith('.'))).toEqual([])
        expect(await readFile(join(stick, yucBundle))).toEqual(old)
        expect((await c5meshJson(['bundle', 'inspect', join(stick, yucBundle)])).intact).toBe(true)
      }
      await rm(join(stick, 'filler'))
      expect((await c5mesh(['--data', dirs[0], 'courier', stick])).code).toBe(0)
      expect((await c5mesh(['--data', dirs[1], 'courier', stick])).code).toBe(0)
      expect(await held(world, dirs[1])).toEqual(await held(world, dirs[0]))
    } finally {
      execFileSync('umount', [stick])
      await rm(stick, { recursive: true, force: true })
    }
  })
})
