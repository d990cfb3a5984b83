/**
 * The console as a real `c5mesh start` serves it (the compiled build: app.js bundled by
 * scripts/build.js): the page, its script and style without a token, under a strict
 * Content-Security-Policy, and nothing that points at another host (no CDN, no web font);
 * the API behind it still wants the token.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { startDaemonProcess } from '../helpers/cli.js'

const children: ChildProcess[] = []
let tmp: { path: string, cleanup: () => Promise<void> } | undefined
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await tmp?.cleanup()
})

describe('the console served by the daemon', { timeout: 60_000 }, () => {
  it('serves /, /console/app.js and /console/style.css from the node alone', async () => {
    tmp = await tempDir('c5mesh-console-serve-')
    const world = createTestWorld(['MX-YUC'], Date.now())
    const dir = join(tmp.path, 'a')
    await prepareFolder(world, world.members[0], dir)
    const d = await startDaemonProcess(['--data', dir]); children.push(d.child)
    const { api } = await daemonInfo(dir)

    const page = await fetch(`${api}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    const html = await page.text()
    expect(html).toContain('<html lang="es-MX">')
    // every asset the page names is on this node
    const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map(m => m[1])
    expect(refs).toEqual(expect.arrayContaining(['/console/app.js', '/console/style.css']))
    for (const r of refs) expect(r).toMatch(/^(\/console\/|#|data:)/)

    for (const [path, type, marker] of [['/console/app.js', /^text\/javascript/, 'Iniciar sesión'], ['/console/style.css', /^text\/css/, '--flash']] as const) {
      const res = await fetch(`${api}${path}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(type)
      const body = await res.text()
      expect(body).toContain(marker) // the bundle holds the Spanish catalogue
      expect(body).not.toMatch(/\b(?:https?|wss?):\/\//) // nothing fetched from elsewhere
      expect(body).not.toMatch(/@import|url\(\s*["']?(?!data:)/)
    }
    // the page holds no data: the API behind it still needs the operator's token
    expect((await fetch(`${api}/v1/status`)).status).toBe(401)
    d.child.kill('SIGTERM')
    expect(await d.exited).toBe(0)
  })
})
