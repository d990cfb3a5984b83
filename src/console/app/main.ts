/**
 * The operator console: one page served by the node (no asset from elsewhere), Spanish by
 * default. Views by the URL fragment: #/ (live feed), #/m/ID (one message: CAP fields,
 * parameters, versions, the delivery matrix, acknowledge), #/compose, #/peers. Faults of
 * the node are shown in red on every view; a flash alert sounds and flashes (shell.ts).
 */
import { api, ApiError, clearToken, follow, setToken, takeToken } from './api.js'
import { renderCompose } from './compose.js'
import { renderDetail } from './detail.js'
import { byId, el, main, toast } from './dom.js'
import { renderFeed, renderFeedList } from './feed.js'
import { getLang, LANGS, setLang, t, type Lang } from './i18n.js'
import { renderPeers } from './peers.js'
import { flashCue, renderFaults, renderHeader, renderTitle, updateFlash, type ShellActions } from './shell.js'
import { remember, state, type Msg } from './state.js'

const STATUS_POLL_MS = 5000
/** The listing's page size (the API's most) and how many pages the feed loads at start. */
const PAGE = '/v1/messages?limit=200&order=urgent'
const PAGES_MAX = 5
const LANG_KEY = 'c5mesh.lang'
const WALL_KEY = 'c5mesh.wall'

const actions: ShellActions = {
  toggleLang: () => { applyLang(getLang() === 'en' ? 'es-MX' : 'en'); route() },
  toggleWall: () => { document.body.classList.toggle('wall'); localStorage.setItem(WALL_KEY, String(document.body.classList.contains('wall'))); renderHeader(actions) },
  signOut: () => { clearToken(); location.hash = ''; location.reload() }
}

function applyLang (l: Lang): void {
  setLang(l)
  localStorage.setItem(LANG_KEY, l)
  document.documentElement.lang = l
  byId('skip').textContent = t('skip')
  // Not a link to #main: the fragment is the console's route.
  byId('skip').onclick = e => { e.preventDefault(); main().focus() }
}

function openId (): string | undefined {
  const m = /^#\/m\/(.+)$/.exec(location.hash)
  return m === null ? undefined : decodeURIComponent(m[1])
}

function afterRead (): void { renderHeader(actions); updateFlash() }

function route (): void {
  renderHeader(actions)
  const [path, query] = location.hash.replace(/^#/, '').split('?')
  const done = (p: Promise<void>): void => { p.catch(err => toast(`${t('error')}: ${(err as Error).message}`, true)) }
  const id = openId()
  if (id !== undefined) done(renderDetail(id, afterRead))
  else if (path === '/compose') renderCompose(new URLSearchParams(query ?? ''))
  else if (path === '/peers') done(renderPeers())
  else renderFeed()
  main().focus({ preventScroll: true })
}

function signIn (message?: string): void {
  byId('header').replaceChildren()
  main().replaceChildren(el('form', { id: 'signin', onsubmit: (e: Event) => { e.preventDefault(); setToken(((e.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement).value.trim()); location.reload() } },
    el('h1', {}, t('signIn')),
    message === undefined ? undefined : el('p', { class: 'fault-inline', role: 'alert' }, message),
    el('label', {}, t('tokenLabel'), el('input', { name: 'token', type: 'password', autocomplete: 'off', required: true })),
    el('p', { class: 'hint' }, t('tokenHint')),
    el('button', { type: 'submit' }, t('signInButton')),
    el('button', { type: 'button', onclick: actions.toggleLang }, t('language'))))
  ;(main().querySelector('input') as HTMLInputElement).focus()
}

async function refreshStatus (): Promise<void> {
  try {
    state.status = await api('GET', '/v1/status')
    state.online = true
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { clearToken(); signIn(t('badToken')); return }
    state.online = false
  }
  renderHeader(actions)
}

async function reload (): Promise<void> {
  let cursor: string | undefined
  for (let i = 0; i < PAGES_MAX; i++) {
    const page = await api<{ messages: Msg[], next?: string }>('GET', cursor === undefined ? PAGE : `${PAGE}&cursor=${encodeURIComponent(cursor)}`)
    for (const m of page.messages) remember(m)
    cursor = page.next
    if (cursor === undefined) break
  }
}

function onMessage (m: Msg): void {
  const open = openId()
  if (m.kind === 'receipt' || m.kind === 'ack') {
    // Someone received or acknowledged something: an open detail redraws its matrix.
    if (open !== undefined && m.references.includes(open)) void renderDetail(open, afterRead).catch(() => {})
    if (m.kind === 'receipt') return
  }
  if (m.kind === 'roster' || m.kind === 'revocation') return
  const known = state.messages.has(m.id)
  remember(m)
  // Acks are read in the matrix they fill in, not as news of their own.
  if (!known && m.id !== open && m.kind !== 'ack') state.unread.add(m.id)
  if (!known && m.precedence === 'flash' && m.kind !== 'ack') flashCue(m)
  renderHeader(actions)
  if (open === undefined && (location.hash === '' || location.hash === '#/')) renderFeedList()
}

function keys (e: KeyboardEvent): void {
  if (e.ctrlKey || e.metaKey || e.altKey) return
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement
  if (e.key === 'Escape') { (document.activeElement as HTMLElement | null)?.blur(); location.hash = '#/'; return }
  if (typing) return
  if (e.key === 'n') location.hash = '#/compose'
  else if (e.key === 'e') location.hash = '#/peers'
  else if (e.key === 'w') actions.toggleWall()
  else if (e.key === '/') { e.preventDefault(); if (location.hash !== '' && location.hash !== '#/') location.hash = '#/'; setTimeout(() => byId('search')?.focus(), 0) } else return
  e.preventDefault()
}

async function start (): Promise<void> {
  const saved = localStorage.getItem(LANG_KEY) as Lang | null
  applyLang(saved !== null && LANGS.includes(saved) ? saved : 'es-MX')
  if (localStorage.getItem(WALL_KEY) === 'true') document.body.classList.add('wall')
  if (takeToken() === undefined) { signIn(); return }
  try {
    ;[state.me, state.roster] = await Promise.all([api('GET', '/v1/me'), api('GET', '/v1/roster')])
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { clearToken(); signIn(t('badToken')); return }
    throw err
  }
  await refreshStatus()
  setInterval(() => { void refreshStatus() }, STATUS_POLL_MS)
  window.addEventListener('hashchange', route)
  document.addEventListener('keydown', keys)
  route()
  // The stream first, then the list: a message stored between the two is in one of them
  // (the other order loses it). After a drop the stream resumes from its last id.
  let listed = false
  follow({
    onEvent: (event, data) => {
      if (event === 'reset') { void reload().then(route); return }
      if (event === 'message') onMessage(data as Msg)
    },
    onState: up => {
      if (state.online !== up) { state.online = up; renderFaults(); renderTitle() }
      if (up && !listed) {
        listed = true
        void reload().then(() => { route(); document.body.dataset.ready = 'true' }, err => toast(`${t('error')}: ${(err as Error).message}`, true))
      }
    },
    onUnauthorized: () => { clearToken(); signIn(t('badToken')) }
  })
}

void start().catch(err => { main().replaceChildren(el('p', { class: 'fault-inline', role: 'alert' }, `${t('error')}: ${(err as Error).message}`)) })
