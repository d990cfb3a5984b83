/**
 * The operator console in Debian's Chromium against two real `c5mesh start` processes over
 * loopback libp2p: an operator at MX-YUC composes a flash alert in A's console; it appears
 * in MX-QUE's console (B) with the flash cue; B acknowledges from the detail; A's delivery
 * matrix turns MX-QUE delivered (receipt) then acknowledged (ack). The Spanish text is
 * there, English is one click away, every request stays on the node, screenshots are kept
 * under test-artifacts/console/.
 */
import { describe, it, expect, afterAll } from 'vitest'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type { Page } from 'playwright-core'
import { createTestWorld } from '../helpers/world.js'
import { prepareFolder, daemonInfo } from '../helpers/daemon-folder.js'
import { tempDir } from '../helpers/tmp.js'
import { c5meshJson, startDaemonProcess } from '../helpers/cli.js'
import { artifactDir, launchChromium, type TestBrowser } from '../helpers/browser.js'

const WAIT_MS = 30_000
const children: ChildProcess[] = []
let tmp: { path: string, cleanup: () => Promise<void> } | undefined
let chrome: TestBrowser | undefined
afterAll(async () => {
  await chrome?.close()
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  await tmp?.cleanup()
})

/** Opens the address `c5mesh console` prints (token in the fragment) and records every request. */
async function openConsole (dir: string, api: string): Promise<{ page: Page, requests: string[] }> {
  const { url } = await c5meshJson<{ url: string }>(['--data', dir, 'console'])
  expect(url.startsWith(`${api}/#token=`)).toBe(true)
  const context = await chrome!.browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  const requests: string[] = []
  page.on('request', r => { requests.push(r.url()) })
  const log: string[] = []
  page.on('console', m => { log.push(`${m.type()}: ${m.text()}`) })
  page.on('pageerror', err => { log.push(`pageerror: ${err.message}`) })
  await page.goto(url)
  try {
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: WAIT_MS })
  } catch (err) {
    throw new Error(`the console did not start (${(err as Error).message}); its page said:\n${log.join('\n')}\n${await page.content()}`)
  }
  return { page, requests }
}

