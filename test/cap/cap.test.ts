/**
 * CAP in and out: the examples through import → envelope → ingest (real LevelDB) → export,
 * every export validated against the OASIS CAP-v1.2.xsd with xmllint; invalid documents
 * refused with the element named; entities never expanded; fuzzed XML never crashes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { composeFromCap, importCap, messageAsCap, capFeed, capTime, parseXml, CAP_MAX_BYTES } from '../../src/cap/index.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { composeReport } from '../../src/plates/index.js'
import { isC5Error } from '../../src/errors.js'
import { createTestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'
import { cancel, hurricane, sasmexQuake, stolenVehicle } from './examples.js'

const SCHEMA_DIR = [join(process.cwd(), '..', 'shared', 'data', 'cap'), '/work/shared/data/cap'].find(d => existsSync(join(d, 'CAP-v1.2.xsd')))!
let dir: { path: string, cleanup: () => Promise<void> }
let core: NodeCore
const world = createTestWorld(['MX-CMX'], Date.now())
const op = world.members[0].operator

beforeAll(async () => {
  dir = await tempDir('c5mesh-cap-')
  core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
  await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')
})
afterAll(async () => { await core.close(); await dir.cleanup() })

/** xmllint --schema: throws with its output when the document does not validate. */
function validate (xml: string, name: string, xsd = 'CAP-v1.2.xsd'): void {
  const file = join(dir.path, `${name}.xml`)
  writeFileSync(file, xml)
  try { execFileSync('xmllint', ['--noout', '--nonet', '--schema', join(SCHEMA_DIR, xsd), file], { stdio: 'pipe' }) } catch (err) {
    throw new Error(`${name} does not validate: ${String((err as { stderr?: Buffer }).stderr)}\n${xml}`)
  }
}

async function roundTrip (xml: string, name: string): Promise<{ id: string, out: string, omitted: string[] }> {
  const now = Date.now()
  const { envelope, omitted } = await composeFromCap(core, xml, op, { org: 'MX-CMX', now })
  const r = await core.ingest.ingest(envelope.bytes, 'local')
  expect(r.ok).toBe(true)
  const out = await messageAsCap(core, envelope.id)
  validate(out, name)
  return { id: envelope.id, out, omitted }
}

/** The CAP fields that map, as a comparable object. */
function mapped (xml: string): unknown {
  const { alert, content } = importCap(xml, Date.now())
  const { info: _i, ...head } = alert
  return { head, content }
}

