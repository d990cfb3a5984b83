/**
 * A Link over one libp2p v3 stream (docs/protocol/links.md §3). Framing: an unsigned varint
 * length, then the frame, repeated. v3 streams are event targets: bytes arrive as 'message'
 * events, `send()` returns false when the muxer's buffer is full (then wait for drain).
 *
 * Memory per link is bounded on the read side by the frame queue (STREAM_QUEUE_FRAMES
 * largest frames): when it fills, the stream is paused, Yamux stops granting window, and
 * the remote's sends block — the backpressure reaches the remote sender.
 *
 * Pausing must never happen inside the dispatch that `stream.resume()` performs: resume()
 * dispatches the bytes buffered while paused and only then re-arms Yamux's window
 * (`sendResume`), so a pause from inside that dispatch is silently undone at the muxer — the
 * stream reads as paused, Yamux keeps granting window, the read buffer grows to libp2p's
 * 4 MiB limit and the stream is aborted (StreamBufferError). #resume therefore re-pauses
 * after resume() returns, when the dispatch filled the queue again.
 */
import type { Connection, Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { C5Error } from '../../errors.js'
import { rawKeyOfPeer } from '../../identity/index.js'
import { DEFAULT_MAX_FRAME_BYTES, type Link } from '../types.js'
import { FrameQueue, FRAME_OVERHEAD_BYTES } from '../frame-queue.js'
import { FrameDecoder } from './frame-decoder.js'
import { encodeVarint } from './varint.js'

/** Bytes of frames a link holds before send() waits for them to be written. */
export const CORK_MAX_BYTES = 64 * 1024
import { STREAM_QUEUE_FRAMES } from './constants.js'

export interface StreamLinkOptions {
  /** Largest frame either way (default DEFAULT_MAX_FRAME_BYTES). Both ends must agree. */
  maxFrameBytes?: number
  /** Bytes of decoded frames buffered for the reader before the stream is paused. */
  queueBytes?: number
}

export function streamLink (stream: Stream, connection: Connection, options: StreamLinkOptions = {}): Link {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes <= 0) {
    throw new C5Error('LINK_BAD_ARGUMENT', `maxFrameBytes must be a positive integer, got ${String(maxFrameBytes)}`)
  }
  const queueBytes = options.queueBytes ?? STREAM_QUEUE_FRAMES * (maxFrameBytes + FRAME_OVERHEAD_BYTES)
  if (!Number.isSafeInteger(queueBytes) || queueBytes < maxFrameBytes + FRAME_OVERHEAD_BYTES) {
    throw new C5Error('LINK_BAD_ARGUMENT', `queueBytes must hold one largest frame: at least ${maxFrameBytes + FRAME_OVERHEAD_BYTES}`)
  }
  return new StreamLink(stream, connection, maxFrameBytes, queueBytes)
}

class StreamLink implements Link {
  readonly remote: string
  readonly remoteKey?: Uint8Array
  readonly maxFrameBytes: number
  readonly #stream: Stream
  readonly #queue: FrameQueue
  readonly #decoder: FrameDecoder
  #closed = false
  #paused = false
  /** True while stream.resume() runs (it dispatches synchronously into #onMessage). */
  #resuming = false
  /** Writes run one at a time, so frames keep their order and at most one waits on drain. */
  #writeLock: Promise<void> = Promise.resolve()
  /** Frames accepted by send() and not yet written (see #scheduleFlush). */
  #cork: Uint8Array[] = []
  #corkBytes = 0
  #flushScheduled = false

