/** `c5mesh lab SCENARIO`: runs the lab, prints the assertions, fails like `c5mesh sim`. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { C5Error } from '../../errors.js'
import { CONFIG_DIR, loadScenario } from '../scenario/load.js'
import { findScenario } from '../command.js'
import { runLab } from './run.js'

export async function labCommand (arg: string, o: { speed?: number, scale?: number, keep?: boolean, write: (s: string) => void }): Promise<void> {
  const inLab = ['.yaml', '.yml', '.json'].map(e => join(CONFIG_DIR, 'scenarios', 'lab', `${arg}${e}`)).find(p => existsSync(p))
  const sc = await loadScenario(inLab ?? findScenario(arg))
  const r = await runLab(sc, { ...o, log: o.write })
  for (const a of r.assertions) {
    o.write(`  ${a.pass === null ? 'n/a ' : a.pass ? 'PASS' : 'FAIL'} ${a.index + 1}. ${a.name}: ${a.summary}`)
    for (const f of a.failures.slice(0, 5)) o.write(`         ${f.node ?? ''}${f.message === undefined ? '' : ' ' + f.message}: ${f.detail}`)
  }
  const failed = r.assertions.find(a => a.pass === false)
  if (failed !== undefined) {
    const f = failed.failures[0]
    throw new C5Error('SIM_ASSERTION_FAILED', `lab: assertion ${failed.index + 1} "${failed.name}" failed: ${f === undefined ? failed.summary : `${f.node ?? ''}: ${f.message ?? ''}: ${f.detail}`}`)
  }
}
