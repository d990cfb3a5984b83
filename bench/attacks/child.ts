/**
 * One attack in its own process (forked by bench/attacks.ts), so that the attacker's
 * work — signing, sending, reading — does not delay the bench's own measurements. Messages
 * from the parent: { start: name, target } → 'ready' once prepared; 'go' → runs; 'stop' →
 * { result: stats } and exit.
 */
import '../../src/util/shim.js'
import { ATTACKS, CONTROL } from './catalog.js'
import type { AttackTarget } from './types.js'

/** After 'stop', how long the attack may take to wind down before the process just exits. */
const WIND_DOWN_MS = 5_000

const send = (m: unknown): void => { process.send?.(m) }
const ac = new AbortController()
let running: Promise<Record<string, number>> | undefined
let run: ((signal: AbortSignal) => Promise<Record<string, number>>) | undefined

process.on('message', (m: { start?: string, target?: AttackTarget, go?: true, stop?: true }) => {
  if (m.start !== undefined) {
    const attack = [CONTROL, ...ATTACKS].find(a => a.name === m.start)
    if (attack === undefined) { send({ error: `no attack ${m.start}` }); process.exit(2) }
    attack.prepare(m.target!).then(r => { run = r; send({ ready: true }) }, (err: Error) => { send({ error: err.message }); process.exit(1) })
  } else if (m.go === true && run !== undefined) {
    running = run(ac.signal).catch((err: Error) => ({ error: 1, [`error: ${err.message}`]: 1 }))
  } else if (m.stop === true) {
    ac.abort()
    const timeout = new Promise<Record<string, number>>(resolve => setTimeout(() => { resolve({ windDownTimedOut: 1 }) }, WIND_DOWN_MS))
    void Promise.race([running ?? Promise.resolve({}), timeout]).then(stats => {
      send({ result: stats })
      setTimeout(() => process.exit(0), 50)
    })
  }
})
process.on('disconnect', () => { process.exit(0) })
