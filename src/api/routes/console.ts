/**
 * The operator console's files (src/console: built at install by scripts/build.js), served
 * without a token — they hold no data; the page asks for the operator's token and sends it
 * on every API call. Everything comes from this node: the Content-Security-Policy allows
 * no other origin for scripts, styles, images or connections.
 */
import { readFile } from 'node:fs/promises'
import { C5Error } from '../../errors.js'
import type { RouteModule } from '../context.js'

/** The built console beside this module: dist/<key>/src/console/assets (src/ under vitest: no app.js unless built). */
const ASSETS = new URL('../../console/assets/', import.meta.url)

const FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/console/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/console/style.css': ['style.css', 'text/css; charset=utf-8']
}

const HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache'
}

export const consoleRoutes: RouteModule = app => {
  const cache = new Map<string, Buffer>()
  for (const [path, [file, type]] of Object.entries(FILES)) {
    app.get(path, { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
      let body = cache.get(file)
      if (body === undefined) {
        try { body = await readFile(new URL(file, ASSETS)) } catch (cause) {
          throw new C5Error('API_NOT_FOUND', `the console is not built here (${file}): run "npm run build"`, { cause })
        }
        cache.set(file, body)
      }
      return await reply.headers({ ...HEADERS, 'content-type': type }).send(body)
    })
  }
}
