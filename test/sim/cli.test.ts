/**
 * `c5mesh sim` through the real bin: the summary and trace hash, the report files (a
 * self-contained HTML page: no script, nothing fetched), and a failed assertion as one
 * error line naming the node, the message and the assertion, with a non-zero exit.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { readFile, readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { c5mesh } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

describe('c5mesh sim', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0)) await c() })

  it('a failed assertion exits 1 with one line naming node, message and assertion; the report is written', async () => {
    const dir = await tempDir('c5mesh-sim-cli-')
    cleanups.push(dir.cleanup)
    const out = join(dir.path, 'report')
    const r = await c5mesh(['sim', fixture('unreachable.yaml'), '--out', out, '--quiet'])
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^error SIM_ASSERTION_FAILED: assertion 2 "everything reaches Oaxaca within 10 minutes" failed: MX-OAX: ".*" \(bafk[a-z0-9]+\): never delivered/)
    expect(r.stdout).toMatch(/c5mesh +[\d.]+ s wall, \d+ events, trace sha256 [0-9a-f]{64}/)
    expect(r.stdout).toContain('FAIL 2. everything reaches Oaxaca within 10 minutes')
    expect((await readdir(out)).sort()).toEqual(['report.html', 'report.json', 'trace-flood.log', 'trace-gossip.log', 'trace.log'])
    const html = await readFile(join(out, 'report.html'), 'utf8')
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//)
    const json = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'))
    expect(json.systems.map((s: { system: string }) => s.system)).toEqual(['c5mesh', 'gossip', 'flood'])
    expect(json.passed).toBe(false)
    const hash = /trace sha256 ([0-9a-f]{64})/.exec(r.stdout)![1]
    expect(json.systems[0].trace_hash).toBe(hash)
  }, 120_000)

  it('bad flags and bad files: one line, exit 2 or 1', async () => {
    const a = await c5mesh(['sim', fixture('unreachable.yaml'), '--baseline', 'pigeon'])
    expect(a.code).toBe(2)
    expect(a.stderr.trim()).toBe('error CLI_BAD_ARGUMENT: --baseline: expected one of all, none, gossip, flood, got "pigeon"')
    const b = await c5mesh(['sim', 'no-such-scenario'])
    expect(b.code).toBe(1)
    expect(b.stderr.trim()).toMatch(/^error CONFIG_NOT_FOUND: scenario file not found: no-such-scenario$/)
  }, 120_000)
})
