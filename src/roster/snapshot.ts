/**
 * Bytes for a persisted roster state (docs/protocol/roster.md §Snapshot): what the store
 * writes so a node restarts with its roster and every revocation it has seen.
 */
import { MAX_SNAPSHOT_BYTES, MAX_STATE_REVOCATIONS, ROSTER_FORMAT_VERSION } from './constants.js'
import { cborBytes, checkCanonical, decodeCbor, revocationFromWire, revocationToWire } from './document.js'
import * as s from './schema.js'
import type { RosterSnapshot } from './state.js'

export function encodeRosterSnapshot (snap: RosterSnapshot): Uint8Array {
  return cborBytes({
    v: ROSTER_FORMAT_VERSION,
    rev: snap.revocations.map(revocationToWire),
    ...(snap.signedRoster === undefined ? {} : { roster: snap.signedRoster })
  })
}

/** Shape only; `createRosterState({ snapshot })` / `restore` re-verify the roster against the anchors. */
export function decodeRosterSnapshot (bytes: Uint8Array): RosterSnapshot {
  const wire = decodeCbor(bytes, 'snapshot', MAX_SNAPSHOT_BYTES)
  const w = s.map(wire, 'snapshot', ['v', 'rev'], ['roster'])
  if (w.v !== ROSTER_FORMAT_VERSION) throw s.malformed('snapshot.v', `format version ${ROSTER_FORMAT_VERSION}`)
  const revocations = s.array(w.rev, 'snapshot.rev', MAX_STATE_REVOCATIONS).map((r, i) => revocationFromWire(r, `snapshot.rev[${i}]`))
  if (w.roster !== undefined && !(w.roster instanceof Uint8Array)) throw s.malformed('snapshot.roster', 'bytes')
  checkCanonical(bytes, wire, 'snapshot')
  return { revocations, ...(w.roster === undefined ? {} : { signedRoster: w.roster as Uint8Array }) }
}
