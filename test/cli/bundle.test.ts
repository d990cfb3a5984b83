/**
 * The courier's experience, with real `c5mesh` processes and real stores on disk:
 * bundle export / inspect / import / manifest between two C5s, and the files a courier may
 * bring instead of a bundle. The courier's round: courier.slow.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BIN, c5mesh, c5meshJson } from '../helpers/cli.js'
import { prepareFolder } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'

import { alerts, held, store } from './bundle-helpers.js'

let tmp: { path: string, cleanup: () => Promise<void> }
let world: TestWorld
beforeAll(async () => {
  tmp = await tempDir('c5mesh-courier-')
  world = createTestWorld(['MX-YUC', 'MX-CMX', 'MX-JAL'], Date.now() - 3_600_000)
})
afterAll(async () => { await tmp.cleanup() })

/**
 * Runs the bin on a pseudo-terminal (util-linux `script`): what an operator sees, stdout and
 * stderr together. The pty is never sized: it reports 0 columns, as a serial console does.
 */
async function onTerminal (args: string[]): Promise<{ code: number, screen: string }> {
  const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`
  const cmd = [process.execPath, BIN, ...args].map(quote).join(' ')
  return new Promise(resolve => {
    execFile('script', ['-qec', cmd, '/dev/null'], { timeout: 60_000 }, (err, stdout) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, screen: stdout })
    })
  })
}

describe('c5mesh bundle', { timeout: 180_000 }, () => {
  it('export → inspect → import; a manifest makes the next export carry only the difference', async () => {
    const a = join(tmp.path, 'b-a')
    const b = join(tmp.path, 'b-b')
    await prepareFolder(world, world.members[0], a)
    await prepareFolder(world, world.members[1], b)
    const fromA = alerts(world, 0, 40, 'a')
    await store(world, a, fromA)
    const file = join(tmp.path, 'a.bundle')
    const exp = await c5meshJson(['--data', a, 'bundle', 'export', '--out', file])
    expect(exp).toMatchObject({ messages: 41, count: 41 })
    const info = await c5meshJson(['bundle', 'inspect', file])
    expect(info).toMatchObject({ format: 'bundle', org: 'MX-YUC', records: 41, intact: true, headerSignatureValid: true, byKind: { alert: 40, roster: 1 } })
    const text = await c5mesh(['bundle', 'inspect', file])
    expect(text.stdout).toMatch(/file {8}intact/)
    const imp = await c5mesh(['--data', b, 'bundle', 'import', file])
    expect(imp.code).toBe(0)
    expect(imp.stdout).toMatch(/new {12}40\n {2}already known {2}1\n {2}rejected {7}0/)
    expect(imp.stderr).toBe('') // no progress bar when not a terminal
    expect(await held(world, b)).toEqual(await held(world, a))

    // B's manifest, carried to A: A's next bundle holds only what B lacks.
    await store(world, a, alerts(world, 0, 5, 'later'))
    const manifest = join(tmp.path, 'b.manifest')
    expect((await c5meshJson(['--data', b, 'bundle', 'manifest', '--out', manifest])).size).toBe(41)
    const diff = join(tmp.path, 'diff.bundle')
    const d = await c5meshJson(['--data', a, 'bundle', 'export', '--out', diff, '--for', manifest])
    expect(d).toMatchObject({ messages: 5, used: [expect.objectContaining({ org: 'MX-CMX', messages: 5, method: 'symbols' })] })
    expect((await c5meshJson(['--data', b, 'bundle', 'import', diff])).new).toBe(5)
    expect(await held(world, b)).toEqual(await held(world, a))
  })

  it('a foreign, empty, cut or altered file: one line with a code, non-zero exit, the good part kept', async () => {
    const b = join(tmp.path, 'b-b')
    const file = join(tmp.path, 'a.bundle')
    const good = await readFile(file)
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['photo.bundle', Buffer.from('\xff\xd8\xff\xe0 JFIF', 'latin1'), /^error BUNDLE_FOREIGN: photo.bundle is not a c5mesh bundle/],
      ['empty.bundle', new Uint8Array(0), /^error BUNDLE_EMPTY: /],
      ['cut.bundle', good.subarray(0, Math.floor(good.length / 2)), /^error BUNDLE_TRUNCATED: .*truncated/],
      ['manifest.bundle', await readFile(join(tmp.path, 'b.manifest')), /^error BUNDLE_FOREIGN: .*manifest, not a bundle/]
    ]
    for (const [name, bytes, pattern] of cases) {
      await writeFile(join(tmp.path, name), bytes)
      const r = await c5mesh(['--data', b, 'bundle', 'import', join(tmp.path, name)])
      expect(r.code, name).toBe(1)
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1)
      expect(r.stderr.trim(), name).toMatch(pattern)
    }
    const altered = Buffer.from(good)
    altered[altered.length - 200] ^= 0x01
    await writeFile(join(tmp.path, 'altered.bundle'), altered)
    const r = await c5mesh(['--data', b, 'bundle', 'import', join(tmp.path, 'altered.bundle')])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(/^error BUNDLE_CORRUPT: /)
    expect(r.stdout).toMatch(/DAMAGED/)
    const inspect = await c5mesh(['bundle', 'inspect', join(tmp.path, 'altered.bundle')])
    expect(inspect.code).toBe(1)
    expect(inspect.stdout).toMatch(/DAMAGED/)
    const missing = await c5mesh(['--data', b, 'bundle', 'import', join(tmp.path, 'nothere.bundle')])
    expect(missing.stderr.trim()).toMatch(/^error BUNDLE_UNREADABLE: cannot read .*no such file$/)
  })

  it('on a terminal, export and import draw a progress bar, reach 100% and clear it before the summary', async () => {
    const a = join(tmp.path, 'b-a')
    const c = join(tmp.path, 'b-c')
    await prepareFolder(world, world.members[2], c)
    const file = join(tmp.path, 'tty.bundle')
    const exp = await onTerminal(['--data', a, 'bundle', 'export', '--out', file])
    expect(exp.code, exp.screen).toBe(0)
    expect(exp.screen).toMatch(/\rexport tty\.bundle \[#{24}\] 100% {2}46 of 46 messages\x1b\[K/)
    expect(exp.screen).toMatch(/\r\x1b\[Kwrote .*tty\.bundle: 46 messages/)
    const imp = await onTerminal(['--data', c, 'bundle', 'import', file])
    expect(imp.code, imp.screen).toBe(0)
    expect(imp.screen).toMatch(/\rimport tty\.bundle \[#{24}\] 100% {2}[\d.]+ kB of [\d.]+ kB\x1b\[K/)
    expect(imp.screen).toMatch(/\r\x1b\[Kimported tty\.bundle: .*\r?\n {2}new {12}45\r?\n/)
    expect(await held(world, c)).toEqual(await held(world, a))
  })
})
