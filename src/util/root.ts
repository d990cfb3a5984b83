/**
 * Files of the project itself (config/default.json, package.json, the console's assets),
 * found from the package root: the same code runs from src/ under vitest and from
 * dist/<key>/src/ when compiled, so a path relative to a module's own URL would differ.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'c5mesh') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`no c5mesh package.json above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
}

/** The folder holding c5mesh's package.json. */
export const PROJECT_ROOT = findRoot()

/** A path inside the project, e.g. projectPath('config', 'default.json'). */
export function projectPath (...segments: string[]): string { return join(PROJECT_ROOT, ...segments) }
