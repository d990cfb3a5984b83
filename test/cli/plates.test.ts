/** `c5mesh plates …` as an analyst uses it, with no daemon running (the store is opened). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

let dir: { path: string, cleanup: () => Promise<void> }
let data: string
beforeAll(async () => {
  dir = await tempDir('c5mesh-cli-plates-')
  data = join(dir.path, 'a')
  await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-JAL'])
})
afterAll(async () => { await dir.cleanup() })

describe('c5mesh plates', { timeout: 180_000 }, () => {
  it('report → check → update → recover → check; import a CSV of reads with one bad line', async () => {
    const d = ['--data', data]
    const rep = await c5meshJson([...d, 'plates', 'report', '--plate', 'jal-123-4', '--state', 'MX-JAL', '--make', 'Nissan', '--model', 'Versa', '--year', '2019', '--colour', 'gris', '--case', 'FGE/JAL/2026/9'])
    expect(rep).toMatchObject({ msgType: 'Alert', plate: 'JAL1234', via: 'local' })
    const check = await c5mesh([...d, 'plates', 'check', 'JAL 123 4', 'JA11234', 'XYZ999'])
    expect(check.code).toBe(0)
    const lines = check.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^JAL1234 {2}ROBADO .*Nissan Versa 2019 gris .*carpeta FGE\/JAL\/2026\/9/)
    expect(lines[2]).toContain('sin reporte')
    const up = await c5meshJson([...d, 'plates', 'update', rep.id, '--colour', 'azul', '--note', 'repintado'])
    expect(up.msgType).toBe('Update')
    const after = await c5meshJson([...d, 'plates', 'check', 'JAL1234'])
    expect(after[0].matches[0].report).toMatchObject({ colour: 'azul', make: 'Nissan', updates: 1, root: rep.id })

    const csv = join(dir.path, 'reads.csv')
    await writeFile(csv, `plate,camera,time,lat,lon\nJAL1234,GDL-01,${new Date().toISOString()},20.67,-103.35\nXYZ999,GDL-01,${new Date().toISOString()},,\nJAL1234,GDL-02,not-a-time,,\n`)
    const imp = await c5mesh([...d, 'plates', 'import', csv, '--json'])
    expect(imp.code).toBe(1)
    expect(JSON.parse(imp.stdout)).toMatchObject({ reads: 2, hits: 1, alerts: [expect.stringMatching(/^bafkrei/)], badLines: [{ line: 4, code: 'PLATES_BAD_READ' }] })
    expect(imp.stderr.trim()).toMatch(/^error PLATES_BAD_READ: 1 line/)

    const rec = await c5meshJson([...d, 'plates', 'recover', rep.id, '--note', 'recuperado en Zapopan'])
    expect(rec.msgType).toBe('Cancel')
    expect((await c5meshJson([...d, 'plates', 'check', 'JAL1234']))[0].status).toBe('none')
    expect(await c5meshJson([...d, 'plates', 'list'])).toEqual([])

    const bad = await c5mesh([...d, 'plates', 'report', '--plate', '**', '--state', 'MX-JAL'])
    expect([bad.code, bad.stderr.trim()]).toEqual([1, expect.stringMatching(/^error PLATES_BAD_PLATE: /)])
    const badState = await c5mesh([...d, 'plates', 'report', '--plate', 'ABC123', '--state', 'Jalisco'])
    expect(badState.stderr.trim()).toMatch(/^error PLATES_BAD_REPORT: vehicle.plateState/)
  })
})
