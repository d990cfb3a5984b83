/**
 * What every view shares: the navigation with unread counts, the node's line, the red fault
 * bar (store not writing, not ready, isolated, no connection to the node), the page title,
 * and the flash cue — colour, a banner that stays until the operator opens or silences it,
 * a sound repeated while a flash is unread, and the title.
 */
import { byId, el } from './dom.js'
import { getLang, t, word } from './i18n.js'
import { state, unreadBy, type Msg } from './state.js'

/** While a flash is unread and not silenced, the tone repeats this often. */
const FLASH_REPEAT_MS = 20_000
const TONE_HZ = 880

export interface ShellActions { toggleLang: () => void, toggleWall: () => void, signOut: () => void }

export function renderHeader (actions: ShellActions): void {
  const h = byId('header')
  const counts = (['flash', 'immediate'] as const).map(p => [p, unreadBy(p)] as const).filter(([, n]) => n > 0)
  const s = state.status
  h.replaceChildren(
    el('nav', { 'aria-label': t('title') },
      el('a', { href: '#/', accesskey: 'm' }, t('feed'),
        state.unread.size > 0 ? el('span', { class: 'badge', id: 'unread', title: `${state.unread.size} ${t('unread')}` }, String(state.unread.size)) : undefined,
        ...counts.map(([p, n]) => el('span', { class: `badge b-${p}`, 'data-unread': p }, `${word(p)} ${n}`))),
      el('a', { href: '#/compose', accesskey: 'n' }, t('compose')),
      el('a', { href: '#/peers', accesskey: 'e' }, t('peers')),
      el('button', { type: 'button', id: 'wall-toggle', 'aria-pressed': String(document.body.classList.contains('wall')), onclick: actions.toggleWall }, t('wall')),
      el('button', { type: 'button', id: 'lang-toggle', lang: getLang() === 'en' ? 'es-MX' : 'en', onclick: actions.toggleLang }, t('language')),
      el('button', { type: 'button', onclick: actions.signOut }, t('signOut'))),
    el('div', { class: 'node', id: 'node-line' }, s === undefined ? '' : `${s.org ?? ''} · ${state.me?.name ?? ''} · ${s.messages} ${t('messages')} · ${(s.peers ?? []).length} ${t('peersConnected')} · ${t('roster')}${s.rosterVersion}`)
  )
  renderFaults()
  renderTitle()
}

/** The red bar: every fault the node reports, on every view. */
export function renderFaults (): void {
  const s = state.status
  const faults: string[] = []
  if (!state.online) faults.push(t('offline'))
  if (s?.store?.writeFault !== undefined) faults.push(`${t('storeFault')} (${new Date(s.store.writeFault.since).toLocaleString(getLang())}): ${s.store.writeFault.reason}`)
  if (s?.ready?.ready === false) faults.push(`${t('notReady')}: ${(s.ready.reasons ?? []).join('; ')}`)
  for (const w of s?.warnings ?? []) faults.push(`${t('isolated')}: ${w.message}`)
  const f = byId('fault')
  f.replaceChildren(...faults.map(x => el('p', {}, x)))
  f.hidden = faults.length === 0
}

export function renderTitle (): void {
  const flash = unreadBy('flash')
  document.title = `${flash > 0 ? `⚠ ${flash} FLASH · ` : ''}${state.unread.size > 0 ? `(${state.unread.size}) ` : ''}${t('title')}`
}

// ---------- the flash cue ----------

let audio: AudioContext | undefined
let repeat: ReturnType<typeof setInterval> | undefined
let silenced = new Set<string>()

function beep (): void {
  try {
    audio ??= new AudioContext()
    void audio.resume()
    for (let i = 0; i < 3; i++) {
      const o = audio.createOscillator(); const g = audio.createGain()
      const at = audio.currentTime + i * 0.4
      o.frequency.value = TONE_HZ; o.connect(g); g.connect(audio.destination)
      g.gain.setValueAtTime(0.25, at); g.gain.setValueAtTime(0, at + 0.25)
      o.start(at); o.stop(at + 0.3)
    }
    // Says whether the browser let the tone play (a wall screen must allow autoplay).
    document.body.dataset.sound = audio.state
  } catch { document.body.dataset.sound = 'unavailable' }
}

function unsilencedFlash (): string[] {
  return [...state.unread].filter(id => state.messages.get(id)?.precedence === 'flash' && !silenced.has(id))
}

/** A flash arrived: red banner (until opened or silenced), the page flashes, the tone sounds and repeats. */
export function flashCue (m: Msg): void {
  document.body.classList.remove('flashing'); void document.body.offsetWidth; document.body.classList.add('flashing')
  const banner = byId('flash')
  banner.replaceChildren(
    el('a', { href: `#/m/${m.id}`, id: 'flash-open' }, `⚠ ${t('flashArrived')} · ${m.org} · ${m.content?.headline ?? m.note ?? ''}`),
    el('button', { type: 'button', id: 'flash-silence', onclick: () => { silenced = new Set([...silenced, ...unsilencedFlash()]); updateFlash() } }, t('dismiss')))
  banner.hidden = false
  beep()
  repeat ??= setInterval(() => { if (unsilencedFlash().length > 0) beep(); else updateFlash() }, FLASH_REPEAT_MS)
}

/** After a read or a silence: the banner and tone stop once no flash is unread and unsilenced. */
export function updateFlash (): void {
  if (unsilencedFlash().length > 0) return
  byId('flash').hidden = true
  document.body.classList.remove('flashing')
  if (repeat !== undefined) { clearInterval(repeat); repeat = undefined }
}
