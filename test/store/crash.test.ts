/**
 * Crash safety (issue 2, "Crash safety"): a child process writes with sync: true in a loop
 * and is killed with SIGKILL at random moments. After every kill the store must open
 * cleanly, hold every message the child reported as written (readable and decodable), and
 * hold nothing partial: each message has all its index entries and its extra op, and no
 * index entry points at a missing message.
 */
import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import { describe, expect, it } from 'vitest'
import { decodeEnvelope } from '../../src/envelope/codec.js'
import { decodeRecord } from '../../src/store/keys.js'
import { createStore, SUBLEVEL_NAMES } from '../../src/store/index.js'
import { hex, tempDir } from './helpers.js'
import { seededRandom } from '../../src/sim/random.js'

const ROOT = join(import.meta.dirname, '..', '..')
const CHILD = join(import.meta.dirname, 'crash-child.ts')
/**
 * Which writer each lane's child runs (crash-child.ts WRITERS): lane 0 'ingest' = the node's
 * ingest path; lane 1 'store' = store.put with an extra meta op in the same batch.
 */
const MODES = ['ingest', 'store'] as const
const LANES = 2 // parallel children, each on its own database
const KILLS_PER_LANE = 26
const KILL_AFTER_MIN_MS = 20
const KILL_AFTER_MAX_MS = 200

/** Runs the child until `killAfterMs` after it is ready, then SIGKILLs it; returns reported digests. */
/**
 * How to start the child. Node 20 cannot run TypeScript itself and `--import tsx` costs
 * ~0.6 s per start (×50 starts), so the child is bundled once with esbuild (installed with
 * tsx) next to node_modules, where its external packages resolve; `--import tsx` is the
 * fallback. Either way it runs test/store/crash-child.ts as written.
 */
async function childArgs (): Promise<string[]> {
  try {
    const { build } = await import('esbuild')
    const outfile = join(ROOT, 'node_modules', '.cache', 'c5mesh', `crash-child-${process.pid}.mjs`) // per run: parallel runs never share it
    await build({ entryPoints: [CHILD], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' })
    return [outfile]
  } catch {
    return ['--import', 'tsx', CHILD]
  }
}

async function runChild (args: string[], path: string, run: number, killAfterMs: number, mode: string): Promise<{ reported: string[], killed: boolean }> {
  const child = spawn(process.execPath, [...args, '--path', path, '--run', String(run), '--mode', mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let timer: NodeJS.Timeout | undefined
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (out === '' && chunk.startsWith('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    out += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const { code, signal } = await new Promise<{ code: number | null, signal: string | null }>((resolve) => {
    child.on('exit', (c, s) => { resolve({ code: c, signal: s }) })
  })
  clearTimeout(timer)
  if (signal !== 'SIGKILL') throw new Error(`child exited on its own (code ${code}): ${err}`)
  // Only complete lines count: a line cut by the kill was not reported.
  const lines = out.split('\n').slice(0, -1)
  return { reported: lines.filter(l => l.startsWith('ok ')).map(l => l.slice(3)), killed: true }
}

/** Checks the database after a crash; returns how many messages it holds. */
async function verify (path: string, reported: Set<string>, fresh: string[], mode: string): Promise<number> {
  const store = createStore({ path })
  await store.open() // opens cleanly after SIGKILL
  for (const d of fresh) {
    const m = await store.get(d)
    expect(m === undefined ? 'missing' : hex(m.envelope.digest)).toBe(d)
  }
  const count = store.count()
  await store.close()

  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  const messages = new Map<string, number>() // digest → reference count
  const indexed = new Map<string, Set<string>>() // digest → sublevels holding an entry
  const extras = new Set<string>()
  for await (const [key, value] of db.iterator()) {
    const k = Buffer.from(key)
    const sub = k.subarray(1, k.indexOf(0x21, 1)).toString('latin1')
    if (sub === SUBLEVEL_NAMES.messages) {
      const env = decodeEnvelope(decodeRecord(value).bytes)
      messages.set(hex(env.digest), env.references.length)
    } else if (sub === SUBLEVEL_NAMES.meta) {
      const name = k.subarray(sub.length + 2).toString()
      if (name.startsWith('crash:')) extras.add(name.slice(6))
    } else if (sub.startsWith('idx-')) {
      const d = hex(k.subarray(k.length - 32))
      if (!indexed.has(d)) indexed.set(d, new Set())
      indexed.get(d)?.add(sub)
    }
  }
  await db.close()

  for (const d of reported) expect(messages.has(d)).toBe(true)
  const always = ['idx-author', 'idx-created', 'idx-expires', 'idx-kind', 'idx-org', 'idx-prec']
  for (const [d, refs] of messages) {
    expect([...(indexed.get(d) ?? [])].sort()).toEqual(refs > 0 ? [...always, 'idx-ref'].sort() : always)
    if (mode === 'store') expect(extras.has(d)).toBe(true) // the extra op landed with its message
  }
  for (const d of indexed.keys()) expect(messages.has(d)).toBe(true)
  for (const d of extras) expect(messages.has(d)).toBe(true)
  expect(count).toBe(messages.size)
  return messages.size
}

async function lane (args: string[], laneNo: number, seed: number): Promise<{ kills: number, reported: number, stored: number }> {
  const dir = await tempDir(`c5crash-${laneNo}-`)
  const random = seededRandom(seed) // a failing schedule replays from its seed
  const reported = new Set<string>()
  let kills = 0
  let stored = 0
  try {
    for (let run = 1; run <= KILLS_PER_LANE; run++) {
      const killAfter = KILL_AFTER_MIN_MS + Math.floor(random() * (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS))
      const r = await runChild(args, dir.path, run, killAfter, MODES[laneNo % MODES.length])
      kills++
      for (const d of r.reported) reported.add(d)
      stored = await verify(dir.path, reported, r.reported, MODES[laneNo % MODES.length])
    }
  } finally {
    await dir.cleanup()
  }
  return { kills, reported: reported.size, stored }
}

describe('store crash safety', () => {
  it(`survives ${LANES * KILLS_PER_LANE} SIGKILLs during sync writes`, async () => {
    const seed = Date.now() >>> 0
    const args = await childArgs()
    const results = await Promise.all(Array.from({ length: LANES }, async (_, i) => lane(args, i, seed + i)))
      .catch((err: unknown) => { throw new Error(`crash test failed (seed ${seed})`, { cause: err }) })
      .finally(async () => { if (args.length === 1) await rm(args[0], { force: true }) })
    const kills = results.reduce((n, r) => n + r.kills, 0)
    expect(kills).toBeGreaterThanOrEqual(50)
    for (const r of results) {
      expect(r.reported).toBeGreaterThan(0)
      expect(r.stored).toBeGreaterThanOrEqual(r.reported)
    }
    console.log(`crash: ${args.length === 1 ? 'bundled' : 'tsx'} child, seed ${seed}, ${kills} kills, ${results.map(r => `${r.reported} reported / ${r.stored} stored`).join('; ')}`)
  }, 120_000)
})
