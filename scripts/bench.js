#!/usr/bin/env node
// `npm run bench -- NAME [NAME…]`: runs bench/NAME.ts (each exports `run()` returning an
// object) and prints that object as ONE JSON line, last. Progress lines may come before.
// Benchmarks compare against a baseline measured in the same run (a ratio), because the
// machines are shared and noisy. They run the compiled JavaScript of the current sources
// (scripts/build.js), as the daemon does.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuild, ROOT } from './build.js'

const available = readdirSync(join(ROOT, 'bench')).filter(f => f.endsWith('.ts') && !f.startsWith('_')).map(f => f.slice(0, -3)).sort()
const names = process.argv.slice(2)
if (names.length === 0 || names.some(n => !available.includes(n))) {
  const bad = names.filter(n => !available.includes(n))
  if (bad.length > 0) console.error(`unknown benchmark: ${bad.join(', ')}`)
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`)
  process.exit(2)
}
const dir = ensureBuild({ onBuild: key => { console.error(`compiling the sources into dist/${key}…`) } })
await import(join(dir, 'src', 'util', 'shim.js'))
for (const name of names) {
  const mod = await import(join(dir, 'bench', `${name}.js`))
  if (typeof mod.run !== 'function') {
    console.error(`bench/${name}.ts does not export run()`)
    process.exit(2)
  }
  const result = await mod.run()
  console.log(JSON.stringify(result))
}
process.exit(0)
