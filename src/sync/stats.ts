/** Per-session counters (docs/protocol/sync.md §4.7; counters listed in SyncStats). */
import { FRAME_TYPES, type FrameType } from './frames.js'
import type { FrameCounters, SyncStats } from './session-types.js'

function perType (): Record<FrameType, FrameCounters> {
  return Object.fromEntries(FRAME_TYPES.map(t => [t, { frames: 0, bytes: 0 }])) as Record<FrameType, FrameCounters>
}

export function emptyStats (): SyncStats {
  return {
    sent: perType(),
    received: perType(),
    messagesSent: 0,
    messagesReceived: 0,
    messagesAccepted: 0,
    messagesKnown: 0,
    messagesRejected: 0,
    penalty: 0,
    reconcileBytesSent: 0,
    reconcileBytesReceived: 0,
    reconcileRoundTrips: 0,
    roundsCompleted: 0,
    wantIgnored: 0,
    oversizeDropped: 0,
    queued: 0,
    backlog: 0
  }
}

export function copyStats (s: SyncStats): SyncStats {
  return structuredClone(s)
}
