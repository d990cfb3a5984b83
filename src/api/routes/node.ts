/** The node: status, peers and links, roster, recent refusals, and who the caller is. */
import { precedenceRank } from '../../envelope/types.js'
import { toHex } from '../../identity/keys.js'
import { rosterView, status } from '../../node/service.js'
import { memberView } from '../../node/views.js'
import { operatorOf, type RouteModule } from '../context.js'
import { radioPeerRows } from '../radio.js'

export const nodeRoutes: RouteModule = (app, ctx) => {
  const { core, mesh } = ctx

  app.get('/v1/status', { schema: { summary: 'Node, store (and any write fault), roster, ingest counters, peers', tags: ['node'] } }, async () => {
    const peers = mesh === undefined ? undefined : await mesh.peers()
    return status(core, {
      running: true,
      org: ctx.org,
      ...ctx.info(),
      ready: ctx.ready(),
      ...(mesh === undefined ? {} : { peerId: mesh.peerId, addrs: mesh.addrs(), peers: peers!.filter(p => p.state === 'connected').map(p => p.peerId), sessions: mesh.sessionCount() })
    })
  })

  app.get('/v1/peers', { schema: { summary: 'Roster peers with their connection and sync state (the links), and radio neighbours', tags: ['node'] } }, async () => [...(mesh === undefined ? [] : await mesh.peers()), ...radioPeerRows(ctx.radio())])

  app.get('/v1/radio', { schema: { summary: 'The radio links: modem, neighbours, airtime', tags: ['node'] } }, async () => ctx.radio())

  app.get('/v1/roster', { schema: { summary: 'The roster in force', tags: ['node'] } }, async () => rosterView(core))

  app.get('/v1/rejections', { schema: { summary: 'The last messages refused, with their codes', tags: ['node'] } }, async () => core.ingest.recentRejections())

  app.get('/v1/me', { schema: { summary: 'The caller: operator name, key, org, and what the roster lets them issue', tags: ['node'] } }, async req => {
    const op = operatorOf(req)
    const member = core.roster.state.member(op.key.publicKey)
    const revoked = member === undefined ? undefined : core.roster.state.revokedAt(member.key)
    return {
      name: op.name,
      key: toHex(op.key.publicKey),
      org: ctx.org,
      onRoster: member !== undefined && member.role !== 'node',
      ...(member === undefined ? {} : { member: memberView(member, revoked) }),
      // The precedences the console offers: the roster's maxPrecedence and below.
      precedences: member === undefined ? [] : (['flash', 'immediate', 'priority', 'routine'] as const).filter(p => precedenceRank(p) >= precedenceRank(member.mayIssue.maxPrecedence))
    }
  })
}
