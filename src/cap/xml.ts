/**
 * Untrusted XML in, a small element tree out (docs/protocol/cap.md §"Parsing").
 *
 * Before any parsing: the size bound, then any DOCTYPE or ENTITY declaration is refused —
 * CAP never has one, and a DTD is the only way to define entities, so no entity can ever
 * be expanded or resolved (no "billion laughs", no external entity). fast-xml-parser then
 * checks well-formedness (its validator gives line and column) and parses with entity
 * processing OFF; text keeps only the five predefined entities and numeric character
 * references, which are decoded here; any other `&name;` is refused. Nesting is bounded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { C5Error } from '../errors.js'
import { CAP_MAX_BYTES, CAP_MAX_DEPTH, CAP_MAX_ELEMENTS } from './constants.js'

export interface XmlElement {
  /** Local name (prefix removed). */
  name: string
  /** Namespace URI from the xmlns declarations in scope ('' if none). */
  ns: string
  attrs: Record<string, string>
  children: XmlElement[]
  /** Concatenated text content (entities decoded, CDATA as is), untrimmed. */
  text: string
  /** 1-based index among siblings of the same name, for error paths. */
  index: number
}

const parser = new XMLParser({
  preserveOrder: true,
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata'
})

function notXml (message: string, details: Record<string, unknown> = {}): never {
  throw new C5Error('CAP_NOT_XML', message, { details })
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** The five predefined entities and &#N; / &#xH; — anything else is refused, never resolved. */
export function decodeEntities (s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&([^;\s&]{0,32});?/g, (m, name: string) => {
    if (!m.endsWith(';')) notXml(`a bare "&" in text (write &amp;)`, { near: m })
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name]
    const num = /^#(x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.exec(name)
    if (num !== null) {
      const cp = num[1].startsWith('x') ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10)
      const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
      if (!ok) notXml(`character reference ${m} is not an XML character`)
      return String.fromCodePoint(cp)
    }
    throw new C5Error('CAP_DOCTYPE_REFUSED', `entity reference ${m}: entities are never expanded (only &lt; &gt; &amp; &quot; &apos; and &#N;)`, { details: { entity: name } })
  })
}

type Raw = Record<string, unknown> & { ':@'?: Record<string, string> }

/** Parses `input` into its root element; CAP_TOO_LARGE / CAP_DOCTYPE_REFUSED / CAP_NOT_XML. */
export function parseXml (input: string | Uint8Array): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length
  if (size > CAP_MAX_BYTES) throw new C5Error('CAP_TOO_LARGE', `document of ${size} bytes exceeds ${CAP_MAX_BYTES}`, { details: { size, max: CAP_MAX_BYTES } })
  let text: string
  if (typeof input === 'string') text = input
  else {
    try { text = new TextDecoder('utf-8', { fatal: true }).decode(input) } catch { notXml('not UTF-8 text') }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new C5Error('CAP_DOCTYPE_REFUSED', 'a DOCTYPE or ENTITY declaration: refused (CAP has none; entities are never expanded or resolved)')
  if (text.trim() === '') notXml('empty document')
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false })
  if (valid !== true) notXml(`not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`, { line: valid.err.line, col: valid.err.col })
  let raw: Raw[]
  try { raw = parser.parse(text) as Raw[] } catch (cause) { notXml(`not XML: ${(cause as Error).message}`) }
  const roots = raw.filter(n => Object.keys(n).some(k => k !== ':@' && !k.startsWith('#')))
  if (roots.length !== 1) notXml(`expected one root element, found ${roots.length}`)
  let count = 0
  const build = (node: Raw, scope: Record<string, string>, depth: number, index: number): XmlElement => {
    if (depth > CAP_MAX_DEPTH) notXml(`elements nested deeper than ${CAP_MAX_DEPTH}`)
    if (++count > CAP_MAX_ELEMENTS) notXml(`more than ${CAP_MAX_ELEMENTS} elements`)
    const qname = Object.keys(node).find(k => k !== ':@')!
    const attrs: Record<string, string> = {}
    for (const [k, v] of Object.entries(node[':@'] ?? {})) attrs[k] = decodeEntities(String(v))
    const inner: Record<string, string> = { ...scope }
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'xmlns') inner[''] = v
      else if (k.startsWith('xmlns:')) inner[k.slice(6)] = v
    }
    const colon = qname.indexOf(':')
    const prefix = colon < 0 ? '' : qname.slice(0, colon)
    const name = colon < 0 ? qname : qname.slice(colon + 1)
    if (prefix !== '' && inner[prefix] === undefined) notXml(`namespace prefix "${prefix}" of <${qname}> is not declared`)
    const el: XmlElement = { name, ns: inner[prefix] ?? '', attrs, children: [], text: '', index }
    const seen = new Map<string, number>()
    for (const child of (node[qname] as Raw[] | undefined) ?? []) {
      if ('#text' in child) { el.text += decodeEntities(String(child['#text'])); continue }
      if ('#cdata' in child) { for (const c of child['#cdata'] as Raw[]) el.text += String(c['#text'] ?? ''); continue }
      const cq = Object.keys(child).find(k => k !== ':@')
      if (cq === undefined || cq.startsWith('?') || cq.startsWith('#')) continue
      const local = cq.includes(':') ? cq.slice(cq.indexOf(':') + 1) : cq
      const i = (seen.get(local) ?? 0) + 1
      seen.set(local, i)
      el.children.push(build(child, inner, depth + 1, i))
    }
    return el
  }
  return build(roots[0], {}, 1, 1)
}
