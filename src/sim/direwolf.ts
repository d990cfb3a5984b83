/**
 * (src/sim: shared by tests and the radio benchmark.)
 * Two real Direwolf modems on one machine, joined by FIFOs (shared/recipes/radio-direwolf.md):
 * A transmits audio into a FIFO that B reads on stdin, and back. Optionally a relay sits in
 * the A→B direction and corrupts audio bytes (so B's CRC check drops frames). KISS TCP ports
 * are chosen at run time; everything lives in a temp folder; `stop()` kills both modems
 * (and the relay) and removes the folder — call it in `finally`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { mkdtemp, readFile, rm, writeFile, open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'

export interface DirewolfPair {
  dir: string
  kissA: number
  kissB: number
  /** B's pseudo-terminal KISS device (with `pty: true`), read from its log. */
  ptyB?: string
  /** Audio chunks the relay corrupted (with `corrupt`). */
  corrupted: () => number
  logs: () => Promise<{ a: string, b: string }>
  stop: () => Promise<void>
}

export interface DirewolfOptions {
  baud: 1200 | 9600
  /** Probability that the relay corrupts an audio chunk going A → B (0: no relay). */
  corrupt?: number
  /** Seeded source for the relay's corruption. */
  random?: () => number
  /** Also serve KISS on a pseudo terminal at B (`direwolf -p`). */
  pty?: boolean
  txDelay?: number
  txTail?: number
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => { resolve(port) })
    })
  })
}

async function waitForPort (port: number, ms: number): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>(resolve => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => { s.destroy(); resolve(true) })
      s.once('error', () => { resolve(false) })
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`Direwolf's KISS port ${port} did not open`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

export function direwolfInstalled (): boolean {
  try { execFileSync('which', ['direwolf'], { stdio: 'ignore' }); return true } catch { return false }
}

export async function startDirewolfPair (o: DirewolfOptions): Promise<DirewolfPair> {
  const dir = await mkdtemp(join(tmpdir(), 'c5mesh-dw-'))
  const procs: ChildProcess[] = []
  let relayFds: FileHandle[] = []
  let corrupted = 0
  let stopping = false
  let relayDone: Promise<void> = Promise.resolve()
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    for (const p of procs) { try { p.kill('SIGKILL') } catch {} }
    await Promise.all(procs.map(async p => { if (p.exitCode === null && p.signalCode === null) await new Promise(resolve => { p.once('exit', resolve); setTimeout(resolve, 2000) }) }))
    // The relay's read of a2r never ends by itself (we hold the FIFO open both ways), and a
    // FileHandle waits for its pending read before closing: wake it with one byte first.
    if (relayFds.length > 0) await relayFds[0].write(Uint8Array.of(0)).catch(() => {})
    await relayDone
    for (const fd of relayFds) await fd.close().catch(() => {})
    relayFds = []
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const [agwA, kissA, agwB, kissB] = [await freePort(), await freePort(), await freePort(), await freePort()]
    // A's audio goes to a2b, or to a2r for the relay, which writes r2b for B.
    const relay = (o.corrupt ?? 0) > 0
    const aOut = relay ? 'a2r' : 'a2b'
    const bIn = relay ? 'r2b' : 'a2b'
    execFileSync('mkfifo', relay ? ['a2r', 'r2b', 'b2a'] : ['a2b', 'b2a'], { cwd: dir })
    const conf = (file: string, call: string, agw: number, kiss: number): string =>
      `ADEVICE stdin file:FILE=${file}\nARATE 44100\nCHANNEL 0\nMYCALL ${call}\nMODEM ${o.baud}\nTXDELAY ${o.txDelay ?? 30}\nTXTAIL ${o.txTail ?? 10}\nFULLDUP ON\nAGWPORT ${agw}\nKISSPORT ${kiss}\n`
    await writeFile(join(dir, 'A.conf'), conf(aOut, 'N0CALL-1', agwA, kissA))
    await writeFile(join(dir, 'B.conf'), conf('b2a', 'N0CALL-2', agwB, kissB))
    if (relay) {
      // Both ends opened read-write, so neither open blocks (as with <> in the shell).
      const from = await open(join(dir, 'a2r'), 'r+')
      const to = await open(join(dir, 'r2b'), 'r+')
      relayFds = [from, to]
      const random = o.random ?? Math.random
      relayDone = (async () => {
        const buf = Buffer.alloc(4096)
        try {
          for (;;) {
            const { bytesRead } = await from.read(buf, 0, buf.length, null)
            if (bytesRead <= 0 || stopping) return
            const chunk = buf.subarray(0, bytesRead)
            if (random() < (o.corrupt ?? 0)) {
              // Garble a stretch of samples: the frames it falls in fail their CRC at B.
              const at = Math.floor(random() * chunk.length)
              for (let i = at; i < Math.min(chunk.length, at + 600); i++) chunk[i] = Math.floor(random() * 256)
              corrupted++
            }
            await to.write(chunk)
          }
        } catch { /* closed at stop */ }
      })()
    }
    const start = (confName: string, input: string, log: string, extra: string): void => {
      const p = spawn('sh', ['-c', `exec direwolf -c ${confName} -t 0 -q hd ${extra} - <>${input} >${log} 2>&1`], { cwd: dir, stdio: 'ignore' })
      procs.push(p)
    }
    start('A.conf', 'b2a', 'A.log', '')
    start('B.conf', bIn, 'B.log', o.pty === true ? '-p' : '')
    await Promise.all([waitForPort(kissA, 10_000), waitForPort(kissB, 10_000)])
    let ptyB: string | undefined
    if (o.pty === true) {
      const until = Date.now() + 10_000
      while (ptyB === undefined && Date.now() < until) {
        const m = /Virtual KISS TNC is available on (\/dev\/pts\/\d+)/.exec(await readFile(join(dir, 'B.log'), 'utf8').catch(() => ''))
        if (m !== null) ptyB = m[1]
        else await new Promise(resolve => setTimeout(resolve, 100))
      }
      if (ptyB === undefined) throw new Error('Direwolf did not report its pseudo terminal')
    }
    return {
      dir,
      kissA,
      kissB,
      ...(ptyB === undefined ? {} : { ptyB }),
      corrupted: () => corrupted,
      logs: async () => ({ a: await readFile(join(dir, 'A.log'), 'utf8').catch(() => ''), b: await readFile(join(dir, 'B.log'), 'utf8').catch(() => '') }),
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
