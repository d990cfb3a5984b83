/** The live feed: precedence then time, unread marked, filters by kind, precedence, state or agency, text. */
import { el, main, time } from './dom.js'
import { t, word } from './i18n.js'
import { PRECEDENCES, feedList, state } from './state.js'

function select (name: keyof typeof state.filters, all: string, options: Array<[string, string]>): HTMLElement {
  return el('select', { name, 'aria-label': all, onchange: (e: Event) => { state.filters[name] = (e.target as HTMLSelectElement).value; renderFeedList() } },
    el('option', { value: '' }, all),
    ...options.map(([v, label]) => el('option', { value: v, ...(state.filters[name] === v ? { selected: true } : {}) }, label)))
}

export function renderFeed (): void {
  const orgs = [...new Set([...state.messages.values()].flatMap(m => [m.org, ...(Array.isArray(m.scope) ? m.scope : [])]))].sort()
  const search = el('input', { type: 'search', id: 'search', name: 'text', placeholder: t('search'), 'aria-label': t('search'), value: state.filters.text, oninput: (e: Event) => { state.filters.text = (e.target as HTMLInputElement).value; renderFeedList() } })
  main().replaceChildren(
    el('h1', {}, t('feed'), el('span', { class: 'unread', id: 'feed-unread' })),
    el('form', { class: 'filters', role: 'search', 'aria-label': t('filters'), onsubmit: (e: Event) => e.preventDefault() },
      select('kind', t('allKinds'), ['alert', 'bulletin', 'ack', 'vehicle'].map(k => [k, word(k)])),
      select('precedence', t('allPrecedences'), PRECEDENCES.map(p => [p, t(p)])),
      select('org', t('allOrgs'), orgs.map(o => [o, o])),
      search),
    el('ol', { id: 'feed', class: 'feed', 'aria-live': 'polite' }),
    el('p', { class: 'keys' }, t('keysHelp'))
  )
  renderFeedList()
}

export function renderFeedList (): void {
  const ol = document.getElementById('feed')
  if (ol === null) return
  const list = feedList()
  const u = document.getElementById('feed-unread')
  if (u !== null) u.textContent = state.unread.size > 0 ? ` · ${state.unread.size} ${t('unread')}` : ''
  ol.replaceChildren(...(list.length === 0
    ? [el('li', { class: 'empty' }, t('noMessages'))]
    : list.map(m => el('li', { class: `msg p-${m.precedence}${state.unread.has(m.id) ? ' unread' : ''}`, 'data-id': m.id },
      el('a', { href: `#/m/${m.id}` },
        el('span', { class: 'prec' }, word(m.precedence)),
        el('span', { class: 'kind' }, word(m.kind)),
        el('span', { class: 'org' }, m.org),
        el('time', { datetime: new Date(m.created).toISOString() }, time(m.created)),
        el('span', { class: 'headline' }, m.content?.headline ?? m.note ?? ''),
        m.content?.msgType === 'Update' ? el('span', { class: 'tag' }, t('update')) : el('span', {}))))))
}
