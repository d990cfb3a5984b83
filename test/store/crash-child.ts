/**
 * Child process for test/store/crash.test.ts: writes signed messages in a loop with
 * sync: true and prints "ok <digest hex>" after each write resolved, until it is killed.
 *
 *   node --import tsx test/store/crash-child.ts --path DIR --run N [--mode store] [--writers 4]
 *
 * --mode store: store.put with an extra meta op in the same batch; --mode ingest: the node's
 * ingest path (what the issue asks: "a child process that ingests in a loop").
 */
import { parseArgs } from 'node:util'
import { signEnvelope } from '../../src/envelope/codec.js'
import { keyPairFromSeed } from '../../src/identity/keys.js'
import { createStore } from '../../src/store/store.js'
import type { MessageStore } from '../../src/store/types.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { wrapRoster } from '../../src/node/roster-envelope.js'
import { createDevRoster } from '../../src/roster/index.js'

export const CRASH_T0_MS = Date.UTC(2026, 10, 28)
const author = keyPairFromSeed(new Uint8Array(32).fill(0x5c))

/** Signs message `seq` of run `run`: every 3rd one references the message before it. */
function makeMessage (run: number, seq: number, previous?: Uint8Array, org?: string) {
  const created = CRASH_T0_MS + run * 1000 + seq
  return signEnvelope({
    version: 1,
    kind: seq % 5 === 0 ? 'bulletin' : 'alert',
    author: author.publicKey,
    org: org ?? (seq % 2 === 0 ? 'MX-YUC' : 'MX-CMX'),
    created,
    expires: created + 20 * 24 * 3600 * 1000, // within the default 30-day bulletin lifetime quota
    precedence: (['flash', 'immediate', 'priority', 'routine'] as const)[seq % 4],
    scope: [],
    references: previous !== undefined && seq % 3 === 0 ? [previous] : [],
    content: { msgType: previous !== undefined && seq % 3 === 0 ? 'Update' : 'Alert', headline: `crash run ${run} message ${seq}` }
  }, author.privateKey)
}

interface WriterContext { store: MessageStore, run: number, ingest?: NodeCore['ingest'] }
type WriteOne = (seq: number, previous?: Uint8Array) => Promise<Uint8Array>

/** One entry per mode; each returns a function that durably writes one message. */
const WRITERS: Record<string, (ctx: WriterContext) => WriteOne> = {
  store: ({ store, run }) => async (seq, previous) => {
    const env = makeMessage(run, seq, previous)
    // The extra meta op rides in the same atomic batch: the parent checks both exist or neither.
    const extra = store.meta.ops(`crash:${Buffer.from(env.digest).toString('hex')}`, seq)
    await store.put(env, { received: CRASH_T0_MS, source: 'local' }, { sync: true, extra })
    return env.digest
  },
  // The node's one ingest path (decode, verify, roster authority, atomic batch, synced).
  ingest: ({ run, ingest }) => async (seq, previous) => {
    const env = makeMessage(run, seq, previous, ROSTER_ORG)
    const r = await ingest!.ingest(env.bytes, 'local', { sync: true })
    if (!r.ok) throw new Error(`ingest refused message ${seq}: ${r.code} ${r.message}`)
    return env.digest
  }
}

/** For --mode ingest: a fixed root whose development roster names `author` as an operator. */
const ROSTER_ORG = 'MX-YUC'
const root = keyPairFromSeed(new Uint8Array(32).fill(0x7a))
const node = keyPairFromSeed(new Uint8Array(32).fill(0x3b))
const ANCHORS = { keys: [root.publicKey], threshold: 1 }
/** The child's clock: an hour after the messages' base time, so the run never depends on the date. */
const clock = { now: () => CRASH_T0_MS + 3600_000 }

async function openIngest (path: string): Promise<NodeCore> {
  const core = await openNodeCore({ storePath: path, anchors: ANCHORS, clock })
  if (core.roster.version() === 0) {
    const signed = createDevRoster({ rootKeyPair: root, nodeKey: node.publicKey, operatorKey: author.publicKey, org: ROSTER_ORG, now: CRASH_T0_MS - 1000 })
    const r = await core.ingest.ingest(wrapRoster(signed, root, CRASH_T0_MS - 1000).bytes, 'local', { sync: true })
    if (!r.ok) throw new Error(`roster refused: ${r.code}`)
  }
  return core
}

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { path: { type: 'string' }, run: { type: 'string' }, mode: { type: 'string', default: 'store' }, writers: { type: 'string', default: '4' } } })
  const makeWriter = WRITERS[values.mode]
  if (values.path === undefined || values.run === undefined || makeWriter === undefined) throw new Error('usage: --path DIR --run N [--mode store]')
  const run = Number(values.run)
  let writeOne: WriteOne
  if (values.mode === 'ingest') {
    const core = await openIngest(values.path)
    writeOne = makeWriter({ store: core.store, run, ingest: core.ingest })
  } else {
    const store = createStore({ path: values.path })
    await store.open()
    writeOne = makeWriter({ store, run })
  }
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
