/**
 * `npm run bench -- attacks` runs end to end (real daemons, attackers in child processes)
 * and prints the JSON as its last line: a short run of two attacks after a small
 * catch-up, without the control phases, so the bench cannot rot between the long runs that
 * measure. It checks the shape and that the node stayed up, not the latency goals (a smoke
 * run's few alerts on a shared machine say nothing about them).
 */
import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('attack bench', () => {
  it('prints one JSON object as its last line, with every field the issue names', async () => {
    const r = await new Promise<{ code: number, stdout: string, stderr: string }>(resolve => {
      execFile(process.execPath, [`${root}scripts/bench.js`, 'attacks'], {
        timeout: 85_000,
        env: { ...process.env, BENCH_ATTACKS: 'malformed_frames,idle_preauth_sockets', BENCH_ATTACKS_CATCHUP: '1000', BENCH_ATTACKS_CONTROL: '0', BENCH_ATTACK_BEFORE_MS: '2000', BENCH_ATTACK_DURING_MS: '3000', BENCH_ATTACK_AFTER_MS: '1000' }
      }, (err, stdout, stderr) => { resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr }) })
    })
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    const last = JSON.parse(lines.at(-1)!)
    expect(Object.keys(last)).toEqual(['bench', 'attacks', 'worst_p99_ratio', 'worst_rss_growth_mb', 'catchup_aborts', 'catchup_flash_p99_s'])
    expect(last.bench).toBe('attacks')
    expect(last.attacks.map((a: { name: string }) => a.name)).toEqual(['malformed_frames', 'idle_preauth_sockets'])
    for (const a of last.attacks) {
      expect(Object.keys(a)).toEqual(['name', 'p99_ms_before', 'p99_ms_during', 'p99_ms_after', 'rss_growth_mb', 'node_up'])
      expect(a.node_up).toBe(true)
      expect(a.p99_ms_before).toBeGreaterThan(0)
    }
    expect(last.catchup_aborts).toBe(0)
    // The verdicts are printed, one per attack and one for the catch-up.
    expect(lines.filter(l => /^ {2}goal (met|MISSED)/.test(l))).toHaveLength(3)
  }, 90_000)
})
