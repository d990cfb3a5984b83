/**
 * The active hotlist, in memory, pure (docs/protocol/plates.md §"Hotlist"): reports in,
 * lookups out. No I/O and no clock of its own: `now` is passed in, so tests and the
 * simulator replay any order of arrival.
 *
 * Each report is a chain keyed by its original report's id (`root`): the Alert, then
 * Updates, then at most one Cancel. The chain's newest Alert/Update (by created, then id)
 * gives the details; a Cancel ends the chain for good, whatever arrives after it and in
 * whatever order (a Cancel can reach a node before the report it cancels). Messages past
 * their expiry are ignored, and entries are dropped once their newest message expires.
 */
import type { VehicleReport } from '../envelope/types.js'
import type { ReportMessage } from './report.js'
import { normalisePlate, skeletonOf } from './normalise.js'

/** One active report: what a lookup returns. */
export interface HotlistEntry {
  /** Id of the original report. */
  root: string
  /** Id of the message whose details these are (the root or its newest Update). */
  id: string
  plate: string
  skeleton: string
  report: VehicleReport
  /** Org that filed the report (of the Alert; of the first Update seen until the Alert arrives). */
  org: string
  reportedAt: number
  updatedAt: number
  expires: number
  /** Updates seen after the report. */
  updates: number
}

export type MatchKind = 'exact' | 'possible'
export interface HotlistMatch { match: MatchKind, entry: HotlistEntry }

export interface CheckResult {
  /** The plate as normalised. */
  plate: string
  /** 'hit' when some report has exactly this plate; 'possible' when only OCR-confusable ones match. */
  status: 'hit' | 'possible' | 'none'
  matches: HotlistMatch[]
}

export type ApplyOutcome = 'added' | 'updated' | 'cancelled' | 'ignored'

export interface Hotlist {
  apply: (m: ReportMessage, now: number) => ApplyOutcome
  /** Normalises (PLATES_BAD_PLATE) and looks up exact and near matches. */
  check: (plate: string, now: number) => CheckResult
  /** Exact matches of an already normalised plate (the hot path; no allocation when none). */
  exact: (plate: string, now: number) => readonly HotlistEntry[]
  /** Near (OCR-confusable, not identical) matches of an already normalised plate. */
  near: (plate: string, now: number) => readonly HotlistEntry[]
  get: (root: string) => HotlistEntry | undefined
  /** Whether this report chain was cancelled (recovered or withdrawn). */
  isCancelled: (root: string) => boolean
  /** Active entries, newest change first. */
  list: (now: number, limit?: number) => HotlistEntry[]
  /** Drops expired entries and expired cancel records; returns how many entries it dropped. */
  prune: (now: number) => number
  size: () => number
  clear: () => void
}

const NONE: readonly HotlistEntry[] = Object.freeze([])

interface Chain {
  entry?: HotlistEntry
  /** The Cancel's expiry, once cancelled: until then a late Alert or Update is ignored. */
  cancelledUntil?: number
  /** created of the root Alert, once seen. */
  reportedAt?: number
  rootOrg?: string
}

/** Newer: later created, ties broken by id, so every node picks the same one. */
function newer (m: ReportMessage, e: HotlistEntry): boolean {
  return m.created > e.updatedAt || (m.created === e.updatedAt && m.id > e.id)
}

function addTo (index: Map<string, HotlistEntry[]>, key: string, e: HotlistEntry): void {
  const list = index.get(key)
  if (list === undefined) index.set(key, [e])
  else list.push(e)
}

function removeFrom (index: Map<string, HotlistEntry[]>, key: string, e: HotlistEntry): void {
  const list = index.get(key)
  if (list === undefined) return
  const i = list.indexOf(e)
  if (i >= 0) list.splice(i, 1)
  if (list.length === 0) index.delete(key)
}

