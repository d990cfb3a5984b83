/**
 * Runs the real `c5mesh` bin (bin/c5mesh.js) in a child process. `wrap` runs it through a
 * launcher, e.g. ['ip', 'netns', 'exec', 'ns1'] to run it in a network namespace.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/c5mesh.js', import.meta.url))

/** The program and arguments that run the bin, through `wrap` when given. */
function command (args: string[], wrap: string[]): [string, string[]] {
  const full = [process.execPath, BIN, ...args]
  return wrap.length === 0 ? [full[0], full.slice(1)] : [wrap[0], [...wrap.slice(1), ...full]]
}

export interface CliResult { code: number, stdout: string, stderr: string }

export async function c5mesh (args: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<CliResult> {
  const [file, argv] = command(args, wrap)
  return new Promise(resolve => {
    execFile(file, argv, { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

export async function c5meshJson<T = any> (args: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<T> {
  const r = await c5mesh([...args, '--json'], env, wrap)
  if (r.code !== 0) throw new Error(`c5mesh ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

export interface DaemonProcess {
  child: ChildProcess
  /** Everything it printed so far (stdout and stderr). */
  output: () => string
  /**
   * Resolves with the first match of `pattern` in its output (already printed or yet to
   * come); rejects if it exits first or after `timeoutMs`, with the output in the message.
   */
  waitForOutput: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>
  exited: Promise<number | null>
}

/** Starts `c5mesh start` and resolves once it prints that it is running. */
export async function startDaemonProcess (args: string[], wrap: string[] = [], env: Record<string, string> = {}): Promise<DaemonProcess> {
  const [file, argv] = command([...args, 'start'], wrap)
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  let out = ''
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(' running — peer id ')) resolve() })
    child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
    void exited.then(code => reject(new Error(`daemon exited (${code}) before running:\n${out}`)))
  })
  const waitForOutput = async (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> => await new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      child.stdout!.off('data', check)
      child.stderr!.off('data', check)
    }
    // Runs after the listeners above have appended the chunk to `out`.
    const check = (): void => {
      const m = out.match(pattern)
      if (m !== null) { done(); resolve(m) }
    }
    const timer = setTimeout(() => { done(); reject(new Error(`no ${String(pattern)} in the daemon's output within ${timeoutMs} ms:\n${out}`)) }, timeoutMs)
    child.stdout!.on('data', check)
    child.stderr!.on('data', check)
    void exited.then(code => { done(); reject(new Error(`daemon exited (${code}) before printing ${String(pattern)}:\n${out}`)) })
    check()
  })
  return { child, output: () => out, waitForOutput, exited }
}
