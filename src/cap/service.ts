/**
 * CAP in and out over a node's core (docs/protocol/cap.md): import a document as a signed
 * envelope through ingest, export a stored message, and the Atom feed of active alerts.
 */
import { C5Error } from '../errors.js'
import { composeEnvelope, digestFromId } from '../envelope/index.js'
import type { Envelope, Kind, Precedence } from '../envelope/types.js'
import type { KeyPair } from '../identity/index.js'
import type { NodeCore } from '../node/core.js'
import { CAP_PARAM_PREFIX, FEED_ENTRIES_MAX } from './constants.js'
import { capIdentity, escapeXml, exportCap, type CapRef } from './export.js'
import { importCap } from './import.js'
import { loadMessage } from '../inbox/detail.js'

/** Recent alerts searched to resolve a CAP reference to a message this node holds. */
const REFERENCE_SEARCH_LIMIT = 10_000

/** CAP "sender,identifier,sent" → the digest of the message on this node that has it. */
export async function resolveCapReferences (core: Pick<NodeCore, 'store'>, refs: CapRef[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  let recent: Envelope[] | undefined
  for (const r of refs) {
    // Exported by c5mesh: the identifier is the envelope id.
    if (/^bafkrei[a-z2-7]{52}$/.test(r.identifier)) {
      try { out.push(digestFromId(r.identifier)); continue } catch { /* not ours after all */ }
    }
    recent ??= [...await core.store.query({ kind: 'alert', limit: REFERENCE_SEARCH_LIMIT }), ...await core.store.query({ kind: 'bulletin', limit: REFERENCE_SEARCH_LIMIT })].map(m => m.envelope)
    const hit = recent.find(e => { const id = capIdentity(e); return id.identifier === r.identifier && id.sender === r.sender })
    if (hit !== undefined) out.push(hit.digest)
  }
  return [...new Map(out.map(d => [Buffer.from(d).toString('hex'), d])).values()]
}

export interface SendCapOptions {
  org: string
  now: number
  kind?: Extract<Kind, 'alert' | 'bulletin'>
  scope?: string[]
  precedence?: Precedence
}

/** A CAP document → a signed envelope (not yet ingested) and what it does not carry. */
export async function composeFromCap (core: Pick<NodeCore, 'store'>, xml: string | Uint8Array, operator: Pick<KeyPair, 'publicKey' | 'privateKey'>, o: SendCapOptions): Promise<{ envelope: Envelope, omitted: string[] }> {
  const imp = importCap(xml, o.now)
  const references = await resolveCapReferences(core, imp.references)
  if (imp.content.msgType !== 'Alert' && references.length === 0) {
    throw new C5Error('CAP_NOT_MAPPABLE', `alert/references: none of the alerts this ${imp.content.msgType} refers to is on this node`, { details: { element: 'alert/references' } })
  }
  const unresolved = imp.references.length - references.length
  let envelope: Envelope
  try {
    envelope = composeEnvelope({
    kind: o.kind ?? 'alert',
    org: o.org,
    content: imp.content,
    references,
    scope: o.scope ?? [],
    expires: imp.expires,
    ...(o.precedence === undefined ? {} : { precedence: o.precedence })
    }, operator, { now: o.now })
  } catch (err) {
    // What CAP allows but the envelope does not (a headline over 256 bytes, a control
    // character, more than 64 parameters…): refused as the CAP document's fault, named.
    if (err instanceof C5Error && err.code.startsWith('ENVELOPE_')) {
      const field = String(err.details?.field ?? 'envelope')
      throw new C5Error('CAP_BAD_VALUE', `${capElementOf(field)}: does not fit a c5mesh message (${err.message})`, { cause: err, details: { element: capElementOf(field), field } })
    }
    throw err
  }
  return { envelope, omitted: [...imp.omitted, ...(unresolved > 0 ? [`${unresolved} reference(s) not on this node (kept in cap:references)`] : [])] }
}

/** The CAP element an envelope field came from (for error messages). */
function capElementOf (field: string): string {
  const f = field.replace(/^content\./, '')
  if (f.startsWith('area')) return 'alert/info/area'
  if (f.startsWith('parameters')) return 'alert/info/parameter'
  return ['headline', 'event', 'description', 'instruction'].includes(f) ? `alert/info/${f}` : `alert (${field})`
}

/**
 * A stored message as CAP 1.2 XML, by id or short id as for show (loadMessage):
 * NODE_NOT_FOUND if absent, API_BAD_REQUEST (field id) if not an id.
 */
export async function messageAsCap (core: Pick<NodeCore, 'store'> & Partial<Pick<NodeCore, 'clock'>>, id: string): Promise<string> {
  const m = await loadMessage(core, id)
  return exportCap(m.envelope, async d => {
    const r = await core.store.get(d).catch(() => undefined)
    return r === undefined ? undefined : capIdentity(r.envelope)
  })
}

/**
 * Atom feed of the active alerts (RFC 4287, in the shape public CAP feeds use: one entry per
 * alert, linking its CAP document, with the CAP core fields as cap: elements). Active:
 * unexpired, not a Cancel, and not referenced by a later Update or Cancel held here.
 */
export async function capFeed (core: Pick<NodeCore, 'store' | 'clock'>, baseUrl: string, org: string): Promise<string> {
  const now = core.clock.now()
  const list = (await core.store.query({ kind: 'alert', limit: FEED_ENTRIES_MAX * 2, order: 'newest' })).map(m => m.envelope)
  const superseded = new Set<string>()
  for (const e of list) if (e.content?.msgType !== 'Alert') for (const r of e.references) superseded.add(Buffer.from(r).toString('hex'))
  const active = list.filter(e => e.expires > now && e.content?.msgType !== 'Cancel' && !superseded.has(Buffer.from(e.digest).toString('hex'))).slice(0, FEED_ENTRIES_MAX)
  const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z')
  const x = escapeXml
  const entries = active.map(e => {
    const c = e.content!
    const areaDesc = c.area?.description
    const title = c.headline ?? c.event ?? 'Alerta'
    return `  <entry>
    <id>urn:c5mesh:${e.id}</id>
    <title>${x(title)}</title>
    <updated>${iso(e.created)}</updated>
    <published>${iso(e.created)}</published>
    <author><name>${x(e.org)}</name></author>
    ${c.description === undefined ? '' : `<summary>${x(c.description)}</summary>\n    `}${c.category === undefined ? '' : `<category term="${x(c.category)}"/>\n    `}<link rel="alternate" type="application/cap+xml" href="${x(`${baseUrl}/v1/messages/${e.id}/cap`)}"/>
    <cap:identifier>${x(capIdentity(e).identifier)}</cap:identifier>
    <cap:msgType>${c.msgType}</cap:msgType>
    ${c.event === undefined ? '' : `<cap:event>${x(c.event)}</cap:event>\n    `}<cap:urgency>${c.urgency ?? 'Unknown'}</cap:urgency>
    <cap:severity>${c.severity ?? 'Unknown'}</cap:severity>
    <cap:certainty>${c.certainty ?? 'Unknown'}</cap:certainty>
    <cap:expires>${iso(e.expires)}</cap:expires>
    ${areaDesc === undefined ? '' : `<cap:areaDesc>${x(areaDesc)}</cap:areaDesc>\n    `}${(c.area?.geocodes ?? []).map(g => `<cap:geocode><valueName>${x(g.name)}</valueName><value>${x(g.value)}</value></cap:geocode>`).join('\n    ')}
  </entry>`
  }).join('\n')
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>urn:c5mesh:feed:${x(org)}</id>
  <title>c5mesh ${x(org)}: alertas activas</title>
  <updated>${iso(active[0]?.created ?? now)}</updated>
  <author><name>${x(org)}</name></author>
  <link rel="self" type="application/atom+xml" href="${x(`${baseUrl}/v1/cap/feed.atom`)}"/>
  <generator>c5mesh</generator>
${entries}
</feed>
`
}

export { CAP_PARAM_PREFIX }
