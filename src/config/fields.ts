/**
 * Every node setting, once: its zod schema, how an environment variable is parsed into it,
 * and what an operator is told when it is wrong. The schema, the env mapping, the error
 * messages and the reference table in docs/protocol/links.md ("Configuration") all come
 * from this table. Defaults live in config/default.json.
 */
import { z } from 'zod'
import { multiaddr } from '@multiformats/multiaddr'
import { ORG_CODE_PATTERN } from '../envelope/constants.js'
import { isTimeZone } from '../util/time.js'
import { PRECEDENCES } from '../envelope/types.js'

/** How an environment variable's text becomes a value (C5MESH_<PATH>, see envVarName). */
export type EnvKind = 'string' | 'int' | 'bool' | 'list' | 'json'

export interface FieldSpec {
  /** Dotted path, e.g. 'api.port'. */
  path: string
  schema: z.ZodType
  env: EnvKind
  /** Completes "expected …" in error messages. */
  expected: string
  /** One line for the reference table. */
  doc: string
  /** May be absent after all sources are merged. */
  optional?: boolean
}

const MAX_PORT = 65_535
const MIB = 1024 * 1024
/** The wire's longest time-to-live (400 days), in ms. */
const MAX_TTL_MS = 400 * 86_400_000

const isMultiaddr = (s: string): boolean => {
  try { multiaddr(s); return true } catch { return false }
}

const int = (min: number, max: number = Number.MAX_SAFE_INTEGER): z.ZodType => z.number().int().min(min).max(max)
const addrList = z.array(z.string().refine(isMultiaddr))
const peerAddrList = z.array(z.string().refine(s => isMultiaddr(s) && s.includes('/p2p/')))
const hexKey = z.string().regex(/^[0-9a-f]{64}$/i)
/** An address or range that names an IP: /ip4/10.20.0.0/ipcidr/16, /ip6/2001:db8::1, /ip4/1.2.3.4/tcp/4370. */
const ipAddrList = z.array(z.string().refine(s => isMultiaddr(s) && /^\/ip[46]\//.test(s)))

/** One radio link entry (docs/protocol/links.md §6 "Radio links", §7): a KISS TNC over TCP or a serial line. */
const intIn = (min: number, max: number, what: string): z.ZodType => z.number({ error: what }).int({ error: what }).min(min, { error: what }).max(max, { error: what })
const radioCommon = {
  stationId: z.string({ error: 'a station id: 1–16 of A–Z, 0–9, "-", "/" (a call sign such as XE1ABC-2, or C5-YUC)' }).regex(/^[A-Z0-9/-]{1,16}$/, { error: 'a station id: 1–16 of A–Z, 0–9, "-", "/" (a call sign such as XE1ABC-2, or C5-YUC)' }),
  channel: intIn(0, 15, 'a TNC port (radio channel) 0–15').optional(),
  bitRate: intIn(50, 1_000_000, 'the bit rate on the air in bits per second, such as 1200 or 9600'),
  maxFrameBytes: intIn(32, 1023, 'a radio frame size in bytes, 32–1023 (default 256, right for 1200-bit/s AFSK; Direwolf cuts frames over its KISS buffer)').optional(),
  txDelayMs: intIn(0, 2550, 'the TNC\'s key-up delay in milliseconds, 0–2550').optional(),
  txTailMs: intIn(0, 2550, 'the TNC\'s tail in milliseconds, 0–2550').optional(),
  fullDuplex: z.boolean({ error: 'true or false' }).optional(),
  reconcileIntervalMs: intIn(60_000, 86_400_000, 'an interval in milliseconds, at least 60000').optional()
}
const radioLink = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kiss-tcp'), host: z.string({ error: 'a host name or IP address' }).min(1, { error: 'a host name or IP address' }), port: intIn(1, MAX_PORT, 'a TCP port 1–65535'), ...radioCommon }),
  z.strictObject({ kind: z.literal('kiss-serial'), path: z.string({ error: 'a serial device path such as /dev/ttyUSB0' }).min(1, { error: 'a serial device path such as /dev/ttyUSB0' }), baud: intIn(300, 4_000_000, 'the serial line speed in baud, such as 9600 or 115200'), ...radioCommon })
], { error: 'a radio link: kind "kiss-tcp" (host, port) or "kiss-serial" (path, baud)' })

