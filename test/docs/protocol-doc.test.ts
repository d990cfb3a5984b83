/** docs/PROTOCOL.md is what a second implementation reads: it must be current and complete. */
import { describe, it, expect } from 'vitest'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
// @ts-expect-error — a plain ESM script without type declarations
import { build } from '../../scripts/build-protocol-doc.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('docs/PROTOCOL.md', () => {
  it('is assembled from the current docs/protocol parts (node scripts/build-protocol-doc.mjs)', async () => {
    expect(await readFile(`${root}docs/PROTOCOL.md`, 'utf8')).toBe(build())
  })

  it('documents every error code of src/errors.ts', async () => {
    const source = await readFile(`${root}src/errors.ts`, 'utf8')
    const union = source.slice(source.indexOf('export type ErrorCode'), source.indexOf('export class C5Error'))
    const codes = [...union.matchAll(/'([A-Z0-9_]+)'/g)].map(m => m[1])
    expect(codes.length).toBeGreaterThan(40)
    const doc = await readFile(`${root}docs/PROTOCOL.md`, 'utf8')
    expect(codes.filter(c => !doc.includes(c))).toEqual([])
  })
})
