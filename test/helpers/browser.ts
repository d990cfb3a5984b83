/**
 * Debian's Chromium driven by playwright-core (see the shared recipe browser-tests.md):
 * headless, no sandbox (tests run as root), no background networking (this closed network
 * refuses the hosts it would try), a fresh profile (playwright makes one per launch), and sound allowed without a gesture
 * (the flash cue's tone, as a wall screen is set up). Screenshots go to test-artifacts/.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))

export interface TestBrowser { browser: Browser, close: () => Promise<void> }

export async function launchChromium (): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required']
  })
  return { browser, close: async () => { await browser.close().catch(() => {}) } }
}

/** test-artifacts/<group>/ (ignored by git), made if missing. */
export async function artifactDir (group: string): Promise<string> {
  const dir = join(ARTIFACTS, group)
  await mkdir(dir, { recursive: true })
  return dir
}
