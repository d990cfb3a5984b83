/**
 * One message: its CAP fields and parameters, its versions (Update / Cancel), the delivery
 * matrix as a tile map of the 32 states (with the times on hover) and as a table for screen
 * readers, and the acknowledge form.
 */
import { api } from './api.js'
import { el, main, time, toast } from './dom.js'
import { t, word, type TextKey } from './i18n.js'
import { TILES } from './map.js'
import { state } from './state.js'

const MATRIX_STATES = ['pending', 'delivered', 'acknowledged'] as const

function rowText (r: any): string {
  return [
    `${r.org}: ${word(r.state)}`,
    r.delivered === undefined ? undefined : `${t('deliveredAt')} ${time(r.delivered.at)}`,
    r.acknowledged === undefined ? undefined : `${t('acknowledgedAt')} ${time(r.acknowledged.at)}${r.acknowledged.note === undefined ? '' : ` «${r.acknowledged.note}»`}`
  ].filter(x => x !== undefined).join(' · ')
}

function tile (r: any): HTMLElement {
  const e = el('div', { class: `tile s-${r.state}`, 'data-org': r.org, 'data-state': r.state, title: rowText(r) }, r.org.replace(/^MX-/, ''))
  // Set through the CSSOM: the Content-Security-Policy refuses style attributes.
  const [col, row] = TILES[r.org]
  e.style.gridColumn = String(col + 1); e.style.gridRow = String(row + 1)
  return e
}

function matrixSection (matrix: any): HTMLElement {
  const rows: any[] = matrix.rows
  const others = rows.filter(r => TILES[r.org] === undefined)
  return el('section', { class: 'matrix', id: 'matrix' },
    el('h2', {}, `${t('matrix')}: ${matrix.counts.acknowledged} ${t('acknowledged')}, ${matrix.counts.delivered} ${t('delivered')}, ${matrix.counts.pending} ${t('pending')}`),
    el('div', { class: 'tiles', 'aria-hidden': 'true' }, ...rows.filter(r => TILES[r.org] !== undefined).map(tile)),
    others.length === 0 ? undefined : el('div', { class: 'agencies', 'aria-hidden': 'true' }, ...others.map(r => el('div', { class: `tile wide s-${r.state}`, 'data-org': r.org, 'data-state': r.state, title: rowText(r) }, r.org))),
    el('div', { class: 'legend', 'aria-hidden': 'true' }, ...MATRIX_STATES.map(s => el('span', { class: `tile s-${s}` }, word(s)))),
    el('p', { class: 'muted' }, t('matrixNote')),
    el('table', { class: 'matrix-table' },
      el('caption', {}, t('matrix')),
      el('thead', {}, el('tr', {}, ...(['org', 'state', 'deliveredAt', 'acknowledgedAt'] as const).map(k => el('th', { scope: 'col' }, t(k))))),
      el('tbody', {}, ...rows.map(r => el('tr', { 'data-org': r.org, 'data-state': r.state },
        el('th', { scope: 'row' }, r.org),
        el('td', {}, word(r.state)),
        el('td', {}, r.delivered === undefined ? '' : time(r.delivered.at)),
        el('td', {}, r.acknowledged === undefined ? '' : `${time(r.acknowledged.at)}${r.acknowledged.note === undefined ? '' : ` «${r.acknowledged.note}»`}`))))))
}

export async function renderDetail (id: string, onRead: () => void): Promise<void> {
  const m = await api('GET', `/v1/messages/${encodeURIComponent(id)}`)
  // Read once shown: an Update's older versions are read with it.
  for (const v of [id, ...(m.history ?? []).map((h: any) => h.id)]) state.unread.delete(v)
  onRead()
  if (location.hash !== `#/m/${id}`) return // the operator moved on while it loaded
  const c = m.content ?? {}
  const fields: Array<[TextKey, unknown]> = [
    ['kind', word(m.kind)], ['precedence', word(m.precedence)], ['org', m.org], ['created', time(m.created)], ['expires', time(m.expires)],
    ['scope', m.scope === 'national' ? t('national') : m.scope.join(', ')],
    ['msgType', c.msgType], ['event', c.event], ['category', c.category], ['urgency', c.urgency], ['severity', c.severity], ['certainty', c.certainty],
    ['description', c.description], ['instruction', c.instruction], ['area', c.area?.description], ['note', m.note]]
  const canAck = m.kind === 'alert' || m.kind === 'bulletin'
  const ackForm = canAck
    ? el('form', { class: 'ack', id: 'ack-form', onsubmit: async (e: Event) => {
      e.preventDefault()
      const note = ((e.target as HTMLFormElement).elements.namedItem('note') as HTMLInputElement).value.trim()
      try { await api('POST', `/v1/messages/${encodeURIComponent(m.id)}/ack`, note === '' ? {} : { note }); toast(t('acked')); await renderDetail(id, onRead) } catch (err) { toast(`${t('error')}: ${(err as Error).message}`, true) }
    } }, el('label', {}, t('note'), el('input', { name: 'note', maxlength: '500' })), el('button', { type: 'submit', id: 'ack' }, t('acknowledge')))
    : undefined
  const params: any[] = c.parameters ?? []
  main().replaceChildren(...[
    el('p', {}, el('a', { href: '#/' }, `← ${t('back')}`)),
    el('h1', { class: `p-${m.precedence}`, id: 'detail-title' }, `${word(m.precedence)} · ${c.headline ?? m.note ?? word(m.kind)}`),
    m.cancelled === true ? el('p', { class: 'cancelled' }, t('cancelled')) : undefined,
    m.current !== undefined && m.current !== m.id ? el('p', { class: 'superseded' }, el('a', { href: `#/m/${m.current}` }, t('superseded'))) : undefined,
    el('dl', { class: 'fields' }, ...fields.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, String(v))])),
    params.length === 0 ? undefined : el('section', {}, el('h2', {}, t('parameters')), el('table', { class: 'params' }, el('tbody', {}, ...params.map(p => el('tr', {}, el('th', { scope: 'row' }, p.name), el('td', {}, p.value)))))),
    (m.history ?? []).length > 1 ? el('section', {}, el('h2', {}, t('history')), el('ol', { class: 'history' }, ...m.history.map((v: any) => el('li', {}, el('a', { href: `#/m/${v.id}` }, `${v.msgType} · ${time(v.created)} · ${v.headline ?? ''}`), v.id === m.current ? ` (${t('current')})` : '')))) : undefined,
    ackForm,
    canAck && m.org === state.status?.org && m.cancelled !== true ? el('p', {}, el('a', { href: `#/compose?update=${m.id}` }, t('update')), ' · ', el('a', { href: `#/compose?cancel=${m.id}` }, t('cancel'))) : undefined,
    m.matrix !== undefined ? matrixSection(m.matrix) : undefined
  ].filter(x => x !== undefined))
}
