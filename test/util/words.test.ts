import { describe, it, expect } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { withArticle } from '../../src/util/words.js'

function sources (dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('words', () => {
  it('the article fits the word: an ack, an alert, an immediate alert, an operator; a roster, a bulletin', () => {
    expect(['ack', 'alert', 'immediate alert', 'operator', 'authority', 'roster', 'bulletin', 'vehicle', 'receipt'].map(withArticle))
      .toEqual(['an ack', 'an alert', 'an immediate alert', 'an operator', 'an authority', 'a roster', 'a bulletin', 'a vehicle', 'a receipt'])
  })

  it('no message in src puts "a" before a word it does not know ("is a ack", "a operator may not…")', () => {
    const offenders = sources(join(import.meta.dirname, '../../src')).flatMap(f =>
      readFileSync(f, 'utf8').split('\n').flatMap((line, i) => /\ba \$\{/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : []))
    expect(offenders).toEqual([])
  })
})
