/**
 * The daemon's radio links from config (docs/protocol/links.md §6 "Radio links"): one KISS
 * port and one radio station per entry. A TNC that cannot be reached at start is not fatal:
 * the port keeps trying (1 s … 30 s) and the log says so, so a C5 whose modem is switched on
 * after the node still comes up on the radio.
 */
import type { RadioLinkConfig } from '../config/schema.js'
import type { KeyPair } from '../identity/index.js'
import { openKissSerial, openKissTcp, type KissPort, type KissPortStats } from '../links/kiss/index.js'
import type { NodeCore } from './core.js'
import { startRadio, type RadioNode, type RadioNodeOptions, type RadioView } from './radio.js'

export interface RadioLinks {
  nodes: RadioNode[]
  /** What peers views show: per radio link, its station, neighbours and TNC connection. */
  views: () => Array<RadioView & { tnc: KissPortStats }>
  stop: () => Promise<void>
}

export function startRadioLinks (o: {
  core: NodeCore
  nodeKey: KeyPair
  links: RadioLinkConfig[]
  sync?: RadioNodeOptions['sync']
  log: (level: 'info' | 'warn', event: string, fields: Record<string, unknown>) => void
}): RadioLinks {
  const started: Array<{ port: KissPort, node: RadioNode }> = []
  for (const l of o.links) {
    const common = {
      bitRate: l.bitRate,
      ...(l.channel === undefined ? {} : { channel: l.channel }),
      ...(l.txDelayMs === undefined ? {} : { txDelayMs: l.txDelayMs }),
      ...(l.txTailMs === undefined ? {} : { txTailMs: l.txTailMs }),
      ...(l.fullDuplex === undefined ? {} : { fullDuplex: l.fullDuplex }),
      clock: o.core.clock,
      log: (event: string, fields: Record<string, unknown>) => { o.log('info', event, fields) }
    }
    const port = l.kind === 'kiss-tcp' ? openKissTcp({ ...common, host: l.host, port: l.port }) : openKissSerial({ ...common, path: l.path, baudRate: l.baud })
    port.ready.then(
      () => { o.log('info', 'radio.tnc-connected', { port: port.label, station: l.stationId }) },
      (err: Error) => { o.log('warn', 'radio.tnc-unreachable', { port: port.label, station: l.stationId, error: err.message, retrying: true }) }
    )
    const node = startRadio({
      core: o.core,
      nodeKey: o.nodeKey,
      port,
      stationId: l.stationId,
      ...(l.maxFrameBytes === undefined ? {} : { frameBytes: l.maxFrameBytes }),
      sync: { ...o.sync, ...(l.reconcileIntervalMs === undefined ? {} : { reconcileIntervalMs: l.reconcileIntervalMs }) },
      log: (event, fields) => { o.log('info', event, fields) }
    })
    started.push({ port, node })
  }
  return {
    nodes: started.map(s => s.node),
    views: () => started.map(s => ({ ...s.node.view(), tnc: s.port.stats() })),
    stop: async () => { await Promise.all(started.map(async s => { await s.node.stop().catch(() => {}) })) }
  }
}
