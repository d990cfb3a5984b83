/**
 * Saving a bundle to a file: its bytes are written atomically (files.ts) and read back as
 * they pass by the bundle reader, so the file is renamed into place only once it is known
 * to be whole and signed (a daemon that died mid-export leaves nothing on the stick).
 */
import { PassThrough } from 'node:stream'
import { basename } from 'node:path'
import { C5Error } from '../../errors.js'
import { writeFileAtomic } from './files.js'
import { openBundle } from './reader.js'

export interface SavedBundle { bytes: number, records: number, id: string }

export async function saveBundle (body: AsyncIterable<Uint8Array>, path: string, onRecord?: (records: number) => void): Promise<SavedBundle> {
  const feed = new PassThrough({ highWaterMark: 1024 * 1024 })
  let records = 0
  const checked = (async () => {
    const reader = await openBundle(feed, { name: basename(path) })
    for await (const ev of reader.events()) {
      if (ev.type === 'record') { records++; onRecord?.(records) }
    }
    const end = reader.end()
    if (!end.intact || !reader.headerSignatureValid) throw new C5Error('BUNDLE_CORRUPT', `the bundle for ${path} came out damaged (${end.problem ?? 'bad header signature'}): not written`)
    return reader.header.id
  })()
  // Once the check has failed, nobody reads the feed: stop waiting for it.
  let failed: unknown
  checked.catch(err => { failed = err; feed.destroy() })
  async function * tee (): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      if (failed !== undefined) throw failed
      yield chunk
      if (!feed.write(chunk)) {
        await new Promise<void>(resolve => {
          const go = (): void => { feed.off('drain', go); feed.off('close', go); resolve() }
          feed.once('drain', go)
          feed.once('close', go)
        })
      }
    }
    feed.end()
    await checked.catch(() => {})
    if (failed !== undefined) throw failed
  }
  const bytes = await writeFileAtomic(path, tee()).finally(() => { feed.destroy() })
  return { bytes, records, id: await checked }
}
