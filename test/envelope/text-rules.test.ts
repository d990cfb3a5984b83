/**
 * Text rules (docs/protocol/envelope.md §"Text rules"): what reaches every state's
 * operators is plain text. Refused when composed and at every node's ingest — while what
 * the store already holds, and the golden vectors, still decode.
 */
import { describe, it, expect, afterEach } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import { composeEnvelope, decodeEnvelope, signEnvelope, MAX_HEADLINE_BYTES } from '../../src/envelope/index.js'
import { keyId } from '../../src/identity/index.js'
import { isC5Error } from '../../src/errors.js'
import { openNodeCore, type NodeCore } from '../../src/node/core.js'
import type { Content } from '../../src/envelope/types.js'
import { createTestWorld } from '../helpers/world.js'
import { tempDir } from '../helpers/tmp.js'

const T0 = 1_780_000_000_000
const world = createTestWorld(['MX-YUC'], T0)
const op = world.members[0].operator

const compose = (content: Partial<Content>, extra: Record<string, unknown> = {}) =>
  composeEnvelope({ kind: 'alert', org: 'MX-YUC', content: { msgType: 'Alert', headline: 'Robo de vehículo', ...content }, ...extra } as any, op, { now: T0 })

function refusal (f: () => unknown): { code: string, field: unknown, message: string } {
  try { f() } catch (err) {
    if (isC5Error(err)) return { code: err.code, field: err.details?.field, message: err.message }
    throw err
  }
  throw new Error('not refused')
}

/** The same fields signed without composeEnvelope's check: what a modified or older node sends. */
function signedRaw (content: Content): Uint8Array {
  return signEnvelope({ version: 1, kind: 'alert', author: keyId(op.publicKey), org: 'MX-YUC', created: T0, expires: T0 + 3_600_000, precedence: 'flash', scope: [], references: [], content }, op.privateKey).bytes
}

describe('text rules at compose', () => {
  it('refuses control characters and line breaks in one-line fields, naming the field and the character', () => {
    expect(refusal(() => compose({ headline: 'x\u001b[31mRED' }))).toMatchObject({ code: 'ENVELOPE_BAD_FIELD', field: 'content.headline', message: expect.stringContaining('U+001B at character 2') })
    expect(refusal(() => compose({ headline: 'uno\ndos' })).field).toBe('content.headline')
    expect(refusal(() => compose({ event: 'Robo\u0007' })).field).toBe('content.event')
    expect(refusal(() => compose({ parameters: [{ name: 'placa', value: 'YUC\u009b2J' }] })).field).toBe('content.parameters[0].value')
    expect(refusal(() => compose({ parameters: [{ name: 'pla\rca', value: 'x' }] })).field).toBe('content.parameters[0].name')
    expect(refusal(() => compose({ area: { description: 'Mérida\u2028centro' } })).field).toBe('content.area.description')
    expect(refusal(() => composeEnvelope({ kind: 'ack', org: 'MX-YUC', references: [new Uint8Array(32)], note: 'ok\u001b]0;pwned\u0007' }, op, { now: T0 })).field).toBe('note')
  })

  it('lets multi-line fields keep tabs and line breaks, but not other controls or bidi overrides', () => {
    const env = compose({ description: 'Sedán gris\r\n\tplaca YUC-123-A', instruction: 'Detener\ny reportar' })
    expect(decodeEnvelope(env.bytes).content?.description).toBe('Sedán gris\r\n\tplaca YUC-123-A')
    expect(refusal(() => compose({ description: 'a\u001b[2Jb' })).field).toBe('content.description')
    expect(refusal(() => compose({ instruction: 'abc\u202edcba' })).field).toBe('content.instruction')
  })

  it('refuses a blank headline and one longer than MAX_HEADLINE_BYTES (not 16 KiB)', () => {
    expect(refusal(() => compose({ headline: '' }))).toMatchObject({ code: 'ENVELOPE_BAD_FIELD', field: 'content.headline' })
    expect(refusal(() => compose({ headline: '   ' })).field).toBe('content.headline')
    expect(MAX_HEADLINE_BYTES).toBeLessThan(1024)
    compose({ headline: 'é'.repeat(MAX_HEADLINE_BYTES / 2) }) // exactly the limit, in 2-byte characters
    expect(refusal(() => compose({ headline: 'é'.repeat(MAX_HEADLINE_BYTES / 2) + 'x' }))).toMatchObject({ code: 'ENVELOPE_LIMIT_EXCEEDED', field: 'content.headline' })
  })

  it('for any headline: either refused with a code, or what is signed has no control character', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), headline => {
      let env
      try { env = compose({ headline }) } catch (err) {
        expect(isC5Error(err) && ['ENVELOPE_BAD_FIELD', 'ENVELOPE_LIMIT_EXCEEDED'].includes(err.code)).toBe(true)
        return
      }
      expect(env.content?.headline).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/)
    }), { numRuns: 300 })
  })
})

describe('text rules at ingest', () => {
  let core: NodeCore | undefined
  let cleanup: (() => Promise<void>) | undefined
  afterEach(async () => { await core?.close(); await cleanup?.() })

  it('a validly signed message breaking a rule (sent by a modified or older node) is refused at ingest, and counted', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => T0 } })
    expect((await core.ingest.ingest(world.rosterEnvelope.bytes, 'local')).ok).toBe(true)
    const bad = signedRaw({ msgType: 'Alert', headline: 'x\u001b[31mRED\nforged inbox line' })
    expect(decodeEnvelope(bad).content?.headline).toContain('\u001b') // the wire format is unchanged: it decodes
    const r = await core.ingest.ingest(bad, 'peer:old')
    expect(r).toMatchObject({ ok: false, code: 'ENVELOPE_BAD_FIELD' })
    expect(core.ingest.stats().byCode.ENVELOPE_BAD_FIELD).toBe(1)
    expect((await core.ingest.ingest(signedRaw({ msgType: 'Alert', headline: 'Robo' }), 'peer:old')).ok).toBe(true)
  })

  it('a message stored under the earlier rules still reads from the store', async () => {
    const dir = await tempDir()
    cleanup = dir.cleanup
    core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => T0 } })
    const old = decodeEnvelope(signedRaw({ msgType: 'Alert', headline: 'antes\u001b[0m' }))
    await core.store.put(old, { received: T0, source: 'local' }, { sync: true })
    await core.close()
    core = await openNodeCore({ storePath: join(dir.path, 'db'), anchors: world.anchors, clock: { now: () => T0 } })
    expect((await core.store.get(old.id))?.envelope.content?.headline).toBe('antes\u001b[0m')
  })
})
