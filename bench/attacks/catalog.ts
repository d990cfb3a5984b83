/**
 * The attacks of `npm run bench -- attacks`, in the order they run (issue 13's list). An
 * attack that combines two (slowloris: over the sync protocol and over HTTP) runs both at
 * once.
 */
import { malformedFrames, listSketchAmplification, syncSlowloris, sessionChurn } from './sync-attacks.js'
import { insiderFlood, nonmemberFlood, farTimes, burst64k } from './floods.js'
import { expensiveQueries, sseNonReading, httpSlowloris } from './http-attacks.js'
import { idleSockets } from './sockets.js'
import type { Attack, AttackStats } from './types.js'

function both (name: string, a: Attack, b: Attack): Attack {
  return {
    name,
    what: `${a.what}; and ${b.what}`,
    prepare: async t => {
      const [ra, rb] = await Promise.all([a.prepare(t), b.prepare(t)])
      return async signal => {
        const [sa, sb] = await Promise.all([ra(signal), rb(signal)])
        const prefixed = (p: string, s: AttackStats): AttackStats => Object.fromEntries(Object.entries(s).map(([k, v]) => [`${p}.${k}`, v]))
        return { ...prefixed(a.name, sa), ...prefixed(b.name, sb) }
      }
    }
  }
}

/**
 * No attack: the same phases with nothing happening. Its figures are the noise — what the
 * latency and the memory of an idle, loaded node do on their own — to read the others by.
 */
export const CONTROL: Attack = {
  name: 'none',
  what: 'no attack (the control: the same phases, nothing happening)',
  prepare: async () => async signal => {
    await new Promise<void>(resolve => { signal.addEventListener('abort', () => { resolve() }, { once: true }) })
    return {}
  }
}

export const ATTACKS: Attack[] = [
  malformedFrames,
  listSketchAmplification,
  both('slowloris', syncSlowloris, httpSlowloris),
  sessionChurn,
  insiderFlood,
  nonmemberFlood,
  farTimes,
  burst64k,
  expensiveQueries,
  sseNonReading,
  idleSockets
]
