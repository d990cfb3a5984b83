/**
 * The radio link layer: sync sessions over a shared, half-duplex, lossy radio channel
 * (docs/protocol/links.md §7). One `RadioStation` per node per channel sits on a
 * `RadioPort` — a KISS TNC (src/links/kiss) or the in-memory channel (src/links/broadcast)
 * — and gives the node one `RadioLink` (a Link) per authenticated neighbour; the node runs
 * the ordinary sync session on each. Underneath:
 *
 * - radio frames of at most `frameBytes` (default 256), packets fragmented into them and
 *   compressed when that helps (§7.4);
 * - per-sender sequence numbers, NACKs and STATUS: what a station misses is sent again,
 *   once for every station that missed it (§7.6);
 * - signed, replay-proof hellos checked against the roster (§7.5);
 * - a transmitter that puts one frame on the air at a time, most urgent lane first (§7.7);
 * - shared frames (MSG, ROSTER) sent once for all links, and not again once heard (§1.1).
 *
 * @example
 * const station = createRadioStation({
 *   port, nodeKey, stationId: 'C5-YUC',
 *   allowKey: key => roster.isNodeAllowed(key, clock.now()),
 *   onLink: link => peering.attach(link),          // a sync session per neighbour
 *   onShared: (frame, from) => ingestSharedFrame(frame, from)
 * })
 * station.start()
 * station.stats()       // frames, bytes, retransmissions, airtime, queue per precedence
 * await station.stop()
 */
export { createRadioStation, STOP_TIMEOUT_MS, type RadioStation, type RadioStationOptions, type RadioStationStats, type NeighbourView, type StationInfo } from './station.js'
export { RadioLink } from './link.js'
export { stationTag } from './hello.js'
export * from './constants.js'
