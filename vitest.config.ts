import { defineConfig } from 'vitest/config'

/**
 * Two projects. `fast`: everything but the slow real-part tests, for quick loops
 * (`npm run test:fast`). `slow`: tests named *.slow.test.ts — real radio airtime through
 * Direwolf, a real browser, network-namespace labs — that take minutes of wall time.
 * `npm test` (and CI) runs both.
 */
const shared = {
  setupFiles: ['src/util/shim.ts'],
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const
}

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'fast', include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts'] } },
      { test: { ...shared, name: 'slow', include: ['test/**/*.slow.test.ts'], testTimeout: 180_000, hookTimeout: 60_000 } }
    ]
  }
})
