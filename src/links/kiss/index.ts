/**
 * KISS TNCs (docs/protocol/links.md §7.1, §7.3, §7.10): a software modem such as Direwolf on
 * its KISS TCP port, or a hardware TNC or radio modem on a serial line (`serialport`), as a
 * RadioPort for the radio link layer (src/links/radio). Writes are paced on each frame's
 * airtime from the configured bit rate and key-up times; the connection is reopened with a
 * backoff when it drops.
 *
 * @example
 * const port = openKissTcp({ host: '127.0.0.1', port: 8001, bitRate: 1200 })
 * await port.ready                      // RADIO_TNC_UNREACHABLE if the TNC is not there
 * const station = createRadioStation({ port, nodeKey, stationId: 'C5-YUC', … })
 *
 * const usb = openKissSerial({ path: '/dev/ttyUSB0', baudRate: 9600, bitRate: 1200 })
 */
import { connect as netConnect } from 'node:net'
import { createKissPort, type ByteStream, type KissPort, type KissPortOptions } from './port.js'

export { createKissPort, KISS_MAX_FRAME_BYTES, type KissPort, type KissPortOptions, type KissPortStats, type ByteStream } from './port.js'
export { encodeKissFrame, KissDeframer, escapedLength, KISS_TNC_MAX_ESCAPED_BYTES } from './kiss.js'
export { frameAirtimeMs, hdlcFrameBits, fcs16, type KeyingTimes } from './airtime.js'

/** Gives up a TCP connect after this long. */
export const KISS_CONNECT_TIMEOUT_MS = 5_000

type Common = Omit<KissPortOptions, 'label' | 'connect'>

/** A TNC's KISS TCP port (Direwolf: KISSPORT, default 8001). */
export function openKissTcp (o: Common & { host: string, port: number }): KissPort {
  return createKissPort({
    ...o,
    label: `kiss-tcp:${o.host}:${o.port}`,
    connect: async () => await new Promise<ByteStream>((resolve, reject) => {
      const s = netConnect({ host: o.host, port: o.port })
      s.setNoDelay(true)
      const timer = setTimeout(() => { s.destroy(new Error('connect timed out')) }, KISS_CONNECT_TIMEOUT_MS)
      s.once('error', err => { clearTimeout(timer); reject(err) })
      s.once('connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        let closed = false
        let onClose: (err?: Error) => void = () => {}
        let lastError: Error | undefined
        s.on('error', err => { lastError = err })
        s.on('close', () => { if (!closed) { closed = true; onClose(lastError) } })
        resolve({
          write: bytes => { s.write(bytes) },
          onData: fn => { s.on('data', (chunk: Buffer) => { fn(chunk) }) },
          onClose: fn => { onClose = fn },
          close: () => { closed = true; s.destroy() }
        })
      })
    })
  })
}

/** A TNC on a serial line (USB), at `baudRate` bits per second on the line (not the air). */
export function openKissSerial (o: Common & { path: string, baudRate: number }): KissPort {
  return createKissPort({
    ...o,
    label: `kiss-serial:${o.path}`,
    connect: async () => {
      // Loaded only when a serial TNC is configured (a native binding).
      const { SerialPort } = await import('serialport')
      return await new Promise<ByteStream>((resolve, reject) => {
        const sp = new SerialPort({ path: o.path, baudRate: o.baudRate, autoOpen: false })
        sp.open(err => {
          if (err !== null && err !== undefined) { reject(err); return }
          let closed = false
          let onClose: (err?: Error) => void = () => {}
          sp.on('close', (e?: Error) => { if (!closed) { closed = true; onClose(e ?? undefined) } })
          sp.on('error', () => {})
          resolve({
            write: bytes => { sp.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) },
            onData: fn => { sp.on('data', (chunk: Buffer) => { fn(chunk) }) },
            onClose: fn => { onClose = fn },
            close: () => { closed = true; if (sp.isOpen) sp.close(() => {}) }
          })
        })
      })
    }
  })
}