export const CONFIG_FIELDS: FieldSpec[] = [
  { path: 'dataDir', schema: z.string().min(1), env: 'string', optional: true, expected: 'a folder path', doc: 'Data folder (keys, store). The CLI\'s --data flag and C5MESH_DATA choose the folder that holds config.json; this records it.' },
  { path: 'org', schema: z.string().regex(ORG_CODE_PATTERN), env: 'string', expected: 'an org code such as MX-YUC or CNI (A–Z, 0–9, "-"; 2–16 characters)', doc: 'This node\'s organisation: ISO 3166-2 state code or agency code. Written by `c5mesh init`.' },
  { path: 'listen', schema: addrList, env: 'list', expected: 'a list of multiaddrs such as /ip4/0.0.0.0/tcp/4370', doc: 'libp2p listen addresses (TCP, and WebSockets with /ws).' },
  { path: 'announce', schema: addrList, env: 'list', expected: 'a list of multiaddrs', doc: 'Addresses announced to peers instead of the listen addresses (NAT, proxy). Empty: announce the listen addresses.' },
  { path: 'bootstrap', schema: peerAddrList, env: 'list', expected: 'a list of multiaddrs each ending in /p2p/<PeerId>', doc: 'Peers dialled at start and kept in touch with.' },
  { path: 'mdns', schema: z.boolean(), env: 'bool', expected: 'true or false', doc: 'Discover c5mesh peers on the local network by multicast DNS.' },
  // attacks (issue 13.6): who gets past the pre-authentication limits
  { path: 'connections.allow', schema: ipAddrList, env: 'list', expected: 'a list of IP multiaddrs such as /ip4/10.20.0.0/ipcidr/16 or /ip4/201.150.3.7', doc: 'Addresses (or /ipcidr ranges) whose inbound connections are never refused by the pre-authentication limits (pending connections, per-address rate), besides the roster peers\' known addresses: the national network\'s ranges. Noise and the roster still decide who is let in.' },
  { path: 'dht', schema: z.boolean(), env: 'bool', expected: 'true or false', doc: 'Run Kad-DHT peer routing in the private namespace /c5mesh/kad/1.0.0.' },
  { path: 'trustAnchors.keys', schema: z.array(hexKey).min(1), env: 'list', expected: 'a non-empty list of 32-byte Ed25519 public keys in hex (64 characters each)', doc: 'Root public keys that sign rosters. Optional as a whole: `c5mesh init --dev` fills it.' },
  { path: 'trustAnchors.threshold', schema: int(1), env: 'int', expected: 'an integer ≥ 1, at most the number of keys', doc: 'Root signatures a roster version needs (k of n).' },
  { path: 'api.host', schema: z.string().min(1), env: 'string', expected: 'a host name or IP address', doc: 'HTTP API bind address. Keep it on loopback unless a proxy guards it.' },
  { path: 'api.port', schema: int(0, MAX_PORT), env: 'int', expected: `integer between 0 and ${MAX_PORT} (0: any free port)`, doc: 'HTTP API port.' },
  { path: 'api.allowedHosts', schema: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[?[0-9a-fA-F:.]+\]?$/)), env: 'list', expected: 'a list of host names or addresses', doc: 'Names the API answers to besides loopback and api.host (a reverse proxy\'s); any other Host header is refused (DNS rebinding).' },
  { path: 'api.postsPerMinute', schema: int(1, 100_000), env: 'int', expected: 'an integer from 1 to 100000', doc: 'Messages each operator may post through the API per minute (429 API_RATE_LIMITED beyond).' },
  { path: 'api.maxConcurrentQueries', schema: int(1, 64), env: 'int', expected: 'an integer from 1 to 64', doc: 'Listings and details answered at once; more wait briefly, then 503 API_BUSY.' },
  { path: 'ingest.maxClockSkewMs', schema: int(0), env: 'int', expected: 'an integer ≥ 0 (milliseconds)', doc: 'How far in the future a message\'s created time may be.' },
  { path: 'ingest.maxEnvelopeBytes', schema: int(256, 16 * MIB), env: 'int', expected: `integer between 256 and ${16 * MIB} (bytes)`, doc: 'Largest envelope accepted (roster envelopes have their own larger cap).' },
  { path: 'store.tombstoneGraceMs', schema: int(0), env: 'int', expected: 'an integer ≥ 0 (milliseconds)', doc: 'How long an expired message\'s id is kept after expiry so it cannot come back.' },
  { path: 'store.sweepIntervalMs', schema: int(1000), env: 'int', expected: 'an integer ≥ 1000 (milliseconds)', doc: 'How often expired messages are swept.' },
  { path: 'sync.maxFrameBytes', schema: int(1024, 16 * MIB), env: 'int', expected: `integer between 1024 and ${16 * MIB} (bytes)`, doc: 'Largest frame on a stream link; both ends should agree.' },
  { path: 'sync.bytesPerSecond', schema: int(0), env: 'int', expected: 'an integer ≥ 0 (bytes per second; 0: unlimited)', doc: 'Bandwidth budget of each peer link.' },
  { path: 'sync.peerScoreBanThreshold', schema: int(1), env: 'int', expected: 'an integer ≥ 1', doc: 'Penalty points (invalid or unauthorised messages) at which a peer is disconnected.' },
  { path: 'sync.maxMessagesPerSecondPerPeer', schema: int(1), env: 'int', expected: 'an integer ≥ 1', doc: 'Messages per second accepted from one peer before it is rate-limited.' },
  { path: 'sync.reconcileIntervalMs', schema: int(1000), env: 'int', expected: 'an integer ≥ 1000 (milliseconds)', doc: 'How often connected peers reconcile again (besides on every connect).' },
  { path: 'reconnect.minBackoffMs', schema: int(100), env: 'int', expected: 'an integer ≥ 100 (milliseconds)', doc: 'First wait before redialling a lost roster peer.' },
  { path: 'reconnect.maxBackoffMs', schema: int(100), env: 'int', expected: 'an integer ≥ 100 (milliseconds), at least reconnect.minBackoffMs', doc: 'Longest wait between redials (the backoff doubles up to it).' },
  { path: 'reconnect.isolationWarnMs', schema: int(1000), env: 'int', expected: 'an integer ≥ 1000 (milliseconds)', doc: 'How long without any roster peer connected before the node warns that it is isolated (start output, log at warn, status).' },
  { path: 'receipts.precedences', schema: z.array(z.enum(PRECEDENCES)), env: 'list', expected: `a list of precedences (${PRECEDENCES.join(', ')}); empty: no receipts`, doc: 'Precedences of the alerts and bulletins this node sends delivery receipts for (docs/protocol/receipts.md).' },
  { path: 'receipts.batchMs', schema: int(100, 600_000), env: 'int', expected: 'an integer from 100 to 600000 (milliseconds)', doc: 'How long ids gather before one receipt per precedence names them all.' },
  { path: 'radio', schema: z.array(radioLink), env: 'json', expected: 'a list of radio links: { kind: "kiss-tcp", host, port | kind: "kiss-serial", path, baud; stationId, bitRate; channel?, maxFrameBytes?, txDelayMs?, txTailMs?, fullDuplex?, reconcileIntervalMs? }', doc: 'Radio links through KISS TNCs (Direwolf, hardware TNCs): see "Radio links" below and §7. Empty: no radio.' },
  { path: 'log.level', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), env: 'string', expected: 'one of fatal, error, warn, info, debug, trace, silent', doc: 'Log level (pino).' },
  // field readiness (issue 12): logs, time zone
  { path: 'log.format', schema: z.enum(['auto', 'human', 'json']), env: 'string', expected: 'one of auto, human, json', doc: 'Log lines on stderr: human-readable, JSON (one object per line), or auto: human on a terminal, JSON otherwise (journald, Docker). `c5mesh start --log-format` overrides it.' },
  { path: 'log.file', schema: z.string().min(1), env: 'string', optional: true, expected: 'a file path', doc: 'Also append every log line (JSON) to this file; reopened on SIGHUP, for logrotate.' },
  { path: 'knownOrgs', schema: z.array(z.string().regex(ORG_CODE_PATTERN)), env: 'list', expected: 'a list of org codes such as CNI or SEDENA', doc: 'Orgs a message may be addressed to besides the 32 states and the roster\'s orgs (`send --scope`).' },
  { path: 'compose.maxLifetimeMs', schema: int(60_000, MAX_TTL_MS), env: 'int', expected: `an integer between 60000 and ${MAX_TTL_MS} (milliseconds: 1 minute to 400 days)`, doc: 'Longest lifetime (`send --expires`) this node\'s operators may give a message.' },
  { path: 'timeZone', schema: z.string().refine(isTimeZone), env: 'string', optional: true, expected: 'an IANA time zone such as America/Mexico_City', doc: 'Time zone of the times the CLI and human log lines show (always with their UTC offset). Default: the system\'s.' },
  // plates (issue 11): hit alerts of the stolen-vehicle hotlist
  { path: 'plates.hitKind', schema: z.enum(['alert', 'bulletin']), env: 'string', expected: 'alert or bulletin', doc: 'Kind of the message a plate hit makes (docs/protocol/plates.md §"Hits").' },
  { path: 'plates.hitPrecedence', schema: z.enum(['flash', 'immediate', 'priority', 'routine']), env: 'string', expected: 'one of flash, immediate, priority, routine', doc: 'Precedence of an exact plate hit.' },
  { path: 'plates.possiblePrecedence', schema: z.enum(['flash', 'immediate', 'priority', 'routine']), env: 'string', expected: 'one of flash, immediate, priority, routine', doc: 'Precedence of a possible hit (OCR-confusable plate or a camera\'s alternative reading).' },
  { path: 'plates.hitScope', schema: z.enum(['concerned', 'national']), env: 'string', expected: 'concerned or national', doc: 'Who a hit is addressed to: "concerned" = the reporting org, the plate\'s state, this state and its neighbours in plates.topology; or "national".' },
  { path: 'plates.hitDedupMs', schema: int(1000), env: 'int', expected: 'an integer ≥ 1000 (milliseconds)', doc: 'A reported vehicle seen again within this window updates the open hit instead of making a new one.' },
  { path: 'plates.nearMatches', schema: z.boolean(), env: 'bool', expected: 'true or false', doc: 'Report plates that differ only by OCR-confusable characters (0/O/D/Q, 1/I, 8/B, 5/S, 2/Z) as possible hits.' },
  { path: 'plates.topology', schema: z.string().min(1), env: 'string', expected: 'a topology file path', doc: 'Topology whose neighbour links name the reading state\'s neighbours (relative paths: from the project folder).' }
]

/** Groups that may be absent entirely (their leaves are then not required). */
export const OPTIONAL_GROUPS = new Set(['trustAnchors'])

/** 'sync.maxFrameBytes' → 'C5MESH_SYNC_MAX_FRAME_BYTES'. */
export function envVarName (path: string): string {
  return 'C5MESH_' + path.split('.').map(seg => seg.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')
}

export const FIELDS_BY_PATH: ReadonlyMap<string, FieldSpec> = new Map(CONFIG_FIELDS.map(f => [f.path, f]))
