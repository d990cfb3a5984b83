/**
 * CAP 1.2 in and out (docs/protocol/cap.md): CAP 1.2 and 1.1 documents are parsed safely
 * (xml.ts: no DOCTYPE, no entity expansion), validated with errors naming the element
 * (model.ts), mapped onto an alert envelope (import.ts) and exported back as CAP 1.2 that
 * validates against the OASIS schema (export.ts); service.ts adds references, the stored
 * message export and the Atom feed. XML signatures are not checked: the envelope's Ed25519
 * signature is what the mesh trusts.
 *
 * @example
 * const { envelope } = await composeFromCap(core, xml, operator, { org: 'MX-CMX', now })
 * await core.ingest.ingest(envelope.bytes, 'local')
 * const xmlOut = await messageAsCap(core, envelope.id)
 */
export * from './constants.js'
export { parseXml, decodeEntities, type XmlElement } from './xml.js'
export { readCapAlert, CAP_TIME_PATTERN, type CapAlert, type CapInfo, type CapArea, type CapPair, type CapResource } from './model.js'
export { importCap, CAP_DEFAULT_TTL_S, type CapImport } from './import.js'
export { exportCap, capTime, capIdentity, escapeXml, type CapRef } from './export.js'
export { composeFromCap, messageAsCap, capFeed, resolveCapReferences, type SendCapOptions } from './service.js'
