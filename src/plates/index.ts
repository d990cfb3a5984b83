/**
 * Plates: the national stolen-vehicle hotlist for plate readers (docs/protocol/plates.md).
 * Reports are signed `vehicle` envelopes that travel like every message; each node keeps
 * the active ones in memory (hotlist.ts, pure), rebuilt from the store at start and kept
 * current from ingest (service.ts); camera reads are checked against it (reads.ts) and a
 * match becomes a signed hit alert (hits.ts). Reads that match nothing are never stored.
 *
 * @example
 * const hot = createHotlist()
 * hot.apply(reportMessageOf(env), now)           // a vehicle envelope from the store or ingest
 * hot.check('yuc-123-a', now)                    // { plate: 'YUC123A', status: 'hit', matches }
 * hot.check('YUC-l23-A', now).status             // 'possible' (1/I confused): never certain
 */
export * from './constants.js'
export { normalisePlate, tryNormalisePlate, skeletonOf, OCR_CONFUSIONS } from './normalise.js'
export { createHotlist, type Hotlist, type HotlistEntry, type HotlistMatch, type CheckResult, type MatchKind, type ApplyOutcome } from './hotlist.js'
export { reportMessageOf, composeReport, type ReportMessage, type ReportFields, type ComposeReportOptions } from './report.js'
export { createPlatesService, HOTLIST_PRUNE_INTERVAL_MS, type PlatesService, type HotlistStats } from './service.js'
