#!/usr/bin/env node
// Entry point of the `c5mesh` command. The sources are TypeScript run through tsx, so a
// fresh clone needs no build step: `npm install && npm start` is the whole set-up.
import { register } from 'tsx/esm/api'
register()
await import('../src/util/shim.ts')
await import('../src/cli/main.ts')
