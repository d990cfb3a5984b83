import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temp folder; call the returned cleanup in afterEach. */
export async function tempDir (prefix = 'c5mesh-'): Promise<{ path: string, cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: async () => rm(path, { recursive: true, force: true }) }
}