describe('CAP examples in and out (validated against the OASIS schema)', () => {
  it('the schema validates the specification\'s own examples (the validator works)', () => {
    validate(execFileSync('cat', [join(SCHEMA_DIR, 'example-thunderstorm.xml')]).toString(), 'oasis-thunderstorm')
    expect(() => validate('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>', 'broken')).toThrow(/does not validate/)
  })

  it('SASMEX-style earthquake: expires = sent + 60 s, every mapped field survives the round trip', async () => {
    const now = Date.now()
    const xml = sasmexQuake(now)
    const { id, out } = await roundTrip(xml, 'sasmex')
    const env = (await core.store.get(id))!.envelope
    expect(env.precedence).toBe('immediate')
    expect(env.expires - env.created).toBeLessThanOrEqual(60_000)
    expect(env.content).toMatchObject({ msgType: 'Alert', category: 'Geo', event: 'Sismo', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', area: { circles: [{ lat: 16.85, lon: -99.88, radiusKm: 300 }], geocodes: [{ name: 'INEGI', value: '09' }, { name: 'ISO3166-2', value: 'MX-CMX' }, { name: 'INEGI', value: '12' }] } })
    expect(env.content?.description).toContain('Guerrero & Oaxaca')
    expect(mapped(out)).toEqual(mapped(xml.replace(/<expires>[^<]*<\/expires>/, `<expires>${/<expires>([^<]*)</.exec(out)![1]}</expires>`)))
  })

  it('CAP 1.1 (SASMEX\'s public feed) is read; exported as 1.2', async () => {
    const xml11 = sasmexQuake(Date.now(), 'urn:oasis:names:tc:emergency:cap:1.1')
    validate(xml11, 'sasmex-11', 'CAP-v1.1.xsd')
    const { out } = await roundTrip(xml11.replace('SASMEX-20261128-101500', 'SASMEX-11'), 'sasmex-11-out')
    expect(out).toContain('urn:oasis:names:tc:emergency:cap:1.2')
  })

  it('hurricane Alert then Update (references resolved to the stored alert), then Cancel; the feed lists only what is active', async () => {
    const now = Date.now()
    const a = await roundTrip(hurricane(now, 'Alert'), 'hurricane')
    expect(a.omitted).toEqual(['info[2] (en-US)'])
    const u = await roundTrip(hurricane(now + 1000, 'Update', 'SMN-HURACAN-OTIS-001'), 'hurricane-update')
    const upd = (await core.store.get(u.id))!.envelope
    expect(upd.content?.msgType).toBe('Update')
    expect(upd.references.map(r => Buffer.from(r).toString('hex'))).toEqual([Buffer.from((await core.store.get(a.id))!.envelope.digest).toString('hex')])
    expect(u.out).toContain('<references>avisos@smn.conagua.gob.mx,SMN-HURACAN-OTIS-001,')
    expect(u.out).toMatch(/<responseType>Evacuate<\/responseType>\s*<responseType>Prepare<\/responseType>/)
    expect(u.out).toContain('<resourceDesc>Mapa de trayectoria</resourceDesc>')
    expect(mapped(u.out)).toMatchObject({ content: { parameters: expect.arrayContaining([{ name: 'vientos_kmh', value: '270' }]) } })
    let feed = await capFeed(core, 'http://127.0.0.1:4380', 'MX-CMX')
    expect(feed).toContain(`urn:c5mesh:${u.id}`)
    expect(feed).not.toContain(`urn:c5mesh:${a.id}`) // superseded by its Update
    const c = await roundTrip(cancel(now + 2000, 'SMN-HURACAN-OTIS-002'), 'hurricane-cancel')
    expect(c.out).toContain('<msgType>Cancel</msgType>')
    feed = await capFeed(core, 'http://127.0.0.1:4380', 'MX-CMX')
    expect(feed).not.toContain(`urn:c5mesh:${u.id}`)
    expect(feed).not.toContain(`urn:c5mesh:${c.id}`)
    expect(parseXml(feed).name).toBe('feed')
  })

  it('the specification\'s thunderstorm example (line-wrapped areaDesc) imports and exports; a headline over 256 bytes is CAP_BAD_VALUE naming it', async () => {
    const now = Date.now()
    const spec = readFileSync(join(SCHEMA_DIR, 'example-thunderstorm.xml'), 'utf8')
      .replace(/<sent>[^<]*</, `<sent>${capTime(now)}<`).replace(/<expires>[^<]*</, `<expires>${capTime(now + 3_600_000)}<`)
    const { id, out } = await roundTrip(spec, 'thunderstorm')
    const env = (await core.store.get(id))!.envelope
    expect(env.content?.area?.description).toBe('EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA, EXTREME NORTHEASTERN CALAVERAS COUNTY IN CALIFORNIA, SOUTHWESTERN ALPINE COUNTY IN CALIFORNIA')
    expect(out).toContain('<value>SVR</value>')
    const long = sasmexQuake(now).replace(/<headline>[^<]*</, `<headline>${'Alerta '.repeat(50)}<`)
    await expect(composeFromCap(core, long, op, { org: 'MX-CMX', now })).rejects.toMatchObject({ code: 'CAP_BAD_VALUE', details: { element: 'alert/info/headline' } })
  })

  it('stolen-vehicle alert with plate parameters (prefixed namespace); a vehicle report exports as CAP too', async () => {
    const { out } = await roundTrip(stolenVehicle(Date.now()), 'vehicle-cap')
    expect(out).toContain('<valueName>placa</valueName>')
    expect(out).toContain('<scope>Restricted</scope>')
    const rep = composeReport({ plate: 'JAL1234', plateState: 'MX-JAL', make: 'Nissan', model: 'Versa', colour: 'gris', caseNumber: 'FGE/2026/1', stolenAt: Date.now() - 3_600_000 }, op, { org: 'MX-CMX', now: Date.now() })
    expect((await core.ingest.ingest(rep.bytes, 'local')).ok).toBe(true)
    const x = await messageAsCap(core, rep.id)
    validate(x, 'vehicle-report')
    expect(x).toContain('<event>Robo de vehículo</event>')
  })
})

describe('invalid CAP documents are refused, naming the element', () => {
  const now = Date.now()
  const q = sasmexQuake(now)
  it.each([
    ['missing <sender>', q.replace(/<sender>[^<]*<\/sender>/, ''), 'CAP_MISSING_ELEMENT', 'alert/sender'],
    ['missing <event>', q.replace(/<event>[^<]*<\/event>/, ''), 'CAP_MISSING_ELEMENT', 'alert/info[1]/event'],
    ['urgency outside CAP 1.2', q.replace('<urgency>Immediate', '<urgency>Urgentisima'), 'CAP_BAD_VALUE', 'alert/info[1]/urgency'],
    ['status outside CAP 1.2', q.replace('<status>Actual', '<status>Real'), 'CAP_BAD_VALUE', 'alert/status'],
    ['a time with Z is fine, a date alone is not', q.replace(/<sent>[^<]*</, '<sent>2026-11-28<'), 'CAP_BAD_VALUE', 'alert/sent'],
    ['elements out of order', q.replace(/(<status>[^<]*<\/status>)\s*(<msgType>[^<]*<\/msgType>)/, '$2$1'), 'CAP_MISSING_ELEMENT', 'alert/status'], // status is required before msgType
    ['an unknown element', q.replace('<scope>', '<colour>rojo</colour><scope>'), 'CAP_UNEXPECTED_ELEMENT', 'alert/colour'],
    ['a wrong namespace', q.replace('urn:oasis:names:tc:emergency:cap:1.2', 'urn:oasis:names:tc:emergency:cap:9.9'), 'CAP_BAD_NAMESPACE', 'alert'],
    ['no namespace', q.replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ''), 'CAP_BAD_NAMESPACE', 'alert'],
    ['a bad polygon', q.replace('<circle>16.85,-99.88 300</circle>', '<polygon>16,-99 17,-99</polygon>'), 'CAP_BAD_VALUE', 'alert/info[1]/area[1]/polygon[1]'],
    ['an expired alert', q.replace(/<expires>[^<]*</, '<expires>2001-01-01T00:00:00-06:00<'), 'CAP_BAD_VALUE', 'alert/info[1]/expires'],
    ['msgType Ack', q.replace('<msgType>Alert', '<msgType>Ack'), 'CAP_NOT_MAPPABLE', 'alert/msgType']
  ])('%s', (_name, xml, code, element) => {
    try { importCap(xml, now); expect.unreachable() } catch (err) {
      expect(isC5Error(err)).toBe(true)
      expect((err as { code: string }).code).toBe(code)
      expect((err as { details: { element: string } }).details.element).toBe(element)
      expect((err as Error).message).toContain(element)
    }
  })

  it.each([
    ['not XML at all', 'Robo de vehículo, placa JAL1234', 'CAP_NOT_XML'],
    ['truncated XML', q.slice(0, 200), 'CAP_NOT_XML'],
    ['an empty body', '', 'CAP_NOT_XML'],
    ['an internal entity (billion laughs)', `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n${q.replace(/^<\?xml[^>]*>\n/, '').replace('Sismo</event>', '&lol2;</event>')}`, 'CAP_DOCTYPE_REFUSED'],
    ['an external entity (XXE)', `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${q.replace(/^<\?xml[^>]*>\n/, '').replace('Sismo</event>', '&xxe;</event>')}`, 'CAP_DOCTYPE_REFUSED'],
    ['an undeclared entity reference', q.replace('Sismo</event>', '&passwd;</event>'), 'CAP_DOCTYPE_REFUSED'],
    ['a document over the size limit', q.replace('Sismo de magnitud', 'x'.repeat(CAP_MAX_BYTES)), 'CAP_TOO_LARGE']
  ])('%s', (_name, xml, code) => {
    try { importCap(xml, now); expect.unreachable() } catch (err) {
      expect((err as { code: string }).code).toBe(code)
      expect((err as Error).message).not.toContain('root:') // nothing from /etc/passwd
    }
  })

  it('fuzzed XML never crashes the parser: every outcome is a CAP_* refusal or a valid import, and memory stays bounded', () => {
    const fragments = ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">', '</alert>', '<info>', '</info>', '<', '>', '&', '&amp;', '&#x0;', '&#65;', '<![CDATA[', ']]>', '<!--', '-->', '<?xml version="1.0"?>', '<!DOCTYPE', '"', "'", '=', 'xmlns:a="x"', '<a:b>', '\u0000', '\uFEFF', '<identifier>x</identifier>', '<sent>2026-01-01T00:00:00-06:00</sent>']
    const heap0 = process.memoryUsage().heapUsed
    fc.assert(fc.property(fc.oneof(
      fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map(a => a.join('')),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.tuple(fc.nat(q.length), fc.nat(q.length), fc.string({ maxLength: 8 })).map(([i, j, s]) => q.slice(0, Math.min(i, j)) + s + q.slice(Math.max(i, j)))
    ), (xml) => {
      try { importCap(xml, now) } catch (err) {
        if (!isC5Error(err) || !err.code.startsWith('CAP_')) throw err
      }
    }), { numRuns: 3000 })
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000)
    expect(() => importCap(deep, now)).toThrow(expect.objectContaining({ code: 'CAP_TOO_LARGE' }))
    const deepUnder = '<a>'.repeat(20_000) + '</a>'.repeat(20_000)
    expect(() => importCap(deepUnder, now)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^CAP_/) }))
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(64 * 1024 * 1024)
  })
})
