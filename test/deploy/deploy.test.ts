/**
 * Running a C5's node unattended (issue 12 §2): the systemd unit, the Dockerfile, its
 * .dockerignore and HEALTHCHECK. No container engine or systemd runs here, so the files are
 * checked for what they must say (systemd-analyze verifies the unit when it is installed,
 * as on this machine), and the pieces they run — the healthcheck script, `c5mesh start` —
 * run for real. The first-run path on a mount point and as an unprivileged user is
 * test/node/init.test.ts.
 */
import { describe, it, expect } from 'vitest'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { c5meshJson, startDaemonProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (f: string): string => readFileSync(join(root, f), 'utf8')

function unitValues (text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line)
    if (m !== null) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]])
  }
  return out
}

async function run (file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr })
    })
  })
}

describe('systemd unit', () => {
  const text = read('contrib/systemd/c5mesh.service')
  const v = unitValues(text)

  it('runs c5mesh start directly (not npm, not --dev) as the dedicated user on /var/lib/c5mesh, restarting on failure, logging to the journal', () => {
    expect(v.get('ExecStart')).toEqual(['/usr/bin/node /opt/c5mesh/bin/c5mesh.js start'])
    expect(v.get('User')).toEqual(['c5mesh'])
    expect(v.get('StateDirectory')).toEqual(['c5mesh'])
    expect(v.get('Environment')).toContain('C5MESH_DATA=/var/lib/c5mesh')
    expect(v.get('Restart')).toEqual(['on-failure'])
    expect(v.get('KillSignal')).toEqual(['SIGTERM'])
    expect(v.get('StandardError')).toEqual(['journal'])
    expect(v.get('WantedBy')).toEqual(['multi-user.target'])
  })

  it.runIf(existsSync('/usr/bin/systemd-analyze'))('passes systemd-analyze verify with nothing to say', () => {
    expect(execFileSync('systemd-analyze', ['verify', join(root, 'contrib/systemd/c5mesh.service')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('')
  })

  it('is in the README as it is in the repository, and its ExecStart command line is one the bin accepts', async () => {
    expect(read('README.md')).toContain(text.trim())
    const argv = v.get('ExecStart')![0].split(' ').slice(1).map(a => a.replace('/opt/c5mesh/', root))
    const r = await run(process.execPath, [...argv, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('run this node')
  })
})

describe('Dockerfile', () => {
  const text = read('Dockerfile')
  const ignore = read('.dockerignore').split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))

  it('the build context is an allowlist: everything excluded, then only what the image copies', () => {
    expect(ignore[0]).toBe('*')
    const allowed = new Set(ignore.filter(l => l.startsWith('!')).map(l => l.slice(1)))
    const copied = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(m => m[1].split(/\s+/))
    expect(copied.length).toBeGreaterThan(5)
    for (const c of copied) expect(allowed.has(c), `${c} is copied but not admitted`).toBe(true)
    for (const never of ['data', 'data-*', 'keys', 'dist', 'node_modules', '.git', 'test']) expect(allowed.has(never), never).toBe(false)
    expect(ignore).toContain('**/keys')
  })

  it('runs the node as an unprivileged user on the /data volume, with a HEALTHCHECK on /healthz through a script that exists', () => {
    expect(text).toMatch(/^USER node$/m)
    expect(text).toMatch(/^VOLUME \["\/data"\]$/m)
    expect(text).toMatch(/C5MESH_DATA=\/data/)
    expect(text).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/c5mesh\.js"\]$/m)
    expect(text).toMatch(/^CMD \["start"\]$/m)
    expect(text).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/scripts\/healthcheck\.mjs"\]$/m)
    expect(read('scripts/healthcheck.mjs')).toContain('/healthz')
    expect(text).toMatch(/ln -s \/app\/bin\/c5mesh\.js \/usr\/local\/bin\/c5mesh/) // docker exec … c5mesh inbox
  })
})

describe('healthcheck script', { timeout: 60_000 }, () => {
  it('exits 1 with one line when no node runs, 0 while one answers /healthz', async () => {
    const dir = await tempDir('c5mesh-health-')
    const data = join(dir.path, 'data')
    const script = join(root, 'scripts', 'healthcheck.mjs')
    try {
      await c5meshJson(['--data', data, 'init', '--dev'])
      const none = await run(process.execPath, [script], { C5MESH_DATA: data })
      expect(none.code).toBe(1)
      expect(none.stderr.trim().split('\n')).toEqual([`unhealthy: no node running on ${data} (no daemon.json)`])
      const d = await startDaemonProcess(['--data', data], [], { C5MESH_LISTEN: '/ip4/127.0.0.1/tcp/0', C5MESH_API_PORT: '0', C5MESH_MDNS: 'false', C5MESH_DHT: 'false' })
      try {
        const ok = await run(process.execPath, [script, data])
        expect(ok.code, ok.stderr).toBe(0)
        expect(ok.stdout).toMatch(/^healthy: http:\/\/127\.0\.0\.1:\d+/)
      } finally {
        d.child.kill('SIGTERM')
        await d.exited
      }
    } finally {
      await dir.cleanup()
    }
  })
})
