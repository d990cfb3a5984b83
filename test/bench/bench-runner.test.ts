/** `npm run bench -- NAME`: every bench exports run(), and its last line is one JSON object. */
import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('bench runner', () => {
  it('every bench/*.ts exports run() (the runner calls nothing else)', async () => {
    const files = (await readdir(`${root}bench`)).filter(f => f.endsWith('.ts'))
    expect(files.length).toBeGreaterThan(3)
    for (const f of files) {
      expect(await readFile(`${root}bench/${f}`, 'utf8'), f).toMatch(/export (async )?function run \(/)
    }
  })

  it('envelope-size prints its figures as the last line and exits 0 (it used to throw a TypeError after printing)', async () => {
    const r = await new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
      execFile(process.execPath, [`${root}scripts/bench.js`, 'envelope-size'], { timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr })
      })
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
    expect(last).toMatchObject({ bench: 'envelope-size', signature_bytes: 64 })
    expect(last.overhead_bytes).toBeLessThan(111)
  }, 60_000)
})
