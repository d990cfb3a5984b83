/**
 * Overhead accounting (issue 2: "the overhead of a text alert beyond its content fields
 * should beat LXMF's 111 bytes per message"). overhead = wire bytes − UTF-8 bytes of the
 * content text (event, headline, description, instruction, area description, geocode and
 * parameter names/values). Everything else — version, kind, author, times, org,
 * precedence, enum indexes, CBOR headers, the 64-byte signature — is overhead.
 */
import { contentTextBytes } from './content.js'
import type { Envelope } from './types.js'

/** LXMF's per-message overhead, the figure to beat. */
export const LXMF_OVERHEAD_BYTES = 111

export function envelopeOverhead (env: Pick<Envelope, 'bytes' | 'content'>): number {
  return env.bytes.length - contentTextBytes(env.content)
}