describe('the operator console in Chromium', { timeout: 120_000 }, () => {
  it('compose at A, flash cue at B, ack at B, A\'s matrix turns B acknowledged', async () => {
    tmp = await tempDir('c5mesh-console-')
    const shots = await artifactDir('console')
    const world = createTestWorld(['MX-YUC', 'MX-QUE'], Date.now())
    const dirA = join(tmp.path, 'a'); const dirB = join(tmp.path, 'b')
    await prepareFolder(world, world.members[0], dirA)
    const a = await startDaemonProcess(['--data', dirA]); children.push(a.child)
    const infoA = await daemonInfo(dirA)
    await prepareFolder(world, world.members[1], dirB, { bootstrap: [infoA.addrs[0]] })
    const b = await startDaemonProcess(['--data', dirB]); children.push(b.child)
    const infoB = await daemonInfo(dirB)
    chrome = await launchChromium()

    const A = await openConsole(dirA, infoA.api)
    const B = await openConsole(dirB, infoB.api)

    // Spanish by default; the token left the address bar
    expect(await A.page.getAttribute('html', 'lang')).toBe('es-MX')
    expect(await A.page.locator('nav').innerText()).toContain('Redactar')
    expect(await A.page.locator('nav').innerText()).toContain('Enlaces y nodo')
    expect(A.page.url()).not.toContain('token=')
    await A.page.screenshot({ path: join(shots, '1-feed-a.png') })

    // compose a flash alert at A (keyboard: n opens the form)
    await A.page.keyboard.press('n')
    await A.page.waitForSelector('form#compose')
    await A.page.fill('[name=headline]', 'Sismo M7.1: evacuar edificios dañados')
    await A.page.fill('[name=event]', 'Sismo')
    await A.page.selectOption('[name=precedence]', 'flash')
    await A.page.selectOption('[name=urgency]', 'Immediate')
    await A.page.selectOption('[name=severity]', 'Extreme')
    await A.page.fill('.param .pname', 'placa')
    await A.page.fill('.param .pvalue', 'YUC-123-A')
    await A.page.screenshot({ path: join(shots, '2-compose-a.png'), fullPage: true })
    await A.page.click('#send')
    await A.page.waitForURL(/#\/m\/bafkrei/, { timeout: WAIT_MS })
    const id = decodeURIComponent(A.page.url().split('#/m/')[1])
    await A.page.waitForSelector('#matrix .tile[data-org="MX-YUC"][data-state="delivered"]', { timeout: WAIT_MS })
    expect(await A.page.locator('#matrix .tiles .tile').count()).toBe(32)

    // B: the alert arrives live with the flash cue (banner, title, page flash, tone)
    await B.page.waitForSelector(`#feed li[data-id="${id}"].unread.p-flash`, { timeout: WAIT_MS })
    await B.page.waitForSelector('#flash:not([hidden])')
    expect(await B.page.locator('#flash').innerText()).toContain('Sismo M7.1')
    expect(await B.page.title()).toMatch(/^⚠ 1 FLASH · \(1\) c5mesh — consola$/)
    expect(await B.page.getAttribute('body', 'class')).toContain('flashing')
    expect(await B.page.getAttribute('body', 'data-sound')).toBe('running')
    expect(await B.page.locator('#unread').innerText()).toBe('1')
    await B.page.screenshot({ path: join(shots, '3-flash-b.png') })

    // B opens it (the banner's link), sees CAP fields and the plate parameter, acknowledges
    await B.page.click('#flash-open')
    await B.page.waitForSelector('#ack-form')
    expect(await B.page.locator('.params').innerText()).toContain('YUC-123-A')
    expect(await B.page.locator('dl.fields').innerText()).toContain('Extreme')
    expect(await B.page.isHidden('#flash')).toBe(true)
    expect(await B.page.title()).toBe('c5mesh — consola')

    // A's matrix: MX-QUE delivered (B's signed receipt), before anyone acknowledged
    await A.page.waitForSelector('#matrix .tile[data-org="MX-QUE"][data-state="delivered"]', { timeout: WAIT_MS })
    await B.page.fill('#ack-form [name=note]', 'Enterados, activando protocolo')
    await B.page.click('#ack')
    await B.page.waitForSelector('#matrix tr[data-org="MX-QUE"][data-state="acknowledged"]', { timeout: WAIT_MS })

    // …and then acknowledged, with the note, on the tile's hover text and in the table
    const tile = A.page.locator('#matrix .tile[data-org="MX-QUE"][data-state="acknowledged"]')
    await tile.waitFor({ timeout: WAIT_MS })
    expect(await tile.getAttribute('title')).toMatch(/MX-QUE: acusado · Entregado .+ · Acusado .+ «Enterados, activando protocolo»/)
    expect(await A.page.locator('#matrix tr[data-org="MX-QUE"] td').nth(0).innerText()).toBe('acusado')
    expect(await A.page.locator('#matrix .tiles .tile[data-state="pending"]').count()).toBe(30)
    await A.page.screenshot({ path: join(shots, '4-matrix-a.png'), fullPage: true })

    // English is one click away; the wall screen mode enlarges everything
    await A.page.click('#lang-toggle')
    expect(await A.page.locator('nav').innerText()).toContain('Compose')
    expect(await A.page.locator('#matrix tr[data-org="MX-QUE"] td').nth(0).innerText()).toBe('acknowledged')
    await A.page.keyboard.press('w')
    expect(await A.page.getAttribute('body', 'class')).toContain('wall')
    await A.page.screenshot({ path: join(shots, '5-wall-en-a.png') })

    // peers and links: B sees A connected
    await B.page.keyboard.press('e')
    await B.page.waitForSelector('#peers tr.peer.connected[data-org="MX-YUC"]', { timeout: WAIT_MS })
    await B.page.screenshot({ path: join(shots, '6-peers-b.png') })

    // every request went to the node itself (no CDN, no font from elsewhere)
    for (const [page, api] of [[A, infoA.api], [B, infoB.api]] as const) {
      expect(page.requests.length).toBeGreaterThan(3)
      for (const u of page.requests) expect(u.startsWith(`${api}/`)).toBe(true)
    }
  })
})
