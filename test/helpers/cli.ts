/** Runs the real `c5mesh` bin (bin/c5mesh.js) in a child process. */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/c5mesh.js', import.meta.url))

export interface CliResult { code: number, stdout: string, stderr: string }

export async function c5mesh (args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise(resolve => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
}

export async function c5meshJson<T = any> (args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await c5mesh([...args, '--json'], env)
  if (r.code !== 0) throw new Error(`c5mesh ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

/** Starts `c5mesh start` and resolves once it prints that it is running. */
export async function startDaemonProcess (args: string[]): Promise<{ child: ChildProcess, output: () => string, exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args, 'start'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); if (out.includes(' running — peer id ')) resolve() })
    child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
    void exited.then(code => reject(new Error(`daemon exited (${code}) before running:\n${out}`)))
  })
  return { child, output: () => out, exited }
}