  constructor (stream: Stream, connection: Connection, maxFrameBytes: number, queueBytes: number) {
    this.remote = connection.remotePeer.toString()
    const key = rawKeyOfPeer(connection.remotePeer)
    if (key !== undefined) this.remoteKey = key
    this.maxFrameBytes = maxFrameBytes
    this.#stream = stream
    this.#decoder = new FrameDecoder(maxFrameBytes)
    this.#queue = new FrameQueue({ capacityBytes: queueBytes, onLowWater: () => { this.#resume() } })
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('end', this.#onEnd)
    stream.addEventListener('close', this.#onClose)
    if (stream.status !== 'open') this.#onClose(new Event('close') as StreamCloseEvent)
  }

  get closed (): boolean { return this.#closed }

  async send (frame: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!(frame instanceof Uint8Array)) throw new C5Error('LINK_BAD_ARGUMENT', 'a frame is a Uint8Array')
    if (frame.byteLength > this.maxFrameBytes) {
      throw new C5Error('LINK_FRAME_TOO_LARGE', `frame of ${frame.byteLength} bytes exceeds ${this.maxFrameBytes}`, { details: { bytes: frame.byteLength, maxFrameBytes: this.maxFrameBytes } })
    }
    this.#assertOpen()
    // Copy now: the caller may reuse its buffer as soon as send() is called.
    const prefix = encodeVarint(frame.byteLength)
    const wire = new Uint8Array(prefix.byteLength + frame.byteLength)
    wire.set(prefix, 0)
    wire.set(frame, prefix.byteLength)
    // Backpressure: while the cork holds a full batch, wait for it to be written.
    while (this.#corkBytes >= CORK_MAX_BYTES) {
      options.signal?.throwIfAborted()
      await this.#writeLock
      this.#assertOpen()
    }
    options.signal?.throwIfAborted()
    this.#cork.push(wire)
    this.#corkBytes += wire.byteLength
    this.#scheduleFlush()
  }

  /**
   * Frames sent in the same turn of the event loop leave as ONE stream write (one muxer frame,
   * one encryption, one socket write): under load a session sends bursts of small MSG frames,
   * and the per-write cost of the stack — not the bytes — is what saturates a node. A lone
   * frame waits one setImmediate. Writes stay in order: each flush chains on the last.
   */
  #scheduleFlush (): void {
    if (this.#flushScheduled) return
    this.#flushScheduled = true
    const previous = this.#writeLock
    this.#writeLock = (async () => {
      await previous
      await new Promise<void>(resolve => setImmediate(resolve))
      this.#flushScheduled = false
      const parts = this.#cork
      const bytes = this.#corkBytes
      this.#cork = []
      this.#corkBytes = 0
      if (parts.length === 0) return
      let wire = parts[0]
      if (parts.length > 1) {
        wire = new Uint8Array(bytes)
        let o = 0
        for (const p of parts) { wire.set(p, o); o += p.byteLength }
      }
      try {
        await this.#write(wire, undefined)
      } catch (cause) {
        // send() already returned for these frames: the link fails, and both ends see it.
        const err = cause instanceof C5Error ? cause : new C5Error('LINK_CLOSED', 'stream closed while sending', { cause })
        this.#fail(err)
      }
    })()
  }

