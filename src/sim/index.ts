/**
 * The testers' disaster simulator (docs/SIMULATOR.md): every node's real code — envelope,
 * roster, ingest, store, sync sessions, reconciliation, lazy push, the reconnect loop — in
 * one process, on a virtual clock, over simulated links (internet, fibre, VSAT, the radio
 * link layer on a broadcast channel, couriers), beside two baselines (push gossip,
 * hop-limited flooding); scenarios in YAML/JSON, assertions, a report, and a lab that runs
 * small scenarios with real daemons in network namespaces.
 *
 * @example
 * const sc = await loadScenario('config/scenarios/otis-guerrero-2023.yaml')
 * const { report } = await runSimulation(sc, { short: true, baseline: 'all' })
 * console.log(summaryText(report))                 // and report.systems[0].trace_hash
 */
export { VirtualClock } from './clock.js'
export { loadScenario, resolveScenario, type Scenario } from './scenario/load.js'
export { runScenario, type RunResult, type RunOptions } from './run.js'
export { runSimulation, simCommand, writeReport } from './command.js'
export { evaluate, type AssertionResult } from './assertions.js'
export { buildReport, type SimReport } from './report/build.js'
export { renderHtml } from './report/html.js'
export { summaryText } from './report/summary.js'
export { BUILTIN_LINK_CLASSES, type LinkClass } from './link-classes.js'
export { runLab } from './lab/run.js'
