/**
 * Joining the national network in one step (issue 12 §1), with real processes: a state's
 * join request, the authority's roster edit and welcome file, `join`, and the two nodes
 * talking over libp2p — plus the warnings that keep a node from being silently isolated.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { readFile, writeFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { c5mesh, c5meshJson, startDaemonProcess, type DaemonProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const LOCAL = { C5MESH_LISTEN: '/ip4/127.0.0.1/tcp/0', C5MESH_API_PORT: '0', C5MESH_MDNS: 'false', C5MESH_DHT: 'false' }

let dir: { path: string, cleanup: () => Promise<void> }
const daemons: DaemonProcess[] = []
beforeAll(async () => { dir = await tempDir('c5mesh-join-') })
afterAll(async () => {
  for (const d of daemons) { d.child.kill('SIGTERM'); await d.exited }
  await dir.cleanup()
})

async function start (data: string, env: Record<string, string> = {}): Promise<DaemonProcess> {
  const d = await startDaemonProcess(['--data', data], [], { ...LOCAL, ...env })
  daemons.push(d)
  return d
}

async function stop (d: DaemonProcess): Promise<void> {
  d.child.kill('SIGTERM')
  await d.exited
}

async function eventually (check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

function oneLine (r: { code: number, stderr: string }, code: string): string {
  expect(r.code).not.toBe(0)
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines.at(-1)).toMatch(new RegExp(`^error ${code}: `))
  return lines.at(-1)!
}

describe('joining the national network', { timeout: 180_000 }, () => {
  it('join-request → roster add --request → sign → import → export --welcome → join → the two nodes exchange messages', async () => {
    const a = join(dir.path, 'authority')
    const b = join(dir.path, 'yucatan')
    await c5meshJson(['--data', a, 'init', '--dev', '--org', 'MX-CMX'])

    // The new state: one command makes its keys and the request.
    const reqFile = join(dir.path, 'join-request.json')
    const made = await c5meshJson(['--data', b, 'join-request', '--org', 'MX-YUC', '--name', 'C5 Yucatán', '--out', reqFile])
    expect(made.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/)
    const req = JSON.parse(await readFile(reqFile, 'utf8'))
    expect(req).toMatchObject({ type: 'c5mesh-join-request', version: 1, org: 'MX-YUC', name: 'C5 Yucatán', fingerprint: made.fingerprint })
    const piped = await c5mesh(['--data', b, 'join-request', '--org', 'MX-YUC', '--out', '-'])
    expect(JSON.parse(piped.stdout).nodeKey).toBe(req.nodeKey)
    expect(piped.stderr).toContain(made.fingerprint)
    // Not joined yet: said in one line, by status and by start.
    expect(oneLine(await c5mesh(['--data', b, 'status']), 'NODE_NOT_JOINED')).toContain('c5mesh join WELCOME-FILE')
    expect(oneLine(await c5mesh(['--data', b, 'start'], LOCAL), 'NODE_NOT_JOINED')).toContain(b)

    // The authority: a changed request is refused; the real one adds node and operator.
    const tampered = join(dir.path, 'tampered.json')
    await writeFile(tampered, JSON.stringify({ ...req, operatorKey: 'ab'.repeat(32) }))
    expect(oneLine(await c5mesh(['--data', a, 'roster', 'add', '--request', tampered]), 'CLI_BAD_ARGUMENT')).toContain('does not match its keys')
    const added = await c5meshJson(['--data', a, 'roster', 'add', '--request', reqFile])
    expect(added).toMatchObject({ version: 2, members: 4, org: 'MX-YUC', fingerprint: made.fingerprint })
    // Only a root's signature counts: an operator key is refused, not counted.
    expect(oneLine(await c5mesh(['--data', a, 'roster', 'sign', '--key-file', join(b, 'keys', 'operator.json')]), 'ROSTER_NOT_AN_ANCHOR')).toContain('not one of this node\'s trust anchors')
    expect((await c5meshJson(['--data', a, 'roster', 'show', '--draft'])).signatures).toBe(0)
    expect(await c5meshJson(['--data', a, 'roster', 'sign'])).toMatchObject({ signatures: 1, threshold: 1, complete: true })
    const v2 = join(dir.path, 'roster-v2.cbor')
    await c5meshJson(['--data', a, 'roster', 'export', '--out', v2])
    await c5meshJson(['--data', a, 'roster', 'import', v2])
    await expect(stat(join(a, 'roster-draft.cbor'))).rejects.toThrow(/ENOENT/) // the draft became the roster: gone

    // The authority's node runs; its welcome file names where it listens.
    const nodeA = await start(a)
    const idA = await c5meshJson(['--data', a, 'id'])
    expect(idA.addrs.length).toBeGreaterThan(0)
    for (const addr of idA.addrs) expect(addr).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/[1-9]\\d*/p2p/${idA.peerId}$`))
    const welcome = join(dir.path, 'welcome.json')
    const exported = await c5meshJson(['--data', a, 'roster', 'export', '--welcome', '--out', welcome])
    expect(exported).toMatchObject({ rosterVersion: 2, bootstrap: idA.addrs })

    // The new state: not without a yes; a changed root fingerprint is refused; then joined.
    const refused = await c5mesh(['--data', b, 'join', welcome])
    expect(oneLine(refused, 'CLI_BAD_ARGUMENT')).toContain('not confirmed')
    expect(refused.stderr).toContain(exported.anchors.keys[0].fingerprint) // shown before asking
    expect(JSON.parse(await readFile(join(b, 'config.json'), 'utf8')).trustAnchors).toBeUndefined()
    const w = JSON.parse(await readFile(welcome, 'utf8'))
    const forged = join(dir.path, 'forged-welcome.json')
    await writeFile(forged, JSON.stringify({ ...w, trustAnchors: { ...w.trustAnchors, keys: [{ ...w.trustAnchors.keys[0], key: 'cd'.repeat(32) }] } }))
    expect(oneLine(await c5mesh(['--data', b, 'join', forged, '--yes']), 'CLI_BAD_ARGUMENT')).toContain('fingerprint')
    const joined = await c5meshJson(['--data', b, 'join', welcome, '--yes'])
    expect(joined).toMatchObject({ rosterVersion: 2, listed: true, bootstrap: idA.addrs })
    const cfgB = JSON.parse(await readFile(join(b, 'config.json'), 'utf8'))
    expect(cfgB).toMatchObject({ org: 'MX-YUC', trustAnchors: { keys: [w.trustAnchors.keys[0].key], threshold: 1 }, bootstrap: idA.addrs })

    // B starts with no warning, reaches A, and a message crosses.
    const nodeB = await start(b, { C5MESH_RECONNECT_ISOLATION_WARN_MS: '1000' })
    await nodeB.waitForOutput(/stop with Ctrl-C/, 10_000)
    expect(nodeB.output()).not.toContain('WARNING')
    const sent = await c5meshJson(['--data', a, 'send', '--headline', 'Bienvenido Yucatán', '--precedence', 'flash'])
    await eventually(async () => (await c5meshJson<any[]>(['--data', b, 'inbox'])).some(m => m.id === sent.id), 'the message on B')

    // A stops: B says it is isolated — in status and in its log, at warn.
    await stop(nodeA)
    await eventually(async () => ((await c5meshJson(['--data', b, 'status'])).warnings ?? []).some((x: any) => x.code === 'ISOLATED'), 'ISOLATED in status')
    expect((await c5mesh(['--data', b, 'status'])).stdout).toMatch(/^WARNING {4}no roster peer reached since /m)
    await nodeB.waitForOutput(/"level":"warn"[^\n]*"event":"isolation"[^\n]*"code":"ISOLATED"/, 10_000)
    await stop(nodeB)
  })

  it('a node whose roster does not list it, or that has none, says so at start and in status', async () => {
    // C trusts the same root (from the welcome file) but was never added to the roster.
    const c = join(dir.path, 'not-listed')
    await c5meshJson(['--data', c, 'join-request', '--org', 'MX-SON', '--out', join(dir.path, 'c-request.json')])
    await c5meshJson(['--data', c, 'join', join(dir.path, 'welcome.json'), '--yes'])
    expect((await c5mesh(['--data', c, 'status'])).stdout).toMatch(/^WARNING {4}the roster \(version 2\) does not list this node's key/m)
    const nodeC = await start(c)
    await nodeC.waitForOutput(/ {2}WARNING {3}the roster \(version 2\) does not list this node's key/, 10_000)
    await nodeC.waitForOutput(/"event":"isolation"[^\n]*"code":"NOT_ON_ROSTER"/, 10_000)
    await stop(nodeC)
    // A folder whose trust anchors were set by hand, with no roster yet.
    const d = join(dir.path, 'no-roster')
    await c5meshJson(['--data', d, 'join-request', '--org', 'MX-SIN', '--out', join(dir.path, 'd-request.json')])
    const cfg = JSON.parse(await readFile(join(d, 'config.json'), 'utf8'))
    await writeFile(join(d, 'config.json'), JSON.stringify({ ...cfg, trustAnchors: { keys: ['ab'.repeat(32)], threshold: 1 } }))
    const status = await c5meshJson(['--data', d, 'status'])
    expect(status.warnings).toEqual([expect.objectContaining({ code: 'NO_ROSTER' })])
    const nodeD = await start(d)
    await nodeD.waitForOutput(/WARNING {3}no roster: this node admits no peer/, 10_000)
    await stop(nodeD)
  })
})
