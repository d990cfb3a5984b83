/**
 * CAP from the command line (docs/protocol/cap.md): `c5mesh send --cap FILE` and
 * `c5mesh show ID --cap`, called from basic.ts. Through the daemon's API when one runs,
 * else on the store directly.
 */
import { readFile } from 'node:fs/promises'
import { C5Error, type ErrorCode } from '../../errors.js'
import { PRECEDENCES } from '../../envelope/types.js'
import { composeFromCap, messageAsCap } from '../../cap/index.js'
import type { CliContext } from '../context.js'
import { cliError } from '../access.js'
import { emit, type Out } from '../output.js'
import { parseChoice, parseScope } from '../parse.js'

export async function sendCap (ctx: CliContext, out: Out, file: string, o: Record<string, any>): Promise<void> {
  const xml = await readFile(file).catch((cause: unknown) => { throw new C5Error('CLI_BAD_ARGUMENT', `--cap: cannot read ${file}: ${(cause as Error).message}`, { cause }) })
  const cfg = await ctx.config()
  const kind = parseChoice('--kind', o.kind ?? 'alert', ['alert', 'bulletin'] as const)
  const scope = parseScope('--scope', o.scope ?? 'national')
  const precedence = o.precedence === undefined ? undefined : parseChoice('--precedence', o.precedence, PRECEDENCES)
  const access = await ctx.access()
  try {
    if (access.mode === 'daemon') {
      const q = new URLSearchParams({ kind, ...(scope.length === 0 ? {} : { scope: scope.join(',') }), ...(precedence === undefined ? {} : { precedence }) })
      let res: Response
      try { res = await fetch(`${access.api!.url}/v1/cap?${q}`, { method: 'POST', body: xml, headers: { ...access.api!.headers, 'content-type': 'application/cap+xml' } }) } catch (cause) { throw new C5Error('API_UNREACHABLE', `the daemon does not answer at ${access.api?.url ?? '?'}`, { cause }) }
      const j = await res.json().catch(() => undefined) as any
      if (!res.ok) throw cliError(j?.code ?? 'API_UNREACHABLE', j?.message ?? `the daemon answered ${res.status}`, j?.field)
      emit(out, { id: j.message.id, omitted: j.omitted, via: 'daemon' }, () => [j.message.id, ...j.omitted.map((x: string) => `  not carried: ${x}`)].join('\n'))
      return
    }
    const operator = await ctx.key('operator')
    const { envelope, omitted } = await composeFromCap(access.core!, new Uint8Array(xml), operator, { org: cfg.org, now: Date.now(), kind, scope, ...(precedence === undefined ? {} : { precedence }) })
    const r = await access.ingest(envelope.bytes)
    if (!r.ok) throw new C5Error(r.code, r.message)
    emit(out, { id: r.message.id, omitted, via: 'local' }, () => [r.message.id, ...omitted.map(x => `  not carried: ${x}`)].join('\n'))
  } finally { await access.close() }
}

/** Prints the message as CAP 1.2 XML (never JSON: the XML is the output). */
export async function showCap (ctx: CliContext, write: (s: string) => void, id: string): Promise<void> {
  const access = await ctx.access()
  try {
    if (access.mode === 'daemon') {
      let res: Response
      try { res = await fetch(`${access.api!.url}/v1/messages/${encodeURIComponent(id)}/cap`, { headers: access.api!.headers }) } catch (cause) { throw new C5Error('API_UNREACHABLE', `the daemon does not answer at ${access.api?.url ?? '?'}`, { cause }) }
      const text = await res.text()
      if (!res.ok) { const j = JSON.parse(text) as { code: ErrorCode, message: string, field?: string }; throw cliError(j.code, j.message, j.field) }
      write(text.trimEnd())
      return
    }
    const xml = await messageAsCap(access.core!, id).catch((err: unknown) => { throw err instanceof C5Error ? cliError(err.code, err.message, err.details?.field as string | undefined) : err })
    write(xml.trimEnd())
  } finally { await access.close() }
}
