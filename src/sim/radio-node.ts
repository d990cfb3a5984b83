/**
 * (src/sim: shared by tests and the radio benchmark.)
 * A test node on a radio port: a node core with LevelDB on disk (or a given database), the
 * world's roster ingested, and the radio wiring of src/node/radio.ts. `seen` records when
 * each message was first stored, for delivery and latency checks.
 */
import { join } from 'node:path'
import { openNodeCore, type NodeCore, type NodeCoreOptions } from '../node/core.js'
import { startRadio, type RadioNode, type RadioNodeOptions } from '../node/radio.js'
import type { RadioPort } from '../links/types.js'
import type { TestWorld, WorldMember } from './world.js'
import { escapedLength, KISS_FRAME_OVERHEAD_BYTES } from '../links/kiss/kiss.js'
import { FRAME_TYPES, FRAME_TYPE_BYTES } from '../sync/frames.js'
import { KIND_CLOSE, KIND_ABORT, KIND_FRAME, KIND_HELLO } from '../links/radio/constants.js'

const SYNC_TYPE_BY_BYTE = new Map(FRAME_TYPES.map(t => [FRAME_TYPE_BYTES[t], t]))

/**
 * Bytes this node put on the KISS line (each frame as a KISS frame: FENDs, command and
 * escapes included), by what they carried: a sync frame type (hello, recon, want, msg, …),
 * 'station-hello', 'close', 'abort', 'nack', 'status' or 'retransmission'.
 */
export type AirByKind = Map<string, { frames: number, bytes: number }>

export interface RadioTestNode {
  member: WorldMember
  core: NodeCore
  radio: RadioNode
  /** Message id → how many times it was stored, and when first. */
  seen: Map<string, { count: number, at: number }>
  /** KISS bytes this node transmitted, by what they carried. */
  air: AirByKind
  /** Resolves when the message with this id is stored (at once if it already is). */
  arrival: (id: string) => Promise<number>
  close: () => Promise<void>
}

export async function openRadioNode (o: {
  world: TestWorld
  member: WorldMember
  dir: string
  port: RadioPort
  stationId: string
  db?: NodeCoreOptions['db']
  clock?: NodeCoreOptions['clock']
  radio?: Partial<Omit<RadioNodeOptions, 'core' | 'nodeKey' | 'port' | 'stationId'>>
  /** Runs on the core before the radio starts (fill the store). */
  prepare?: (core: NodeCore) => Promise<void>
}): Promise<RadioTestNode> {
  const core = await openNodeCore({ storePath: join(o.dir, 'db'), anchors: o.world.anchors, ...(o.db === undefined ? {} : { db: o.db }), ...(o.clock === undefined ? {} : { clock: o.clock }) })
  if (core.roster.version() === 0) {
    const r = await core.ingest.ingest(o.world.rosterEnvelope.bytes, 'local')
    if (!r.ok) throw new Error(`roster refused: ${r.code}`)
  }
  await o.prepare?.(core)
  const seen = new Map<string, { count: number, at: number }>()
  const waiters = new Map<string, Array<(at: number) => void>>()
  core.ingest.events.on('message', ({ envelope }) => {
    const s = seen.get(envelope.id)
    if (s !== undefined) { s.count++; return }
    const at = core.clock.now()
    seen.set(envelope.id, { count: 1, at })
    for (const w of waiters.get(envelope.id) ?? []) w(at)
    waiters.delete(envelope.id)
  })
  const air: AirByKind = new Map()
  const count = (kind: string, frame: Uint8Array): void => {
    const c = air.get(kind) ?? { frames: 0, bytes: 0 }
    c.frames++
    c.bytes += KISS_FRAME_OVERHEAD_BYTES + escapedLength(frame)
    air.set(kind, c)
  }
  const radio = startRadio({
    ...o.radio,
    core,
    nodeKey: o.member.node,
    port: o.port,
    stationId: o.stationId,
    station: {
      ...o.radio?.station,
      onTransmit: (frame, info) => {
        o.radio?.station?.onTransmit?.(frame, info)
        const p = info.packet
        if (info.kind !== 'data' || p === undefined) { count(info.kind, frame); return }
        const kind = p.kind === KIND_FRAME ? (SYNC_TYPE_BY_BYTE.get(p.payload[1]) ?? 'frame') : p.kind === KIND_HELLO ? 'station-hello' : p.kind === KIND_CLOSE ? 'close' : p.kind === KIND_ABORT ? 'abort' : 'other'
        count(kind, frame)
      }
    }
  })
  return {
    member: o.member,
    core,
    radio,
    seen,
    air,
    arrival: async id => {
      const s = seen.get(id)
      if (s !== undefined) return s.at
      return await new Promise<number>(resolve => { waiters.set(id, [...(waiters.get(id) ?? []), resolve]) })
    },
    close: async () => {
      await radio.stop()
      await core.close()
    }
  }
}
