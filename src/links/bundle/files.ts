/**
 * Files on a courier's stick: written under a temporary name, fsynced, renamed over the
 * real name, and the folder fsynced — so a full stick, a pulled stick or a power cut leaves
 * either the old file or the new one, never half of one. Reading streams in chunks.
 */
import { createReadStream } from 'node:fs'
import { open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { C5Error } from '../../errors.js'
import { READ_CHUNK_BYTES, TEMP_PREFIX } from './constants.js'

/** The temporary name a file is written under before it is renamed. */
export function tempPathFor (path: string): string {
  return join(dirname(path), `${TEMP_PREFIX}${process.pid}-${basename(path)}`)
}

/** An I/O error as the C5Error a courier can act on. */
export function writeError (err: unknown, path: string): C5Error {
  if (err instanceof C5Error) return err
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    return new C5Error('BUNDLE_NO_SPACE', `no room left on ${dirname(path)} for ${basename(path)} (free some space or use a larger stick); nothing was written, an older copy is unchanged`, { cause: err })
  }
  return new C5Error('BUNDLE_WRITE_FAILED', `could not write ${path} (${code ?? (err as Error)?.message ?? String(err)}); nothing was written, an older copy is unchanged`, { cause: err })
}

export function readError (err: unknown, path: string): C5Error {
  if (err instanceof C5Error) return err
  const code = (err as NodeJS.ErrnoException)?.code
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error)?.message ?? String(err))
  return new C5Error('BUNDLE_UNREADABLE', `cannot read ${path}: ${why}`, { cause: err })
}

/**
 * Writes `body` to `path` atomically; returns the bytes written. Errors from `body` itself
 * (e.g. the export failing) come through as they are, and nothing is left behind.
 */
export async function writeFileAtomic (path: string, body: AsyncIterable<Uint8Array> | Uint8Array): Promise<number> {
  const tmp = tempPathFor(path)
  let fh: Awaited<ReturnType<typeof open>> | undefined
  let bytes = 0
  try {
    fh = await open(tmp, 'w', 0o644)
    const chunks = body instanceof Uint8Array ? [body] : body
    for await (const chunk of chunks) {
      let o = 0
      while (o < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, o, chunk.length - o)
        o += bytesWritten
      }
      bytes += chunk.length
    }
    await fh.sync()
    await fh.close()
    fh = undefined
    await rename(tmp, path)
  } catch (err) {
    await fh?.close().catch(() => {})
    await rm(tmp, { force: true }).catch(() => {})
    throw writeError(err, path)
  }
  await syncFolder(dirname(path))
  return bytes
}

/** fsync of a folder, so the rename itself is durable (some file systems refuse: ignored). */
async function syncFolder (dir: string): Promise<void> {
  let fh
  try {
    fh = await open(dir, 'r')
    await fh.sync()
  } catch {
    // vfat and some FUSE file systems do not fsync folders; the file itself was fsynced.
  } finally {
    await fh?.close().catch(() => {})
  }
}

/** A file as chunks (errors as BUNDLE_UNREADABLE), and its size. */
export async function fileSource (path: string): Promise<{ size: number, chunks: AsyncIterable<Uint8Array> }> {
  let size: number
  try {
    const s = await stat(path)
    if (!s.isFile()) throw Object.assign(new Error('not a file'), { code: s.isDirectory() ? 'EISDIR' : 'ENOTFILE' })
    size = s.size
  } catch (err) {
    throw readError(err, path)
  }
  async function * chunks (): AsyncGenerator<Uint8Array> {
    const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })
    try {
      for await (const c of stream) yield c as Buffer
    } catch (err) {
      throw readError(err, path)
    } finally {
      stream.destroy()
    }
  }
  return { size, chunks: chunks() }
}

/** Reads a whole small file (a manifest), refusing one larger than `maxBytes`. */
export async function readSmallFile (path: string, maxBytes: number): Promise<Uint8Array> {
  const { size, chunks } = await fileSource(path)
  if (size > maxBytes) throw new C5Error('BUNDLE_CORRUPT', `${path} is ${size} bytes, larger than any manifest (${maxBytes})`)
  const parts: Uint8Array[] = []
  let n = 0
  for await (const c of chunks) {
    n += c.length
    if (n > maxBytes) throw new C5Error('BUNDLE_CORRUPT', `${path} grew past ${maxBytes} bytes while being read`)
    parts.push(c)
  }
  return new Uint8Array(Buffer.concat(parts))
}