export function createHotlist (): Hotlist {
  const chains = new Map<string, Chain>()
  const byPlate = new Map<string, HotlistEntry[]>()
  const bySkeleton = new Map<string, HotlistEntry[]>()
  let active = 0

  function unindex (e: HotlistEntry): void {
    removeFrom(byPlate, e.plate, e)
    removeFrom(bySkeleton, e.skeleton, e)
    active--
  }

  function drop (root: string, chain: Chain): void {
    if (chain.entry !== undefined) { unindex(chain.entry); chain.entry = undefined }
    if (chain.cancelledUntil === undefined) chains.delete(root)
  }

  function apply (m: ReportMessage, now: number): ApplyOutcome {
    if (m.expires <= now) return 'ignored'
    let chain = chains.get(m.root)
    if (chain === undefined) { chain = {}; chains.set(m.root, chain) }
    if (chain.cancelledUntil !== undefined) {
      if (m.msgType === 'Cancel' && m.expires > chain.cancelledUntil) chain.cancelledUntil = m.expires
      return 'ignored'
    }
    if (m.msgType === 'Cancel') {
      if (chain.entry !== undefined) { unindex(chain.entry); chain.entry = undefined }
      chain.cancelledUntil = m.expires
      return 'cancelled'
    }
    if (m.msgType === 'Alert') { chain.reportedAt = m.created; chain.rootOrg = m.org }
    const old = chain.entry
    if (old !== undefined) {
      if (m.msgType === 'Alert') { old.reportedAt = m.created; old.org = m.org }
      if (!newer(m, old)) return 'ignored'
      unindex(old)
    }
    const plate = normalisePlate(m.report.plate)
    const e: HotlistEntry = {
      root: m.root,
      id: m.id,
      plate,
      skeleton: skeletonOf(plate),
      report: m.report,
      org: chain.rootOrg ?? old?.org ?? m.org,
      reportedAt: chain.reportedAt ?? old?.reportedAt ?? m.created,
      updatedAt: m.created,
      expires: m.expires,
      updates: (old?.updates ?? 0) + (m.msgType === 'Update' ? 1 : 0)
    }
    chain.entry = e
    addTo(byPlate, plate, e)
    addTo(bySkeleton, e.skeleton, e)
    active++
    return old === undefined ? 'added' : 'updated'
  }

  /** Drops the expired entries of one index list (lazily, when a lookup meets them). */
  function dropExpired (list: HotlistEntry[], now: number): void {
    for (const e of list.slice()) {
      if (e.expires > now) continue
      const c = chains.get(e.root)
      if (c !== undefined) drop(e.root, c)
    }
  }

  function exact (plate: string, now: number): readonly HotlistEntry[] {
    const list = byPlate.get(plate)
    if (list === undefined) return NONE
    for (let i = 0; i < list.length; i++) {
      if (list[i].expires <= now) { dropExpired(list, now); return byPlate.get(plate) ?? NONE }
    }
    return list
  }

  function near (plate: string, now: number): readonly HotlistEntry[] {
    const list = bySkeleton.get(skeletonOf(plate))
    if (list === undefined) return NONE
    let out: HotlistEntry[] | undefined
    for (const e of list) {
      if (e.plate === plate || e.expires <= now) continue
      (out ??= []).push(e)
    }
    return out ?? NONE
  }

  function check (raw: string, now: number): CheckResult {
    const plate = normalisePlate(raw)
    const matches: HotlistMatch[] = []
    for (const entry of exact(plate, now)) matches.push({ match: 'exact', entry })
    const hit = matches.length > 0
    for (const entry of near(plate, now)) matches.push({ match: 'possible', entry })
    return { plate, status: hit ? 'hit' : matches.length > 0 ? 'possible' : 'none', matches }
  }

  function prune (now: number): number {
    let dropped = 0
    for (const [root, chain] of chains) {
      if (chain.entry !== undefined && chain.entry.expires <= now) { unindex(chain.entry); chain.entry = undefined; dropped++ }
      if (chain.cancelledUntil !== undefined && chain.cancelledUntil <= now) chain.cancelledUntil = undefined
      if (chain.entry === undefined && chain.cancelledUntil === undefined) chains.delete(root)
    }
    return dropped
  }

  return {
    apply,
    check,
    exact,
    near,
    get: root => chains.get(root)?.entry,
    isCancelled: root => chains.get(root)?.cancelledUntil !== undefined,
    list: (now, limit = Number.MAX_SAFE_INTEGER) => {
      const out: HotlistEntry[] = []
      for (const c of chains.values()) if (c.entry !== undefined && c.entry.expires > now) out.push(c.entry)
      return out.sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1)).slice(0, limit)
    },
    prune,
    size: () => active,
    clear: () => { chains.clear(); byPlate.clear(); bySkeleton.clear(); active = 0 }
  }
}
