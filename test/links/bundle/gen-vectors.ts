/**
 * Regenerates test/vectors/bundle-v1.json. Run ONLY when a bundle or manifest format
 * changes on purpose (then bump its version and update docs/protocol/bundle.md):
 *
 *   npx tsx test/links/bundle/gen-vectors.ts
 */
import { writeFileSync } from 'node:fs'
import { bundleVectors, BUNDLE_VECTORS_PATH } from './vector-cases.js'

writeFileSync(BUNDLE_VECTORS_PATH, JSON.stringify(await bundleVectors(), null, 2) + '\n')
console.log(`wrote ${BUNDLE_VECTORS_PATH.pathname}`)
