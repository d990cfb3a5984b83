/** Building the page: elements from data (text is never parsed as HTML), times, the toast. */
import { getLang } from './i18n.js'

type Attr = string | boolean | ((e: Event) => void)
type Child = Node | string | undefined | false

/** el('div', { class: 'x', onclick: f }, child, 'text'): attributes, listeners, children. */
export function el (tag: string, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') e.addEventListener(k.replace(/^on/, ''), v)
    else if (v === true) e.setAttribute(k, '')
    else if (v !== false) e.setAttribute(k, v)
  }
  for (const c of children) if (c !== undefined && c !== false) e.append(c)
  return e
}

export const time = (ms: number): string => new Date(ms).toLocaleString(getLang(), { dateStyle: 'short', timeStyle: 'medium' })
export const byId = (id: string): HTMLElement => document.getElementById(id)!
export const main = (): HTMLElement => byId('main')

const TOAST_MS = 8000
let toastTimer: ReturnType<typeof setTimeout> | undefined
export function toast (text: string, bad = false): void {
  const box = byId('toast')
  box.textContent = text
  box.className = bad ? 'bad' : ''
  box.hidden = false
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => { box.hidden = true }, TOAST_MS)
}
