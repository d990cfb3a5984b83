/**
 * scripts/build.js: the bin runs compiled JavaScript of the CURRENT sources. A scratch
 * project (its own src/, the real scripts/build.js and bin/, the real node_modules) is
 * built, edited, and run by several processes at once: an edit is never answered by the
 * old build, and parallel starts share one build.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, symlink, stat, writeFile, utimes, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../helpers/tmp.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

let dir: { path: string, cleanup: () => Promise<void> }
let root: string

async function writeMain (text: string): Promise<void> {
  await writeFile(join(root, 'src', 'cli', 'main.ts'), `const said: string = ${JSON.stringify(text)}\nprocess.stdout.write(said + '\\n')\n`)
}

async function run (): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [join(root, 'bin', 'c5mesh.js')], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

beforeAll(async () => {
  dir = await tempDir('c5mesh-build-')
  root = dir.path
  await mkdir(join(root, 'src', 'cli'), { recursive: true })
  await mkdir(join(root, 'src', 'util'), { recursive: true })
  await mkdir(join(root, 'bench'), { recursive: true })
  await cp(join(ROOT, 'scripts', 'build.js'), join(root, 'scripts', 'build.js'))
  await cp(join(ROOT, 'bin', 'c5mesh.js'), join(root, 'bin', 'c5mesh.js'))
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) await cp(join(ROOT, f), join(root, f))
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'c5mesh', type: 'module' }))
  await symlink(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  await writeFile(join(root, 'src', 'util', 'shim.ts'), 'export {}\n')
  await writeMain('first')
})
afterAll(async () => { await dir?.cleanup() })

describe('the compiled bin', { timeout: 120_000 }, () => {
  it('builds on first use, then runs the build without rebuilding', async () => {
    const a = await run()
    expect(a).toMatchObject({ code: 0, stdout: 'first\n', stderr: '' })
    const builds = (await readdir(join(root, 'dist'))).filter(n => /^[0-9a-f]{16}$/.test(n))
    expect(builds).toHaveLength(1)
    const marker = await readFile(join(root, 'dist', builds[0], 'BUILD.json'), 'utf8')
    expect((await run()).stdout).toBe('first\n')
    expect(await readFile(join(root, 'dist', builds[0], 'BUILD.json'), 'utf8')).toBe(marker)
  })

  it('an edited source is never answered by the old build, even by parallel starts', async () => {
    await writeMain('second')
    const runs = await Promise.all([run(), run(), run(), run()])
    for (const r of runs) expect(r).toMatchObject({ code: 0, stdout: 'second\n' })
    expect((await readdir(join(root, 'dist'))).filter(n => n.endsWith('.lock') || n.includes('.tmp-'))).toEqual([])
  })

  it('an edit that keeps the size and rewinds the mtime still rebuilds (the key is the content)', async () => {
    // Same length as 'second' and the same mtime (as `cp -p` or tar leave it): a size+mtime key would miss it.
    const before = await stat(join(root, 'src', 'cli', 'main.ts'))
    await writeMain('SECOND')
    await utimes(join(root, 'src', 'cli', 'main.ts'), before.atime, before.mtime)
    expect((await run()).stdout).toBe('SECOND\n')
  })

  it('a new source file changes the key; a syntax error fails with one line and a code', async () => {
    await writeFile(join(root, 'src', 'util', 'broken.ts'), 'export const x = (\n')
    const r = await run()
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/^error BUILD_FAILED: /)
  })
})
