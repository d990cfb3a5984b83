/**
 * An outsider with no key (issue 13.6): idle TCP connections to the victim's libp2p port
 * that never say a word, from several addresses (loopback's 127.0.2.x, as a handful of
 * machines would), each reopened as soon as the victim drops it. Roster peers must still
 * get in: the bench's probe dials during the attack.
 */
import { connect, type Socket } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { getNetConfig } from '@libp2p/utils'
import { bump, pause, type Attack, type AttackStats } from './types.js'

const ADDRESSES = 8
const SOCKETS_PER_ADDRESS = 40
/** A dropped socket is opened again this much later: the attacker keeps its sockets, it does not flood SYNs. */
const REOPEN_MS = 1_000

export const idleSockets: Attack = {
  name: 'idle_preauth_sockets',
  what: `an outsider holds ${ADDRESSES * SOCKETS_PER_ADDRESS} idle TCP connections to the libp2p port from ${ADDRESSES} addresses, reopening each one the node drops`,
  prepare: async t => {
    const opts = getNetConfig(multiaddr(t.syncAddr)) as { host: string, port: number }
    return async signal => {
      const stats: AttackStats = {}
      const open = (from: string): void => {
        if (signal.aborted) return
        const s: Socket = connect({ host: opts.host, port: opts.port, localAddress: from })
        bump(stats, 'opened')
        s.on('error', () => {})
        s.on('close', () => { bump(stats, 'dropped'); live.delete(s); setTimeout(() => { open(from) }, REOPEN_MS) })
        live.add(s)
      }
      const live = new Set<Socket>()
      for (let a = 0; a < ADDRESSES; a++) for (let k = 0; k < SOCKETS_PER_ADDRESS; k++) open(`127.0.2.${a + 2}`)
      while (!signal.aborted) await pause(500, signal)
      for (const s of live) s.destroy()
      return stats
    }
  }
}
