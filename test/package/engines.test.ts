/**
 * `engines` tells the truth (issue 12 §2): every installed package (dependencies and the
 * dev dependencies a clone installs) supports every Node version our own `engines.node`
 * admits, so npm never warns EBADENGINE on the versions the README names. A dependency
 * that drops a Node line fails this test when it is installed, not in the field.
 */
import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'

const root = fileURLToPath(new URL('../../', import.meta.url))

function installed (dir: string, out: Array<{ name: string, version: string, node: string }>): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue
    const p = join(dir, e.name)
    if (e.name.startsWith('@')) { installed(p, out); continue }
    const pj = join(p, 'package.json')
    if (!existsSync(pj)) continue
    const j = JSON.parse(readFileSync(pj, 'utf8')) as { name: string, version: string, engines?: { node?: string } }
    if (typeof j.engines?.node === 'string') out.push({ name: j.name, version: j.version, node: j.engines.node })
    if (existsSync(join(p, 'node_modules'))) installed(join(p, 'node_modules'), out)
  }
}

describe('package.json engines', () => {
  const ours = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node

  it('admits the Node this runs on and the LTS lines the README and Dockerfile name', () => {
    expect(semver.satisfies(process.versions.node, ours)).toBe(true)
    for (const v of ['20.19.0', '22.12.0', '24.0.0']) expect(semver.satisfies(v, ours), v).toBe(true)
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(readme).toContain('Node.js 20.19 or newer')
    const base = /^FROM node:(\d+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))
    expect(semver.satisfies(`${base![1]}.0.0`, ours)).toBe(true)
  })

  it('no installed package needs a Node that ours admits but it does not (commander 15, cookie 2, p-retry 8 needed 22)', () => {
    const all: Array<{ name: string, version: string, node: string }> = []
    installed(join(root, 'node_modules'), all)
    expect(all.length).toBeGreaterThan(50)
    const narrower = all.filter(p => !semver.subset(ours, p.node, { includePrerelease: false }))
    expect(narrower.map(p => `${p.name}@${p.version} needs node ${p.node}`)).toEqual([])
  })
})
