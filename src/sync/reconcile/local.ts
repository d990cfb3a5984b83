/**
 * Drives two reconcilers against each other in memory (tests, benchmarks, the simulator):
 * counts messages, bytes and round trips. A round trip is one initiator → responder
 * message and its reply, so k messages make ceil(k / 2) round trips.
 */
import { C5Error } from '../../errors.js'
import type { ReconcileStep, Reconciler } from '../types.js'

export interface SideResult {
  have: Uint8Array[]
  need: Uint8Array[]
  done: boolean
}

export interface LocalRun {
  initiator: SideResult
  responder: SideResult
  messages: number
  bytes: number
  roundTrips: number
  /** Size of each message in order (initiator's first). */
  sizes: number[]
}

/** Runs `initiator` and `responder` until no reply is produced (at most `maxMessages`). */
export function runLocal (initiator: Reconciler, responder: Reconciler, maxMessages = 64): LocalRun {
  const result = (): SideResult => ({ have: [], need: [], done: false })
  const sides = [result(), result()]
  const engines = [initiator, responder]
  const sizes: number[] = []
  let msg: Uint8Array | undefined = initiator.initiate()
  let turn = 1
  while (msg !== undefined) {
    if (sizes.length >= maxMessages) throw new C5Error('SYNC_LIMIT_EXCEEDED', 'reconciliation did not finish', { details: { maxMessages } })
    sizes.push(msg.length)
    const s: ReconcileStep = engines[turn].receive(msg)
    sides[turn].have.push(...s.have)
    sides[turn].need.push(...s.need)
    sides[turn].done = s.done
    msg = s.reply
    turn = 1 - turn
  }
  const bytes = sizes.reduce((x, y) => x + y, 0)
  return { initiator: sides[0], responder: sides[1], messages: sizes.length, bytes, roundTrips: Math.ceil(sizes.length / 2), sizes }
}
