/**
 * A node must never be silently isolated: with no roster, with a roster that does not list
 * its key, or when it has reached no roster peer for a while, it says so — in `start`'s
 * output, in the log (warn), and in `status`. Pure: the daemon and the CLI hand in what
 * they know.
 */
import { formatLocalTime } from '../util/time.js'

export type IsolationCode = 'NO_ROSTER' | 'NOT_ON_ROSTER' | 'NO_ROSTER_PEERS' | 'ISOLATED'

export interface IsolationWarning { code: IsolationCode, message: string }

export interface IsolationInput {
  rosterVersion: number
  /** This node's key is a node member of the roster, valid now. */
  selfListed: boolean
  /** Other node members of the roster. */
  rosterPeers: number
  /** Omitted when not known (no running node): only roster warnings then. */
  link?: {
    connected: number
    startedAt: number
    /** Last time a roster peer was connected (undefined: never since start). */
    lastPeerAt?: number
    now: number
    /** How long without any roster peer before ISOLATED. */
    warnAfterMs: number
    timeZone?: string
  }
}

export function isolationWarnings (i: IsolationInput): IsolationWarning[] {
  if (i.rosterVersion === 0) {
    return [{ code: 'NO_ROSTER', message: 'no roster: this node admits no peer and no peer admits it — join the national network (c5mesh join WELCOME-FILE)' }]
  }
  const out: IsolationWarning[] = []
  if (!i.selfListed) out.push({ code: 'NOT_ON_ROSTER', message: `the roster (version ${i.rosterVersion}) does not list this node's key: every peer refuses it — send a join request to the authority (c5mesh join-request)` })
  if (i.rosterPeers === 0) out.push({ code: 'NO_ROSTER_PEERS', message: `the roster (version ${i.rosterVersion}) lists no other node: there is nobody to exchange messages with` })
  const l = i.link
  if (l !== undefined && out.length === 0 && l.connected === 0) {
    const since = l.lastPeerAt ?? l.startedAt
    if (l.now - since >= l.warnAfterMs) {
      out.push({ code: 'ISOLATED', message: `no roster peer reached ${l.lastPeerAt === undefined ? 'since start' : 'since'} ${formatLocalTime(since, l.timeZone)}: messages sent here stay here — check the network, the bootstrap addresses and the peers' state (c5mesh peers)` })
    }
  }
  return out
}
