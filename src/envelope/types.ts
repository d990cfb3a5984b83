/**
 * The envelope: one signed, versioned message shape for every kind of message
 * (docs/PROTOCOL.md §2). These are the decoded, in-memory forms; the wire codec lives in
 * codec.ts. Field meanings follow CAP 1.2 where CAP has the field.
 */

export const ENVELOPE_VERSION = 1

/**
 * Appended only (docs/protocol/envelope.md §3). `vehicle` (index 6): a stolen-vehicle
 * report, its Update or its Cancel (recovery) — docs/protocol/plates.md.
 */
export const KINDS = ['alert', 'bulletin', 'ack', 'receipt', 'roster', 'revocation', 'vehicle'] as const
export type Kind = typeof KINDS[number]

/** Highest first: index 0 is the most urgent. Queues on every link order by this rank. */
export const PRECEDENCES = ['flash', 'immediate', 'priority', 'routine'] as const
export type Precedence = typeof PRECEDENCES[number]
export function precedenceRank (p: Precedence): number { return PRECEDENCES.indexOf(p) }

export const MSG_TYPES = ['Alert', 'Update', 'Cancel'] as const
export type MsgType = typeof MSG_TYPES[number]
export const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const
export type Urgency = typeof URGENCIES[number]
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const
export type Severity = typeof SEVERITIES[number]
export const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const
export type Certainty = typeof CERTAINTIES[number]
export const CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const
export type Category = typeof CATEGORIES[number]

export interface Parameter { name: string, value: string }
export interface Circle { lat: number, lon: number, radiusKm: number }
/** CAP <area>: a description plus any of polygons (lat,lon pairs), circles and geocodes. */
export interface Area {
  description: string
  polygons?: Array<Array<[number, number]>>
  circles?: Circle[]
  geocodes?: Parameter[]
}

/** What CAP 1.2 <info> carries, for alerts and bulletins. */
export interface Content {
  msgType: MsgType
  category?: Category
  event?: string
  urgency?: Urgency
  severity?: Severity
  certainty?: Certainty
  headline?: string
  description?: string
  instruction?: string
  area?: Area
  parameters?: Parameter[]
}

/**
 * A stolen-vehicle report (kind `vehicle`, docs/protocol/plates.md). msgType Alert files it,
 * Update replaces its details (references[0] = the original report), Cancel takes it off
 * every hotlist: the vehicle was recovered, or the report withdrawn (`note` says which).
 * The reporting org and the filing time are the envelope's `org` and `created`.
 */
export interface VehicleReport {
  msgType: MsgType
  /** Normalised plate: upper-case letters and digits only (src/plates/normalise.ts). */
  plate: string
  /** State of registration, ISO 3166-2 (MX-JAL), or MX for federal plates. */
  plateState: string
  /** NIV / VIN when known. */
  vin?: string
  make?: string
  model?: string
  year?: number
  colour?: string
  /** Carpeta de investigación (the prosecutor's case number). */
  caseNumber?: string
  /** When the vehicle was stolen, ms since the Unix epoch. */
  stolenAt?: number
  /** Where it was stolen. */
  place?: string
  /** Circumstances, distinguishing marks (violence, armed, damage…). */
  description?: string
  /** Why an Update or Cancel was sent ("recuperado en …", "reporte erróneo"). */
  note?: string
}

/** A revocation: messages created by `key` at or after `effective` are rejected. */
export interface Revocation {
  key: Uint8Array // 32-byte Ed25519 public key being revoked
  effective: number // ms since the Unix epoch
  reason?: string
}

/**
 * Everything that is signed. Exactly one body field is present, chosen by `kind`:
 * alert|bulletin → content; ack → note (optional); receipt → none (the references are the
 * receipted ids); roster → roster (the roster document bytes, see src/roster);
 * revocation → revocation; vehicle → vehicle.
 */
export interface UnsignedEnvelope {
  version: typeof ENVELOPE_VERSION
  kind: Kind
  /** 32-byte Ed25519 public key, or its 8-byte key id (see identity/keyId) resolved through the roster. */
  author: Uint8Array
  /** Issuing org: ISO 3166-2 for states (MX-YUC), short codes for agencies (CNI, FGR, GN…). */
  org: string
  /** ms since the Unix epoch. */
  created: number
  /** ms since the Unix epoch; on the wire a TTL in seconds from `created`. */
  expires: number
  precedence: Precedence
  /** Orgs this is addressed to; empty means national. */
  scope: string[]
  /** 32-byte sha2-256 digests of the envelopes this updates, cancels, acknowledges or receipts. */
  references: Uint8Array[]
  content?: Content
  note?: string
  roster?: Uint8Array
  revocation?: Revocation
  vehicle?: VehicleReport
}

/** A decoded, signed envelope with the exact bytes that travel. */
export interface Envelope extends UnsignedEnvelope {
  /** The id as text: CIDv1, raw codec, sha2-256 of `bytes`, base32 ("bafkrei…"). */
  id: string
  /** The 32-byte sha2-256 digest of `bytes`: what references, dedup and reconciliation use. */
  digest: Uint8Array
  /** The exact wire bytes: signed part followed by the 64-byte signature. */
  bytes: Uint8Array
  signature: Uint8Array
}
