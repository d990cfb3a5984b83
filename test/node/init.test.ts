/**
 * `c5mesh init` on the folders a deployment really uses (issue 12 §2): a mount point (a
 * Docker volume, a tmpfs, a disk) and a folder owned by an unprivileged user whose parent is
 * not theirs. Init used to stage in a sibling folder and rename: EXDEV across the mount,
 * EACCES as the container's user. No container engine runs here, so the same first-run
 * path runs on a real tmpfs and as `nobody` (both need root, as CI runs).
 */
import { execFileSync } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { initNode } from '../../src/node/init.js'
import { readKeyFile } from '../../src/identity/index.js'
import { c5mesh, c5meshJson, startDaemonProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
// @ts-expect-error — a plain ESM script without type declarations
import { ensureBuild } from '../../scripts/build.js'

const isRoot = process.getuid?.() === 0
const NOBODY = 65534
const AS_NOBODY = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']

describe('init', { timeout: 60_000 }, () => {
  beforeAll(() => { ensureBuild() }) // as root: `nobody` may run the build, not make it

  it.runIf(isRoot)('works on a folder that is a mount point (a fresh tmpfs), leaving nothing beside it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'c5mesh-mnt-'))
    const mnt = join(parent, 'data')
    await mkdir(mnt)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt])
    try {
      const r = await initNode({ dir: mnt, dev: true, org: 'MX-YUC' })
      expect((await readdir(mnt)).sort()).toEqual(['config.json', 'db', 'keys'])
      expect(await readdir(parent)).toEqual(['data'])
      expect((await readKeyFile(join(mnt, 'keys', 'node.json'))).pair.publicKey).toEqual(r.node.publicKey)
    } finally {
      execFileSync('umount', [mnt])
      await rm(parent, { recursive: true, force: true })
    }
  })

  it.runIf(isRoot)('works as an unprivileged user on its own folder inside a folder it may not write (a container volume), and the node starts', async () => {
    const dir = await tempDir('c5mesh-vol-')
    try {
      await chmod(dir.path, 0o755)
      const vol = join(dir.path, 'data')
      await mkdir(vol)
      await chown(vol, NOBODY, NOBODY)
      const init = await c5meshJson(['--data', vol, 'init', '--dev', '--org', 'MX-YUC'], {}, AS_NOBODY)
      expect(init.org).toBe('MX-YUC')
      expect((await stat(join(vol, 'keys', 'node.json'))).uid).toBe(NOBODY)
      expect(await readdir(dir.path)).toEqual(['data'])
      const daemon = await startDaemonProcess(['--data', vol], AS_NOBODY, { C5MESH_LISTEN: '/ip4/127.0.0.1/tcp/0', C5MESH_API_PORT: '0', C5MESH_MDNS: 'false', C5MESH_DHT: 'false' })
      try {
        const st = await c5meshJson(['--data', vol, 'status'], {}, AS_NOBODY)
        expect(st).toMatchObject({ running: true, rosterVersion: 1 })
      } finally {
        daemon.child.kill('SIGTERM')
        expect(await daemon.exited).toBe(0)
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('removes the staging folder of an init that crashed, and a failed init leaves the folder as it was', async () => {
    const dir = await tempDir('c5mesh-init-')
    try {
      const data = join(dir.path, 'data')
      await mkdir(join(data, '.init-crashed', 'keys'), { recursive: true })
      await initNode({ dir: data })
      expect((await readdir(data)).sort()).toEqual(['config.json', 'keys'])
      const again = await c5mesh(['--data', data, 'init'])
      expect(again.stderr).toMatch(/^error NODE_ALREADY_INITIALISED: /)
      const bad = await c5mesh(['--data', join(dir.path, 'other'), 'init', '--org', 'yucatan'])
      expect(bad.stderr).toMatch(/^error CLI_BAD_ARGUMENT: --org/)
      await expect(stat(join(dir.path, 'other'))).rejects.toThrow(/ENOENT/)
    } finally {
      await dir.cleanup()
    }
  })
})
