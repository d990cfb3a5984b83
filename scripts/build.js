#!/usr/bin/env node
// The compiled JavaScript that the `c5mesh` bin and the benches run (tsc output of src/ and
// bench/, plus the operator console: its static assets and app.js, bundled by esbuild from
// src/console/app), kept under dist/<key>/, where <key> names the exact
// sources it was built from (a hash of the path and content of every input file).
//
// Why a key and not one dist/ folder: a stale dist must never run old code silently.
// Every start of the bin computes the key (a sha-256 of ~600 KB of sources: 2–6 ms, less
// than the cost of trusting mtimes, which `cp -p`, tar and rsync rewind); when dist/<key> is
// missing it builds it first. Builds are immutable once made and land by an atomic rename,
// so a CLI spawned by a test while another engineer edits a file either runs the old key
// (complete) or builds the new one, and a running daemon's lazy imports never see files
// change under them. A lock folder makes parallel starts wait for one build.
//
//   node scripts/build.js          build now if needed (npm's `prepare`, `npm run build`)
//   import { ensureBuild } from './build.js'; const dir = ensureBuild()
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const DIST = join(ROOT, 'dist')

/** Folders whose every file is an input of the build. */
const INPUT_DIRS = ['src', 'bench']
/** Single files that change what the build makes. */
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.js', 'package-lock.json']
/** A lock older than this is left over from a killed build. */
const LOCK_STALE_MS = 120_000
const LOCK_POLL_MS = 50
/** Builds kept besides the current one (older keys are removed when a new one lands). */
const KEEP_OLD_BUILDS = 3
/** Written last inside a build: its presence means the build is complete. */
const MARKER = 'BUILD.json'

function walk (dir, out) {
  let entries
  try { entries = readdirSync(dir, { withFileTypes: true }) } catch { return }
  for (const e of entries) {
    const p = join(dir, e.name)
    if (e.isDirectory()) walk(p, out)
    else if (e.isFile()) out.push(p)
  }
}

function inputFiles (root) {
  const files = []
  for (const d of INPUT_DIRS) walk(join(root, d), files)
  for (const f of INPUT_FILES) files.push(join(root, f))
  return files.sort()
}

/** The key of the current sources: a change to any input file (or a new one) changes it. */
export function buildKey (root = ROOT) {
  const h = createHash('sha256')
  for (const f of inputFiles(root)) {
    let bytes
    try { bytes = readFileSync(f) } catch { continue }
    h.update(`${relative(root, f)}\0${bytes.length}\0`)
    h.update(bytes)
  }
  return h.digest('hex').slice(0, 16)
}

/**
 * What every input file's inode says about it (ctime changes with every write and cannot be
 * set back, unlike mtime), so that an unchanged tree is recognised from stats alone —
 * ~150 stats instead of reading ~600 KB; any difference falls back to hashing the content.
 */
function statPrint (root) {
  const h = createHash('sha256')
  for (const f of inputFiles(root)) {
    let s
    try { s = statSync(f, { bigint: true }) } catch { continue }
    h.update(`${f}\0${s.ino}\0${s.size}\0${s.mtimeNs}\0${s.ctimeNs}\n`)
  }
  return h.digest('hex')
}

const STAT_CACHE = 'last-key.json'

/** buildKey, answered from the stat print of the last call when nothing changed. */
export function currentKey (root = ROOT) {
  const dist = join(root, 'dist')
  const print = statPrint(root)
  try {
    const last = JSON.parse(readFileSync(join(dist, STAT_CACHE), 'utf8'))
    if (last.print === print && typeof last.key === 'string') return last.key
  } catch {}
  const key = buildKey(root)
  try {
    mkdirSync(dist, { recursive: true })
    const tmp = join(dist, `${STAT_CACHE}.tmp-${process.pid}`)
    writeFileSync(tmp, JSON.stringify({ key, print }))
    renameSync(tmp, join(dist, STAT_CACHE))
  } catch {} // a read-only install still works, hashing every time
  return key
}

const sleep = ms => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

function tscPath (root) {
  const p = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  if (!existsSync(p)) {
    throw new Error('the sources changed since the last build and TypeScript is not installed to rebuild them: run "npm install" (it builds through "prepare")')
  }
  return p
}

