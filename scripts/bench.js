#!/usr/bin/env node
// `npm run bench -- NAME [NAME…]`: runs bench/NAME.ts (each exports `run()` returning an
// object) and prints that object as ONE JSON line, last. Progress lines may come before.
// Benchmarks compare against a baseline measured in the same run (a ratio), because the
// machines are shared and noisy.
import { register } from 'tsx/esm/api'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

register()
await import('../src/util/shim.ts')

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench')
const available = readdirSync(benchDir).filter(f => f.endsWith('.ts') && !f.startsWith('_')).map(f => f.slice(0, -3)).sort()
const names = process.argv.slice(2)
if (names.length === 0 || names.some(n => !available.includes(n))) {
  const bad = names.filter(n => !available.includes(n))
  if (bad.length > 0) console.error(`unknown benchmark: ${bad.join(', ')}`)
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`)
  process.exit(2)
}
for (const name of names) {
  const mod = await import(join(benchDir, `${name}.ts`))
  const result = await mod.run()
  console.log(JSON.stringify(result))
}
process.exit(0)
