/**
 * Child process for test/store/crash.test.ts: writes signed messages in a loop with
 * sync: true and prints "ok <digest hex>" after each write resolved, until it is killed.
 *
 *   node --import tsx test/store/crash-child.ts --path DIR --run N [--mode store] [--writers 4]
 *
 * To exercise the node's ingest path instead of store.put, add a mode to WRITERS (one
 * function that writes one message and returns its digest) and pass --mode ingest.
 */
import { parseArgs } from 'node:util'
import { signEnvelope } from '../../src/envelope/codec.js'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { createStore } from '../../src/store/store.js'
import type { MessageStore } from '../../src/store/types.js'

export const CRASH_T0_MS = Date.UTC(2026, 10, 28)
const author = keyPairFromSeed(new Uint8Array(32).fill(0x5c))

/** Signs message `seq` of run `run`: every 3rd one references the message before it. */
function makeMessage (run: number, seq: number, previous?: Uint8Array) {
  const created = CRASH_T0_MS + run * 1000 + seq
  return signEnvelope({
    version: 1,
    kind: seq % 5 === 0 ? 'bulletin' : 'alert',
    author: author.publicKey,
    org: seq % 2 === 0 ? 'MX-YUC' : 'MX-CMX',
    created,
    expires: created + 365 * 24 * 3600 * 1000,
    precedence: (['flash', 'immediate', 'priority', 'routine'] as const)[seq % 4],
    scope: [],
    references: previous !== undefined && seq % 3 === 0 ? [previous] : [],
    content: { msgType: previous !== undefined && seq % 3 === 0 ? 'Update' : 'Alert', headline: `crash run ${run} message ${seq}` }
  }, author.privateKey)
}

interface WriterContext { store: MessageStore, run: number }
type WriteOne = (seq: number, previous?: Uint8Array) => Promise<Uint8Array>

/** One entry per mode; each returns a function that durably writes one message. */
const WRITERS: Record<string, (ctx: WriterContext) => WriteOne> = {
  store: ({ store, run }) => async (seq, previous) => {
    const env = makeMessage(run, seq, previous)
    // The extra meta op rides in the same atomic batch: the parent checks both exist or neither.
    const extra = store.meta.ops(`crash:${Buffer.from(env.digest).toString('hex')}`, seq)
    await store.put(env, { received: CRASH_T0_MS, source: 'local' }, { sync: true, extra })
    return env.digest
  }
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { path: { type: 'string' }, run: { type: 'string' }, mode: { type: 'string', default: 'store' }, writers: { type: 'string', default: '4' } } })
  const makeWriter = WRITERS[values.mode]
  if (values.path === undefined || values.run === undefined || makeWriter === undefined) throw new Error('usage: --path DIR --run N [--mode store]')
  const store = createStore({ path: values.path })
  await store.open()
  const run = Number(values.run)
  const writeOne = makeWriter({ store, run })
  process.stdout.write('ready\n')
  let seq = 0
  let previous: Uint8Array | undefined
  const loop = async (): Promise<void> => {
    for (;;) {
      const digest = await writeOne(seq++, previous)
      previous = digest
      process.stdout.write(`ok ${Buffer.from(digest).toString('hex')}\n`)
    }
  }
  await Promise.all(Array.from({ length: Number(values.writers) }, loop))
}

await main()