/** Compiles into `out` (type checking is `npm test`'s job: a work-in-progress type error must not stop the CLI). */
function compile (root, out) {
  execFileSync(process.execPath, [tscPath(root), '-p', join(root, 'tsconfig.build.json'), '--outDir', out, '--noCheck'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  // The console's static files (src/console/assets) travel as they are; its app is one
  // bundled script beside them, so the daemon serves every byte the page needs.
  const assets = join(root, 'src', 'console', 'assets')
  if (existsSync(assets)) cpSync(assets, join(out, 'src', 'console', 'assets'), { recursive: true })
  bundleConsole(root, join(out, 'src', 'console', 'assets', 'app.js'))
}

/**
 * src/console/app/main.ts → one ES module for the browser (esbuild: it strips the types and
 * joins the modules in milliseconds; tsc would leave one file per module and no bundle).
 * buildSync keeps this script synchronous (ensureBuild is called by the bin).
 */
function bundleConsole (root, outfile) {
  const entry = join(root, 'src', 'console', 'app', 'main.ts')
  if (!existsSync(entry)) return
  let esbuild
  try { esbuild = createRequire(join(root, 'package.json'))('esbuild') } catch (cause) {
    throw new Error('the console cannot be built: esbuild is not installed: run "npm install" (it builds through "prepare")', { cause })
  }
  esbuild.buildSync({ entryPoints: [entry], outfile, bundle: true, format: 'esm', target: 'chrome100', charset: 'utf8', legalComments: 'none', logLevel: 'silent' })
}

function prune (dist, current) {
  let builds
  try { builds = readdirSync(dist, { withFileTypes: true }).filter(e => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && e.name !== current) } catch { return }
  const byAge = builds.map(e => ({ name: e.name, mtime: statSync(join(dist, e.name)).mtimeMs })).sort((a, b) => b.mtime - a.mtime)
  for (const old of byAge.slice(KEEP_OLD_BUILDS)) rmSync(join(dist, old.name), { recursive: true, force: true })
  // Temporary folders of builds that were killed half-way.
  for (const e of readdirSync(dist, { withFileTypes: true })) {
    if (e.isDirectory() && e.name.includes('.tmp-') && Date.now() - statSync(join(dist, e.name)).mtimeMs > LOCK_STALE_MS) rmSync(join(dist, e.name), { recursive: true, force: true })
  }
}

/**
 * Returns the folder of the build of the current sources, building it first when missing.
 * `onBuild` is told before a build starts (the bin prints a line on a terminal).
 */
export function ensureBuild ({ root = ROOT, onBuild } = {}) {
  const dist = join(root, 'dist')
  const key = currentKey(root)
  const dir = join(dist, key)
  if (existsSync(join(dir, MARKER))) return dir
  mkdirSync(dist, { recursive: true })
  const lock = join(dist, `${key}.lock`)
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
    }
    // Someone else builds this key: wait for it, or take over a lock left by a killed build.
    if (existsSync(join(dir, MARKER))) return dir
    let age = 0
    try { age = Date.now() - statSync(lock).mtimeMs } catch { continue }
    if (age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true })
    else sleep(LOCK_POLL_MS)
  }
  try {
    if (existsSync(join(dir, MARKER))) return dir
    onBuild?.(key)
    const tmp = join(dist, `${key}.tmp-${process.pid}`)
    rmSync(tmp, { recursive: true, force: true })
    compile(root, tmp)
    writeFileSync(join(tmp, MARKER), JSON.stringify({ key, builtAt: new Date().toISOString() }) + '\n')
    rmSync(dir, { recursive: true, force: true }) // an incomplete one without its marker
    renameSync(tmp, dir)
    prune(dist, key)
    return dir
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const dir = ensureBuild({ onBuild: key => { process.stderr.write(`c5mesh: compiling the sources into dist/${key}\n`) } })
    process.stdout.write(`c5mesh: build ready in ${relative(process.cwd(), dir) || '.'}\n`)
  } catch (err) {
    process.stderr.write(`error BUILD_FAILED: ${err.stderr?.toString().trim() || err.message}\n`)
    process.exit(1)
  }
}
