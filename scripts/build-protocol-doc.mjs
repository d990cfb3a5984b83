#!/usr/bin/env node
// Builds docs/PROTOCOL.md from the parts in docs/protocol/ (each owned by the module it
// specifies), demoting their headings one level under a numbered section each.
//   node scripts/build-protocol-doc.mjs          write docs/PROTOCOL.md
//   node scripts/build-protocol-doc.mjs --check  exit 1 if docs/PROTOCOL.md is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join, dirname } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const PARTS = ['envelope', 'roster', 'ingest', 'store', 'reconcile', 'sync', 'links', 'bundle', 'node', 'receipts', 'api', 'topology', 'plates', 'cap']

export function build () {
  const intro = `# c5mesh protocol and behaviour

This is the specification of c5mesh v1: what travels on the wire, what is signed, how nodes
decide what to trust, store, send and refuse — precise enough for a second implementation.
Byte layouts come with hex examples taken from the golden vectors under \`test/\`, so any
format change fails a test. Each section below is kept beside the module it specifies
(\`docs/protocol/*.md\`, assembled by \`scripts/build-protocol-doc.mjs\`).

Conventions: all integers on the wire are unsigned; CBOR is deterministic DAG-CBOR; varints
are unsigned LEB128, at most 8 bytes, safe to 2^53 − 1 (millisecond times are above 2^32);
times are milliseconds since the Unix epoch unless a field says otherwise; every error
carries a stable code (\`src/errors.ts\`), listed in each section's "Error codes".

## Contents

${PARTS.map((p, i) => `${i + 1}. [${title(p)}](#${i + 1}-${slug(title(p))})`).join('\n')}
`
  const body = PARTS.map((p, i) => {
    const text = readFileSync(join(root, 'docs', 'protocol', `${p}.md`), 'utf8').replace(/\r\n/g, '\n')
    const lines = text.split('\n')
    let inCode = false
    const out = lines.map((line, n) => {
      if (line.startsWith('```')) inCode = !inCode
      if (inCode || !/^#{1,5} /.test(line)) return line
      if (n === 0) return `## ${i + 1}. ${line.replace(/^# /, '')}`
      return '#' + line
    })
    return out.join('\n').trimEnd()
  })
  return [intro, ...body].join('\n\n') + '\n'
}

function title (part) {
  const first = readFileSync(join(root, 'docs', 'protocol', `${part}.md`), 'utf8').split('\n')[0]
  return first.replace(/^# /, '')
}
function slug (s) {
  return s.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, '').replace(/ /g, '-')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = join(root, 'docs', 'PROTOCOL.md')
  const text = build()
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8')
    if (current !== text) { console.error('docs/PROTOCOL.md is out of date: run node scripts/build-protocol-doc.mjs'); process.exit(1) }
  } else {
    writeFileSync(target, text)
    console.log(`wrote ${target} (${text.length} characters)`)
  }
}
