/**
 * Constants of bundle and manifest files (docs/protocol/bundle.md). Units are in the names.
 */
import { ROSTER_ENVELOPE_MAX_BYTES } from '../../node/roster-envelope.js'

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

/** First 4 bytes of a bundle file: "C5MB". */
export const BUNDLE_MAGIC = ascii('C5MB')
/** First 4 bytes of a manifest file: "C5MM". */
export const MANIFEST_MAGIC = ascii('C5MM')
/** The byte after the magic. */
export const BUNDLE_VERSION = 1
export const MANIFEST_VERSION = 1

/** Domain tags: what each Ed25519 signature covers starts with one (never a bare byte string). */
export const BUNDLE_HEADER_DOMAIN = ascii('c5mesh/bundle/header/v1\0')
export const BUNDLE_TRAILER_DOMAIN = ascii('c5mesh/bundle/trailer/v1\0')
export const MANIFEST_DOMAIN = ascii('c5mesh/manifest/v1\0')
/** Hashed before the ids of one manifest range (its fingerprint). */
export const RANGE_DOMAIN = ascii('c5mesh/manifest/range/v1\0')

/** First byte of every record; a record with length 0 is the end marker. */
export const RECORD_MARKER = 0xc5
/** Bytes of a record's tag: the first bytes of sha2-256 of its envelope. */
export const RECORD_TAG_BYTES = 4
/** Largest envelope a record may carry: a roster envelope's limit (larger than any other kind's). */
export const RECORD_MAX_BYTES = ROSTER_ENVELOPE_MAX_BYTES
/** Random bytes in a header, so that two bundles never share an id. */
export const NONCE_BYTES = 8
/** Bytes of a bundle id (shown, and remembered by importers): the first bytes of sha2-256(header). */
export const BUNDLE_ID_BYTES = 16
/** Bytes of a manifest range fingerprint. */
export const FINGERPRINT_BYTES = 8
export const KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
export const DIGEST_BYTES = 32

/** Largest header body (answers included). */
export const HEADER_MAX_BYTES = 64 * 1024
/** Manifests one bundle answers (a courier's stick holds one per C5: 32 states and agencies). */
export const ANSWERS_MAX = 256
/** Org code bytes (as in envelopes). */
export const ORG_MAX_BYTES = 64

/**
 * A manifest's coded symbols are sized to decode a difference of this many ids exactly
 * (symbols = ceil(1.8 × capacity + 6), docs/protocol/bundle.md §4): 72 KB. Beyond it the
 * ranges decide (a superset, never fewer).
 */
export const MANIFEST_DEFAULT_CAPACITY = 1000
/** Largest capacity asked for (its symbols stay under MANIFEST_MAX_SYMBOLS). */
export const MANIFEST_CAPACITY_MAX = 100_000
/** Most symbols a manifest may carry (as the reconciliation engine: 10 MiB). */
export const MANIFEST_MAX_SYMBOLS = 262_144
/** Items per manifest range (the last may hold fewer; equal timestamps are never split). */
export const MANIFEST_RANGE_ITEMS = 128
/** Most ids a manifest may describe (the reconciliation engine's maxItems). */
export const MANIFEST_MAX_ITEMS = 4_194_304
/** Largest manifest file read. */
export const MANIFEST_MAX_BYTES = 64 * 1024 * 1024
/** Symbols per announced difference, and the fixed extra (the engine's first batch rule). */
export const SYMBOLS_PER_DIFFERENCE = 1.8
export const SYMBOLS_EXTRA = 6

/**
 * Hashing a damaged stretch may cost: candidates for the next record are checked by their
 * sha2-256 tag, and a crafted file could make every byte a candidate. Past this total for
 * one file the reader gives up on the rest (reported) rather than spend minutes.
 */
export const RESYNC_HASH_BUDGET_BYTES = 64 * 1024 * 1024

/** Reading: chunk size of file streams. */
export const READ_CHUNK_BYTES = 64 * 1024
/** Import: ingests in flight at once, and their bytes (bounded memory whatever the file holds). */
export const IMPORT_MAX_IN_FLIGHT = 512
export const IMPORT_MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024
/** Export: messages read from the store ahead of the writer. */
export const EXPORT_READ_AHEAD = 64

/** Bundle ids an importer remembers (oldest forgotten first): many courier rounds' worth. */
export const SEEN_MAX = 4096
/** Store meta record of the bundle ids imported completely (docs/protocol/bundle.md §6). */
export const SEEN_META_NAME = 'bundles.seen'

/** Courier file names on the stick: `c5mesh-<ORG>-<first 8 hex of the node key>.bundle|.manifest`. */
export const COURIER_PREFIX = 'c5mesh-'
export const BUNDLE_SUFFIX = '.bundle'
export const MANIFEST_SUFFIX = '.manifest'
/** Temporary files (written, fsynced, then renamed over the real name). */
export const TEMP_PREFIX = '.c5mesh-tmp-'
