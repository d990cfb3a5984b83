/**
 * Radio links in the API (docs/protocol/node.md "Radio links in the API"): GET /v1/radio
 * gives each radio link whole (its station's counters: frames and bytes each way,
 * retransmissions, airtime, queue per precedence; its TNC connection; its neighbours), and
 * GET /v1/peers lists each radio neighbour as a peer row, beside the libp2p peers.
 */
import type { RadioView } from '../node/radio.js'
import type { KissPortStats } from '../links/kiss/index.js'

export type RadioLinkView = RadioView & { tnc?: KissPortStats }

const STATE: Record<string, 'connected' | 'disconnected' | 'refused'> = { linked: 'connected', opening: 'disconnected', heard: 'disconnected', unverified: 'disconnected', refused: 'refused' }

/** One peer row per radio neighbour (the shape of the libp2p rows, plus `transport` and `radio`). */
export function radioPeerRows (views: RadioLinkView[]): Array<Record<string, unknown>> {
  return views.flatMap(v => v.neighbours.map(n => ({
    transport: 'radio',
    peerId: `radio:${n.stationId ?? n.tag}`,
    ...(n.key === undefined ? {} : { key: n.key }),
    ...(n.org === undefined ? {} : { org: n.org }),
    state: STATE[n.state] ?? 'disconnected',
    syncing: n.sync !== undefined,
    addrs: [v.port],
    ...(n.lastHeard === undefined ? {} : { lastHeard: n.lastHeard }),
    ...(n.sync === undefined ? {} : { sync: n.sync }),
    // The radio link's own counters ride along, so `peers --json` alone tells the whole story.
    radio: { port: { ...v.station, ...(v.tnc === undefined ? {} : { tnc: { connected: v.tnc.connected, connects: v.tnc.connects, bytesWritten: v.tnc.bytesWritten, bytesRead: v.tnc.bytesRead } }) }, station: n.state, tag: n.tag, framesHeard: n.framesHeard, bytesHeard: n.bytesHeard, duplicates: n.duplicates, nacked: n.nacked, lost: n.lost, ...(n.link === undefined ? {} : { link: n.link }) }
  })))
}
