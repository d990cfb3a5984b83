/**
 * Airtime of a frame on an AX.25/HDLC modem (docs/protocol/links.md §7.3): how long the
 * TNC keeps the transmitter keyed for one frame, so that the node can pace its writes
 * itself (KISS says nothing back when a frame has gone out, and Direwolf queues without
 * limit). The same model serves the in-memory channel, so simulated and real airtime agree.
 *
 * One key-up carrying one frame = TXDELAY (flags) + opening flag + the frame and its
 * 16-bit FCS, bit-stuffed (a 0 after every five 1s) + closing flag + TXTAIL. This is the
 * bit count Direwolf itself waits for (xmit.c), so the estimate is exact for it.
 */

/** Bits of the opening and closing HDLC flags (0x7E each). */
export const HDLC_FLAG_BITS = 16
/** Bytes of the frame check sequence the TNC appends (CRC-16/X.25). */
export const FCS_BYTES = 2

/** CRC-16/X.25 (the AX.25 FCS): reflected poly 0x8408, init 0xFFFF, final XOR 0xFFFF. */
export function fcs16 (data: Uint8Array): number {
  let crc = 0xffff
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i]
    for (let b = 0; b < 8; b++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
  }
  return (crc ^ 0xffff) & 0xffff
}

/** Bits the HDLC encoder sends for these bytes (LSB first), stuffing included. */
function stuffedBits (bytes: Uint8Array, ones: { run: number }): number {
  let bits = 0
  for (let i = 0; i < bytes.length; i++) {
    let v = bytes[i]
    for (let b = 0; b < 8; b++, v >>= 1) {
      bits++
      if ((v & 1) !== 0) {
        if (++ones.run === 5) { bits++; ones.run = 0 }
      } else {
        ones.run = 0
      }
    }
  }
  return bits
}

/** Bits one frame occupies on the air: flags, bit-stuffed frame and FCS. */
export function hdlcFrameBits (frame: Uint8Array): number {
  const crc = fcs16(frame)
  const ones = { run: 0 }
  return HDLC_FLAG_BITS + stuffedBits(frame, ones) + stuffedBits(Uint8Array.of(crc & 0xff, crc >> 8), ones)
}

export interface KeyingTimes {
  /** Bits per second on the air (1200 AFSK, 9600 G3RUH, …). */
  bitRate: number
  /** Carrier before the first frame of a key-up, ms (KISS TXDELAY × 10). */
  txDelayMs: number
  /** Carrier after the last frame, ms (TXTAIL). */
  txTailMs: number
}

/** Milliseconds a key-up carrying this one frame lasts. */
export function frameAirtimeMs (frame: Uint8Array, t: KeyingTimes): number {
  return t.txDelayMs + (hdlcFrameBits(frame) * 1000) / t.bitRate + t.txTailMs
}
