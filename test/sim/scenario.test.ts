/**
 * The scenario parser (src/sim/scenario): every shipped scenario loads, and each kind of
 * bad input is refused with CONFIG_INVALID naming the file and the field.
 */
import { describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { C5Error } from '../../src/errors.js'
import { CONFIG_DIR, loadScenario, parseScenarioText, resolveScenario } from '../../src/sim/scenario/load.js'
import { parseDuration } from '../../src/sim/duration.js'

const FILE = 'test.yaml'
const base = { name: 'bad-input', description: 'a scenario for the parser tests', duration: '2h' }

async function refusal (input: unknown): Promise<{ code: string, field: string, message: string }> {
  try {
    await resolveScenario(input, FILE)
  } catch (err) {
    if (!(err instanceof C5Error)) throw err
    return { code: err.code, field: String(err.details?.field), message: err.message }
  }
  throw new Error('accepted')
}

describe('scenario files', () => {
  const shipped = readdirSync(join(CONFIG_DIR, 'scenarios')).filter(f => /\.(ya?ml|json)$/.test(f))

  it('ships the scenarios the testers asked for, each with its facts in the description', async () => {
    expect(shipped.map(f => f.replace(/\.(ya?ml|json)$/, '')).sort()).toEqual([
      'beryl-peninsula-2024', 'earthquake-2017-centre', 'national-internet-outage', 'otis-guerrero-2023',
      'revocation-during-partition', 'rogue-member', 'southeast-cut', 'wilma-quintana-roo-2005'
    ])
    for (const f of shipped) {
      const sc = await loadScenario(join(CONFIG_DIR, 'scenarios', f))
      expect(sc.nodes.length).toBeGreaterThanOrEqual(32)
      expect(sc.description.length).toBeGreaterThan(200)
      expect(sc.raw.assertions?.length ?? 0).toBeGreaterThan(0)
    }
    const otis = await loadScenario(join(CONFIG_DIR, 'scenarios', 'otis-guerrero-2023.yaml'))
    for (const fact of ['2023', '40 %', '70 %', '80 %', 'ten hours']) expect(otis.description).toContain(fact)
    const beryl = await loadScenario(join(CONFIG_DIR, 'scenarios', 'beryl-peninsula-2024.yaml'))
    for (const fact of ['16 %', 'hour 14', 'hour 29']) expect(beryl.description).toContain(fact)
    const wilma = await loadScenario(join(CONFIG_DIR, 'scenarios', 'wilma-quintana-roo-2005.yaml'))
    for (const fact of ['50 hours', 'quarter']) expect(wilma.description).toContain(fact)
  })

  it('resolves regions, lists with "-" removals, classes and channels', async () => {
    const sc = await resolveScenario({
      ...base,
      regions: { sur: ['MX-GRO', 'MX-OAX', 'MX-CHP'] },
      links: { classes: { slow: { base: 'vsat', bandwidth: '128 kbit/s', latency: '400ms' } }, assign: [] },
      channels: [{ name: 'hf', class: 'radio-9600', members: ['sur', '-MX-CHP'] }]
    }, FILE)
    expect(sc.group(['all', '-sur'], 'x')).toHaveLength(29)
    expect(sc.classes.get('slow')).toMatchObject({ bytesPerSecond: 16_000, latencyMs: 400, kind: 'ip' })
    expect(sc.channels).toEqual([{ name: 'hf', cls: 'radio-9600', members: ['MX-GRO', 'MX-OAX'], up: true }])
    expect(sc.selectEdges({ region: 'sur' }, 'x').length).toBeGreaterThan(3)
  })

  it.each([
    ['an unknown field', { ...base, durration: '2h' }, 'durration', /unknown field "durration"/],
    ['a missing field', { name: 'x', duration: '1h' }, 'description', /missing: expected a text/],
    ['a duration without unit', { ...base, duration: 30 }, 'duration', /expected a duration such as 90s/],
    ['a bad name', { ...base, name: 'Otis 2023' }, 'name', /lowercase letters/],
    ['an unknown node', { ...base, workload: [{ from: 'MX-XXX', count: 1 }] }, 'workload.0.from', /unknown node or region "MX-XXX"/],
    ['an unknown region', { ...base, timeline: [{ at: '1h', cut: { region: 'costa' } }] }, 'timeline.0.cut.region', /unknown node or region "costa"/],
    ['no link between two nodes', { ...base, timeline: [{ at: '1h', cut: { link: ['MX-YUC', 'MX-SON'] } }] }, 'timeline.0.cut.link', /no link joins MX-YUC and MX-SON/],
    ['two actions in one event', { ...base, timeline: [{ at: '1h', cut: { all: true }, restore: { all: true } }] }, 'timeline.0', /one action per event/],
    ['an event after the end', { ...base, timeline: [{ at: '3h', cut: { all: true } }] }, 'timeline.0.at', /after the end of the run/],
    ['an unknown link class', { ...base, links: { default: 'carrier-pigeon' } }, 'links.default', /unknown link class "carrier-pigeon"/],
    ['a radio class on a dialled link', { ...base, links: { extra: [{ a: 'MX-GRO', b: 'MX-CMX', class: 'radio-1200' }] } }, 'links.extra.0.class', /radio stations share a channel/],
    ['an IP class on a channel', { ...base, channels: [{ name: 'hf', class: 'vsat', members: ['MX-GRO', 'MX-MOR'] }] }, 'channels.0.class', /not a radio class/],
    ['a bad bandwidth', { ...base, links: { classes: { x: { base: 'internet', bandwidth: 'fast' } } } }, 'links.classes.x.bandwidth', /expected a bandwidth such as 512 kbit\/s/],
    ['a fraction above 1', { ...base, timeline: [{ at: '1h', 'power-off': { all: true, fraction: 1.5 } }] }, 'timeline.0.power-off.fraction', /expected at most 1/],
    ['an unknown assertion', { ...base, assertions: [{ 'delivered-fast': true }] }, 'assertions.0.delivered-fast', /unknown field/],
    ['an empty assertion', { ...base, assertions: [{}] }, 'assertions.0', /expected one assertion/],
    ['an unknown channel', { ...base, timeline: [{ at: '1h', cut: { channel: 'hf' } }] }, 'timeline.0.cut.channel', /unknown channel "hf"/],
    ['a courier with the wrong number of legs', { ...base, timeline: [{ at: '1h', courier: { route: ['MX-GRO', 'MX-MOR', 'MX-CMX'], travel: ['1h'] } }] }, 'timeline.0.courier.travel', /one road time per leg/],
    ['a precedence mix of zeros', { ...base, workload: [{ from: 'all', count: 5, precedence: { flash: 0 } }] }, 'workload.0.precedence', /share above 0/],
    ['a node in two partition groups', { ...base, partition: { groups: [['MX-GRO'], ['MX-GRO']] } }, 'partition.groups.1.0', /in two groups/]
  ])('refuses %s, naming the field', async (_what, input, field, message) => {
    const r = await refusal(input)
    expect(r.code).toBe('CONFIG_INVALID')
    expect(r.field).toBe(field)
    expect(r.message).toMatch(message)
    expect(r.message.startsWith(`${FILE}: ${field}: `)).toBe(true)
  })

  it('reports YAML and JSON syntax errors with the place', () => {
    expect(() => parseScenarioText('name: x\n  bad: [1, 2\n', 'a.yaml')).toThrow(/a\.yaml: line \d+, column \d+: not valid YAML/)
    expect(() => parseScenarioText('{"name": }', 'a.json')).toThrow(/a\.json: not valid JSON/)
    expect(() => parseScenarioText('a: 1\na: 2\n', 'dup.yaml')).toThrow(/not valid YAML/)
  })

  it('a missing file is CONFIG_NOT_FOUND', async () => {
    await expect(loadScenario('/nonexistent/scenario.yaml')).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' })
  })

  it('durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('2d')).toBe(172_800_000)
    expect(parseDuration('-15m', { signed: true })).toBe(-900_000)
    expect(parseDuration('-15m')).toBeUndefined()
    expect(parseDuration('15')).toBeUndefined()
    expect(parseDuration('1x')).toBeUndefined()
  })
})
