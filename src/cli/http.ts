/**
 * The CLI's HTTP client for the daemon's API: node:http, not fetch (fetch loads undici on
 * first use, ~20 ms of every command's start; the CLI's budget is 250 ms in all).
 */
import { request, type IncomingMessage } from 'node:http'
import { C5Error } from '../errors.js'

export interface HttpReply { status: number, body: unknown, raw: IncomingMessage }

export interface HttpRequest {
  method: string
  path: string
  headers?: Record<string, string>
  body?: Uint8Array | string
  timeoutMs?: number
  /** Resolve as soon as the headers arrive, leaving the body to the caller (streams). */
  stream?: boolean
}

/** One request; rejects with API_UNREACHABLE when nothing answers (refused, reset, timeout). */
export async function httpCall (base: string, r: HttpRequest): Promise<HttpReply> {
  const url = new URL(r.path, base)
  return await new Promise<HttpReply>((resolve, reject) => {
    const req = request(url, {
      method: r.method,
      headers: { accept: 'application/json', ...r.headers, ...(r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) }) },
      ...(r.timeoutMs === undefined ? {} : { timeout: r.timeoutMs })
    }, res => {
      if (r.stream === true) { resolve({ status: res.statusCode ?? 0, body: undefined, raw: res }); return }
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', err => { reject(new C5Error('API_UNREACHABLE', `the daemon's answer was cut: ${err.message}`, { cause: err })) })
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try { body = text === '' ? undefined : JSON.parse(text) } catch { body = undefined }
        resolve({ status: res.statusCode ?? 0, body, raw: res })
      })
    })
    req.on('timeout', () => { req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)) })
    req.on('error', err => { reject(new C5Error('API_UNREACHABLE', `the daemon does not answer at ${base}: ${err.message}`, { cause: err })) })
    req.end(r.body)
  })
}
