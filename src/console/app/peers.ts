/** Peers and links (the roster's nodes with their connection and sync state, radio neighbours) and the node's status. */
import { api } from './api.js'
import { el, main, time } from './dom.js'
import { t, word } from './i18n.js'
import { state } from './state.js'

const sum = (r: Record<string, number> | undefined): number => Object.values(r ?? {}).reduce((a, b) => a + b, 0)

export async function renderPeers (): Promise<void> {
  const peers = await api<any[]>('GET', '/v1/peers')
  if (location.hash !== '#/peers') return
  const s = state.status ?? {}
  main().replaceChildren(
    el('h1', {}, t('peers')),
    el('h2', {}, t('status')),
    el('dl', { class: 'fields', id: 'status' },
      el('dt', {}, t('org')), el('dd', {}, s.org ?? ''),
      el('dt', {}, t('node')), el('dd', { class: 'mono' }, s.peerId ?? s.node ?? ''),
      el('dt', {}, t('messages')), el('dd', {}, String(s.messages ?? '')),
      el('dt', {}, t('roster')), el('dd', {}, String(s.rosterVersion ?? '')),
      el('dt', {}, t('addresses')), el('dd', { class: 'mono' }, (s.addrs ?? []).join(' '))),
    el('h2', {}, t('peer')),
    peers.length === 0 ? el('p', { class: 'empty' }, t('noPeers')) : el('table', { class: 'peers', id: 'peers' },
      el('thead', {}, el('tr', {}, ...(['peer', 'org', 'state', 'lastSeen', 'frames', 'addresses'] as const).map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, ...peers.map(p => el('tr', { class: `peer ${p.state}`, 'data-org': p.org ?? '' },
        el('th', { scope: 'row' }, p.name ?? String(p.peerId ?? p.key ?? '').slice(-12)),
        el('td', {}, p.org ?? ''),
        el('td', { class: 'pstate' }, word(p.state)),
        el('td', {}, p.lastConnected === undefined ? '' : time(p.lastConnected)),
        el('td', {}, p.sync === undefined ? '' : `${sum(p.sync.framesSent)} / ${sum(p.sync.framesReceived)}`),
        el('td', { class: 'mono' }, (p.addrs ?? []).join(' ')))))))
}
