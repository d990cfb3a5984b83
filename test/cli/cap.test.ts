/** `c5mesh send --cap FILE` and `c5mesh show ID --cap`, no daemon running; the output validates against the OASIS schema. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { c5mesh, c5meshJson } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import { hurricane } from '../cap/examples.js'

const SCHEMA = [join(process.cwd(), '..', 'shared', 'data', 'cap', 'CAP-v1.2.xsd'), '/work/shared/data/cap/CAP-v1.2.xsd'].find(f => existsSync(f))!
let dir: { path: string, cleanup: () => Promise<void> }
beforeAll(async () => { dir = await tempDir('c5mesh-cli-cap-') })
afterAll(async () => { await dir.cleanup() })

describe('c5mesh send --cap / show --cap', { timeout: 120_000 }, () => {
  it('imports a CAP file, shows it back as valid CAP 1.2; a bad file is one error line', async () => {
    const data = join(dir.path, 'a')
    await c5meshJson(['--data', data, 'init', '--dev', '--org', 'MX-GRO'])
    const file = join(dir.path, 'otis.xml')
    await writeFile(file, hurricane(Date.now(), 'Alert'))
    const sent = await c5meshJson(['--data', data, 'send', '--cap', file])
    expect(sent).toMatchObject({ id: expect.stringMatching(/^bafkrei/), omitted: ['info[2] (en-US)'], via: 'local' })
    const shown = await c5mesh(['--data', data, 'show', sent.id, '--cap'])
    expect(shown.code).toBe(0)
    const out = join(dir.path, 'out.xml')
    await writeFile(out, shown.stdout)
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, out], { stdio: 'pipe' })
    expect(shown.stdout).toContain('<identifier>SMN-HURACAN-OTIS-001</identifier>')
    const byShortId = await c5mesh(['--data', data, 'show', sent.id.slice(7, 15), '--cap'])
    expect([byShortId.code, byShortId.stdout]).toEqual([0, shown.stdout])
    expect((await c5mesh(['--data', data, 'show', 'abc', '--cap'])).stderr).toMatch(/^error CLI_BAD_ARGUMENT: not a message id: abc/)
    await writeFile(file, hurricane(Date.now(), 'Alert').replace('<urgency>Expected', '<urgency>Pronto'))
    const bad = await c5mesh(['--data', data, 'send', '--cap', file])
    expect([bad.code, bad.stderr.trim()]).toEqual([1, expect.stringMatching(/^error CAP_BAD_VALUE: alert\/info\[1\]\/urgency: /)])
  })
})
