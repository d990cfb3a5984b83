/**
 * What operators read: the inbox as pages (list.ts), one message with its delivery matrix
 * and versions (detail.ts), CAP Update/Cancel supersession (supersession.ts).
 *
 * @example
 *   const page = await listMessages(core, parseListQuery({ precedence: 'flash', limit: '20' }))
 *   const more = await listMessages(core, parseListQuery({ precedence: 'flash', limit: '20', cursor: page.next }))
 *   const d = await messageDetail(core, page.messages[0].id) // d.matrix.rows, d.history
 */
export * from './list.js'
export * from './detail.js'
export * from './supersession.js'