  /** Writes accepted frames: they still go out after close() (a graceful close flushes them). */
  async #write (wire: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    try {
      while (this.#stream.writableNeedsDrain) {
        this.#assertWritable()
        await waitForDrain(this.#stream, signal)
      }
      this.#assertWritable()
      this.#stream.send(wire)
    } catch (cause) {
      if (signal?.aborted === true && cause === signal.reason) throw cause
      if (cause instanceof C5Error) throw cause
      throw new C5Error('LINK_CLOSED', 'stream closed while sending', { cause })
    }
  }

  frames (): AsyncIterable<Uint8Array> {
    return this.#queue.frames()
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#closeWrite()
  }

  abort (reason?: Error): void {
    const err = reason ?? new Error('link aborted')
    this.#fail(new C5Error('LINK_ABORTED', err.message, { cause: err }))
    if (this.#stream.status === 'open' || this.#stream.status === 'closing') this.#stream.abort(err)
  }

  #assertWritable (): void {
    if (this.#stream.writeStatus !== 'writable') throw new C5Error('LINK_CLOSED', 'link is closed')
  }

  #assertOpen (): void {
    if (this.#closed || this.#stream.writeStatus !== 'writable') throw new C5Error('LINK_CLOSED', 'link is closed')
  }

  /** Flushes what was sent, then FIN; the remote ends its reader and closes back. */
  async #closeWrite (): Promise<void> {
    try {
      await this.#writeLock
      await this.#stream.close()
    } catch (cause) {
      // If the remote already ended cleanly, every frame it sent is queued: keep them.
      if (this.#queue.finished) this.#closed = true
      else this.#fail(new C5Error('LINK_ABORTED', 'stream failed while closing', { cause }))
    }
  }

  #fail (err: C5Error): void {
    this.#closed = true
    this.#queue.fail(err)
    this.#detach()
  }

  #resume (): void {
    if (!this.#paused || this.#resuming) return
    this.#paused = false
    if (this.#stream.readStatus !== 'paused') return
    this.#resuming = true
    try {
      this.#stream.resume()
    } finally {
      this.#resuming = false
    }
    // The dispatch inside resume() may have filled the queue again: pause now, after
    // resume() has re-armed the window, so the muxer really stops granting it.
    this.#pauseIfFull()
  }

  #pauseIfFull (): void {
    if (this.#paused || this.#resuming || this.#queue.finished) return
    if (this.#queue.queuedBytes < this.#queue.capacityBytes) return
    const status = this.#stream.readStatus
    if (status !== 'readable' && status !== 'paused') return
    this.#paused = true
    this.#stream.pause()
  }

  #detach (): void {
    this.#stream.removeEventListener('message', this.#onMessage)
    this.#stream.removeEventListener('end', this.#onEnd)
    this.#stream.removeEventListener('close', this.#onClose)
  }

  readonly #onMessage = (evt: StreamMessageEvent): void => {
    if (this.#queue.finished) return
    const data = evt.data
    try {
      const push = (frame: Uint8Array): void => { this.#queue.push(frame) }
      if (data instanceof Uint8Array) this.#decoder.push(data, push)
      else for (const chunk of data) this.#decoder.push(chunk, push)
    } catch (err) {
      // An oversize prefix: refuse before allocating, and tear the stream down (types.ts).
      const e = err instanceof C5Error ? err : new C5Error('LINK_ABORTED', 'bad frame', { cause: err })
      this.#fail(e)
      this.#stream.abort(e)
      return
    }
    this.#pauseIfFull()
  }

  /** The remote closed its write side and every byte it sent has been dispatched to us. */
  readonly #onEnd = (): void => {
    if (this.#queue.finished) return
    // A remote reset also ends the readable side ('end' comes before the reset's 'close').
    if (this.#stream.status === 'reset' || this.#stream.status === 'aborted') {
      // 'reset' is the remote's doing; 'aborted' is ours (e.g. libp2p's read-buffer limit).
      const who = this.#stream.status === 'reset' ? 'reset by the remote' : 'aborted locally'
      this.#fail(new C5Error('LINK_ABORTED', `stream ${who}`))
      return
    }
    if (this.#decoder.partial) {
      this.#fail(new C5Error('LINK_ABORTED', 'stream ended inside a frame'))
      this.#stream.abort(new Error('truncated frame'))
      return
    }
    this.#queue.end()
    this.#detach()
    // Both sides see the end (types.ts): close our side too, once our sends are flushed.
    if (!this.#closed) {
      this.#closed = true
      void this.#closeWrite()
    }
  }

  readonly #onClose = (evt: StreamCloseEvent): void => {
    if (this.#queue.finished) return
    if (evt.error !== undefined) {
      this.#fail(new C5Error('LINK_ABORTED', `stream aborted: ${evt.error.message}`, { cause: evt.error }))
      return
    }
    this.#closed = true
    // A clean close with bytes still buffered (we were paused): 'end' follows once they are read.
    if (this.#stream.readBufferLength === 0) this.#onEnd()
  }
}

/**
 * Waits for the stream's next 'drain' event. Not `stream.onDrain()`: in @libp2p/utils 7.4.1
 * its promise is never reset after the first drain, so it resolves at once while the stream
 * still needs draining, and a loop around it spins without yielding to I/O.
 */
async function waitForDrain (stream: Stream, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (evt: StreamCloseEvent): void => { cleanup(); reject(evt.error ?? new Error('stream closed')) }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}
