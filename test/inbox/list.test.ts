/**
 * The inbox on a real store: CAP Update/Cancel supersession (the current version shown,
 * with its history; cancelled ones out of the active feed; nothing deleted), cursor paging
 * (nothing skipped or twice, in both orders), filters and refusals naming the field.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { join } from 'node:path'
import { composeEnvelope } from '../../src/envelope/index.js'
import type { Envelope, MsgType, Precedence } from '../../src/envelope/types.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import { listMessages, messageDetail, parseListQuery } from '../../src/inbox/index.js'
import { createTestWorld, type TestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
let core: NodeCore
let world: TestWorld
const T = Date.now() - 3_600_000
let t = T

function msg (member: number, headline: string, o: { msgType?: MsgType, references?: Envelope[], precedence?: Precedence, param?: string } = {}): Envelope {
  t += 1000
  return composeEnvelope({
    kind: 'alert',
    org: world.members[member].org,
    precedence: o.precedence ?? 'immediate',
    references: (o.references ?? []).map(r => r.digest),
    content: { msgType: o.msgType ?? 'Alert', headline, ...(o.param === undefined ? {} : { parameters: [{ name: 'placa', value: o.param }] }) }
  }, world.members[member].operator, { now: t })
}

async function put (...envs: Envelope[]): Promise<void> {
  for (const e of envs) { const r = await core.ingest.ingest(e.bytes, 'local'); expect(r.ok, r.ok ? '' : r.code).toBe(true) }
}

const ids = (p: { messages: Array<{ id: string }> }): string[] => p.messages.map(m => m.id)
const list = async (q: Record<string, unknown> = {}): ReturnType<typeof listMessages> => await listMessages(core, parseListQuery(q))

beforeAll(async () => {
  world = createTestWorld(['MX-YUC', 'MX-CAM'], T - 86_400_000)
  dir = await tempDir('c5mesh-inbox-')
  core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors })
  await put(world.rosterEnvelope)
})
afterAll(async () => { await core?.close(); await dir?.cleanup() })

describe('inbox: CAP Update and Cancel', () => {
  it('the current version is shown with its history; a cancelled alert leaves the active feed; nothing is deleted', async () => {
    const a1 = msg(0, 'Vehículo robado', { param: 'YUC-123-A' })
    const a2 = msg(0, 'Vehículo robado: color corregido', { msgType: 'Update', references: [a1], param: 'YUC-123-A' })
    const b1 = msg(0, 'Bloqueo carretero')
    const b2 = msg(0, 'Bloqueo levantado', { msgType: 'Cancel', references: [b1] })
    const foreign = msg(1, 'Otra entidad no puede actualizarla', { msgType: 'Update', references: [a2] })
    await put(a1, a2, b1, b2, foreign)

    const active = ids(await list({ order: 'newest' }))
    expect(active).toContain(a2.id)
    expect(active).toContain(foreign.id) // its own message, current in its own chain
    for (const gone of [a1, b1, b2]) expect(active).not.toContain(gone.id)

    const all = await list({ order: 'newest', view: 'all' })
    expect(ids(all)).toEqual(expect.arrayContaining([a1.id, a2.id, b1.id, b2.id]))
    expect(all.messages.find(m => m.id === a1.id)!.supersededBy).toEqual([a2.id])
    expect(all.messages.find(m => m.id === a2.id)!.supersededBy).toBeUndefined() // the other org's Update does not count

    const d1 = await messageDetail(core, a1.id)
    expect(d1.history!.map(v => [v.id, v.msgType])).toEqual([[a1.id, 'Alert'], [a2.id, 'Update']])
    expect(d1).toMatchObject({ current: a2.id, cancelled: false })
    expect((await messageDetail(core, a2.id)).current).toBe(a2.id)
    expect(await messageDetail(core, b1.id)).toMatchObject({ current: b2.id, cancelled: true })
    expect(await core.store.status(a1.digest)).toBe('stored')
  })
})

describe('inbox: pages', () => {
  it('walking the cursor gives the one-shot answer, urgent and newest, with any page size', async () => {
    const precs: Precedence[] = ['routine', 'flash', 'priority', 'immediate']
    const many = Array.from({ length: 40 }, (_, i) => msg(i % 2, `mensaje ${i}`, { precedence: precs[i % 4] }))
    await put(...many)
    for (const order of ['urgent', 'newest'] as const) {
      const whole = ids(await list({ order, limit: 200 }))
      for (const size of [1, 7, 50]) {
        const walked: string[] = []
        let cursor: string | undefined
        for (let guard = 0; guard < 500; guard++) {
          const page = await list({ order, limit: size, ...(cursor === undefined ? {} : { cursor }) })
          expect(page.messages.length).toBeLessThanOrEqual(size)
          walked.push(...ids(page))
          if (page.next === undefined) break
          cursor = page.next
        }
        expect(walked, `${order} by ${size}`).toEqual(whole)
      }
    }
    const urgent = (await list({ order: 'urgent', limit: 200 })).messages
    expect(urgent[0].precedence).toBe('flash')
  })

  it('filters: precedence, org, text in parameters; a page never exceeds the bound', async () => {
    const hit = msg(1, 'Robo en Campeche', { param: 'CAM-777-Z', precedence: 'flash' })
    await put(hit)
    expect(ids(await list({ text: 'cam-777' }))).toEqual([hit.id])
    expect((await list({ org: 'MX-CAM', precedence: 'flash' })).messages.every(m => m.org === 'MX-CAM' && m.precedence === 'flash')).toBe(true)
    expect(() => parseListQuery({ limit: '201' })).toThrow(expect.objectContaining({ code: 'API_BAD_REQUEST', details: { field: 'limit' } }))
  })

  it('refusals name the field: a forged or foreign cursor, unknown fields', async () => {
    const newest = (await list({ order: 'newest', limit: 1 })).next!
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ cursor: 'not-base64-json' }, 'cursor'],
      [{ cursor: newest, order: 'urgent' }, 'cursor'], // a newest-order cursor in the urgent order
      [{ order: 'sideways' }, 'order'],
      [{ colour: 'red' }, 'colour']
    ]
    for (const [q, field] of bad) {
      await expect(list(q)).rejects.toMatchObject({ code: 'API_BAD_REQUEST', details: { field } })
    }
  })
})
