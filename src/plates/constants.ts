/** Plates defaults (docs/protocol/plates.md). Units are in the names. */

/** Normalised plate length: Mexican plates have 5–7 characters; 2–10 leaves room for others. */
export const PLATE_MIN_CHARS = 2
export const PLATE_MAX_CHARS = 10
/** Longest raw plate text looked at (a read or a query); longer is refused unread. */
export const PLATE_INPUT_MAX_CHARS = 32

/** Reads in one POST /v1/plates/reads or one batch check. */
export const READS_PER_BATCH_MAX = 1000
/** Candidates looked at per read (OpenALPR sends up to 10 by default). */
export const CANDIDATES_PER_READ_MAX = 10
/** Camera ids and labels. */
export const CAMERA_ID_MAX_CHARS = 128

/** A second sighting of the same reported vehicle within this window updates the open hit. */
export const HIT_DEDUP_WINDOW_MS = 10 * 60 * 1000
/** Open hits remembered at once (oldest dropped first): bounds memory under a flood of hits. */
export const OPEN_HITS_MAX = 10_000
/** Sightings listed in one hit Update (the latest ones). */
export const SIGHTINGS_LISTED_MAX = 10
/** Lifetime of a hit alert and its Updates. */
export const HIT_TTL_S = 24 * 60 * 60

/** Default lifetime of a report: the longest an envelope may live (400 days); renew by Update. */
export const REPORT_TTL_S = 400 * 24 * 60 * 60

/** Cancels remembered for reports not yet seen (they may arrive after their Cancel). */
export const ORPHAN_CANCELS_MAX = 100_000
