import { join } from 'node:path'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { signEnvelope } from '/work/h-plates/src/envelope/index.js'
import { decodeAnyEnvelope } from '/work/h-plates/src/node/roster-envelope.js'
import { keyId } from '/work/h-plates/src/identity/index.js'
import { openNodeCore } from '/work/h-plates/src/node/core.js'
import { createTestWorld } from '/work/h-plates/src/sim/world.js'
import { createPlatesService } from '/work/h-plates/src/plates/index.js'
const N = 30000
const now = Date.now()
const world = createTestWorld(['MX-JAL'], now)
const dir = await mkdtemp(join(tmpdir(), 'rb-'))
let core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors })
const op = world.members[0].operator
const envs = []
let t = performance.now()
for (let i = 0; i < N; i++) envs.push(signEnvelope({ version: 1, kind: 'vehicle', author: keyId(op.publicKey), org: 'MX-JAL', created: now - 1000, expires: now + 1e9, precedence: 'priority', scope: [], references: [], vehicle: { msgType: 'Alert', plate: 'ABC' + String(i).padStart(5, '0'), plateState: 'MX-JAL', make: 'Nissan' } }, op.privateKey))
console.log('sign', performance.now() - t)
t = performance.now()
for (const e of envs) decodeAnyEnvelope(e.bytes)
console.log('decode only', performance.now() - t)
const w = []
for (const e of envs) { w.push(core.store.put(e, { received: now, source: 'b' })); if (w.length > 2000) await Promise.all(w.splice(0)) }
await Promise.all(w)
await core.close()
core = await openNodeCore({ storePath: join(dir, 'db'), anchors: world.anchors })
t = performance.now()
let n = 0
for await (const m of core.store.scanKind('vehicle')) n++
console.log('scan', n, performance.now() - t)
t = performance.now()
const svc = createPlatesService({ store: core.store, ingest: core.ingest, clock: core.clock })
console.log(await svc.start(), performance.now() - t)
