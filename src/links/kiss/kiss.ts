/**
 * KISS framing (Chepponis & Karn, "The KISS TNC", 1987; docs/protocol/links.md §7.1): how
 * frames travel between the node and a TNC over TCP or a serial line.
 *
 *   kiss-frame = FEND command *escaped-byte FEND
 *   command    = port (high nibble, 0–15) | code (low nibble: 0 data, 1 TXDELAY, 2 P,
 *                3 SlotTime, 4 TXtail, 5 FullDuplex, 6 SetHardware); 0xFF = return
 *   FEND 0xC0 in the data → FESC TFEND (0xDB 0xDC); FESC 0xDB → FESC TFESC (0xDB 0xDD)
 *
 * The deframer is the node's edge to whatever the serial line or socket carries: it holds
 * at most `maxFrameBytes` unescaped bytes of one frame, drops (and counts) oversize and
 * badly escaped frames, and never throws on input.
 */

export const FEND = 0xc0
export const FESC = 0xdb
export const TFEND = 0xdc
export const TFESC = 0xdd

/** KISS command codes (low nibble of the command byte). */
export const KISS_DATA = 0x00
export const KISS_TXDELAY = 0x01
export const KISS_PERSIST = 0x02
export const KISS_SLOTTIME = 0x03
export const KISS_TXTAIL = 0x04
export const KISS_FULLDUPLEX = 0x05
export const KISS_SETHARDWARE = 0x06

/**
 * Most escaped data bytes Direwolf 1.6 accepts in one KISS frame (its buffer is 2,048 bytes,
 * FEND and command included). Longer frames are cut and transmitted anyway: never send one.
 */
export const KISS_TNC_MAX_ESCAPED_BYTES = 2046

/** Bytes a KISS frame adds around its data, escapes aside: FEND, command, FEND. */
export const KISS_FRAME_OVERHEAD_BYTES = 3

/** Bytes of `data` once escaped (without FENDs and command). */
export function escapedLength (data: Uint8Array): number {
  let n = data.length
  for (let i = 0; i < data.length; i++) if (data[i] === FEND || data[i] === FESC) n++
  return n
}

/** One KISS frame: FEND, command byte (port << 4 | code), escaped data, FEND. */
export function encodeKissFrame (data: Uint8Array, options: { port?: number, command?: number } = {}): Uint8Array {
  const port = options.port ?? 0
  const command = options.command ?? KISS_DATA
  if (!Number.isInteger(port) || port < 0 || port > 15) throw new RangeError('KISS port must be 0–15')
  if (!Number.isInteger(command) || command < 0 || command > 15) throw new RangeError('KISS command must be 0–15')
  const out = new Uint8Array(KISS_FRAME_OVERHEAD_BYTES + escapedLength(data))
  let o = 0
  out[o++] = FEND
  out[o++] = (port << 4) | command
  for (let i = 0; i < data.length; i++) {
    const b = data[i]
    if (b === FEND) { out[o++] = FESC; out[o++] = TFEND } else if (b === FESC) { out[o++] = FESC; out[o++] = TFESC } else out[o++] = b
  }
  out[o++] = FEND
  return out
}

export interface KissFrame {
  /** TNC port (channel), 0–15. */
  port: number
  /** Command code: KISS_DATA for a received frame. */
  command: number
  data: Uint8Array
}

export interface KissDeframerStats {
  frames: number
  /** Frames longer than maxFrameBytes, dropped. */
  oversize: number
  /** Frames with FESC followed by anything but TFEND/TFESC, dropped. */
  badEscape: number
}

/**
 * Streaming KISS decoder. Feed it bytes as they come (split anywhere); it returns the whole
 * frames completed by each chunk. Bytes before the first FEND, empty frames (FEND FEND,
 * used as sync by TNCs) and frames with no command byte are skipped.
 */
export class KissDeframer {
  readonly maxFrameBytes: number
  readonly stats: KissDeframerStats = { frames: 0, oversize: 0, badEscape: 0 }
  /** The command byte and data of the frame being read, unescaped. */
  #buf: Uint8Array
  #len = 0
  #inFrame = false
  #escaped = false
  #discard = false

  /** `maxFrameBytes`: the most data bytes (unescaped, command byte excluded) one frame may hold. */
  constructor (maxFrameBytes: number) {
    if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes < 1) throw new RangeError('maxFrameBytes must be a positive integer')
    this.maxFrameBytes = maxFrameBytes
    this.#buf = new Uint8Array(maxFrameBytes + 1)
  }

  /** Bytes held for the frame being read (never more than maxFrameBytes + 1). */
  get pendingBytes (): number { return this.#len }

  push (chunk: Uint8Array): KissFrame[] {
    const out: KissFrame[] = []
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]
      if (b === FEND) {
        if (this.#inFrame && !this.#discard && !this.#escaped && this.#len >= 1) {
          const cmd = this.#buf[0]
          out.push({ port: cmd >> 4, command: cmd & 0x0f, data: this.#buf.slice(1, this.#len) })
          this.stats.frames++
        } else if (this.#inFrame && this.#escaped && !this.#discard) {
          this.stats.badEscape++
        }
        this.#inFrame = true
        this.#len = 0
        this.#escaped = false
        this.#discard = false
        continue
      }
      if (!this.#inFrame || this.#discard) continue
      let v = b
      if (this.#escaped) {
        this.#escaped = false
        if (b === TFEND) v = FEND
        else if (b === TFESC) v = FESC
        else { this.stats.badEscape++; this.#discard = true; continue }
      } else if (b === FESC) {
        this.#escaped = true
        continue
      }
      if (this.#len > this.maxFrameBytes) { this.stats.oversize++; this.#discard = true; this.#len = 0; continue }
      this.#buf[this.#len++] = v
    }
    return out
  }
}
