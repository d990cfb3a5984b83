/**
 * Roster: the national trust list (docs/protocol/roster.md). A signed, versioned document
 * naming each member key with its role, org, what it may issue and its validity; accepted
 * when k distinct trust anchors (root keys from config) have signed it; replaced only by a
 * higher version. Revocations from rosters and revocation envelopes merge and only tighten.
 * Everything here is pure: bytes and values in, values or a C5Error (ROSTER_*) out.
 *
 * @example
 * const state = createRosterState({ anchors: { keys: [root.publicKey], threshold: 1 } })
 * state.apply(createDevRoster({ rootKeyPair: root, nodeKey, operatorKey, org: 'MX-YUC', now }))
 * state.isNodeAllowed(peerKey, now)               // the connection gater's question
 * checkAuthority(state, envelope, authorKey)      // throws ROSTER_* or returns { via, member }
 */
export * from './constants.js'
export * from './types.js'
export { encodeRosterDocument, decodeRosterDocument } from './document.js'
export {
  encodeSignedRoster, decodeSignedRoster, signRoster, verifySignedRoster, rosterSigningPayload,
  checkAnchors, validAnchorSigners, rosterSignatureStatus, type RosterSignatureStatus
} from './signed.js'
export { createRevocationSet, type RevocationSet } from './revocations.js'
export {
  checkAuthority, checkMember, checkPermission, checkRevocationTarget, authorityPath,
  ROLE_KINDS, DEFAULT_ROLE_KINDS, IMPLICIT_KINDS, type AuthorityGrant, type RosterView
} from './authority.js'
export { createRosterState, type RosterState, type RosterStateOptions, type RosterSnapshot, type RosterChange, type PreparedChange } from './state.js'
export { encodeRosterSnapshot, decodeRosterSnapshot } from './snapshot.js'
export { addMember, removeMember, addRevocationToDocument, nextVersion, createDevRoster, checkRevocation, type DevRosterOptions } from './edit.js'
export { rosterDocumentToJSON, rosterDocumentFromJSON, type RosterDocumentJSON, type RosterMemberJSON } from './json.js'
