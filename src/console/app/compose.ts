/**
 * Compose: kind, precedence (only those the roster lets this operator issue), CAP fields,
 * parameters (plate, VIN…), scope as the whole country or a multi-select of states and
 * agencies; Update and Cancel reference the version they replace. The node signs with the
 * operator's own key.
 */
import { api, type ApiError } from './api.js'
import { el, main, toast } from './dom.js'
import { t, word } from './i18n.js'
import { TILES } from './map.js'
import { state } from './state.js'

const CATEGORIES = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other']
const URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown']
const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']
const CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown']

/** States (tile map order) and then agencies: the roster's node orgs that are not states. */
function scopeOptions (): string[] {
  const states = Object.keys(TILES).sort()
  const agencies = [...new Set<string>((state.roster?.members ?? []).filter((m: any) => m.role === 'node' && TILES[m.org] === undefined).map((m: any) => m.org))].sort()
  return [...states, ...agencies]
}

export function renderCompose (params: URLSearchParams): void {
  const allowed: string[] = state.me?.precedences ?? []
  const replaces = params.get('update') ?? params.get('cancel') ?? undefined
  const msgType = params.has('cancel') ? 'Cancel' : params.has('update') ? 'Update' : 'Alert'
  const base = replaces === undefined ? undefined : state.messages.get(replaces)
  const bc = base?.content ?? {}
  const opt = (values: string[], current?: string): HTMLElement[] => [el('option', { value: '' }, t('none')), ...values.map(v => el('option', { value: v, ...(v === current ? { selected: true } : {}) }, v))]
  const paramsBox = el('div', { class: 'param-rows' })
  const addParam = (name = '', value = ''): void => {
    paramsBox.append(el('div', { class: 'param' },
      el('input', { 'aria-label': t('name'), placeholder: t('name'), class: 'pname', value: name }),
      el('input', { 'aria-label': t('value'), placeholder: t('value'), class: 'pvalue', value })))
  }
  for (const p of bc.parameters ?? []) addParam(p.name, p.value)
  addParam()
  const baseScope = Array.isArray(base?.scope) ? base.scope : []
  const form = el('form', { id: 'compose', onsubmit: async (e: Event) => {
    e.preventDefault()
    const f = e.target as HTMLFormElement
    const v = (n: string): string => (f.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value.trim()
    const body: Record<string, unknown> = { kind: v('kind'), msgType, headline: v('headline') }
    for (const k of ['precedence', 'description', 'instruction', 'event', 'category', 'urgency', 'severity', 'certainty']) if (v(k) !== '') body[k] = v(k)
    if (v('area') !== '') body.area = { description: v('area') }
    const parameters = [...paramsBox.querySelectorAll('.param')].map(p => ({ name: (p.querySelector('.pname') as HTMLInputElement).value.trim(), value: (p.querySelector('.pvalue') as HTMLInputElement).value.trim() })).filter(p => p.name !== '')
    if (parameters.length > 0) body.parameters = parameters
    const scope = [...(f.elements.namedItem('scope') as HTMLSelectElement).selectedOptions].map(o => o.value)
    body.scope = (f.elements.namedItem('national') as HTMLInputElement).checked || scope.length === 0 ? 'national' : scope
    if (replaces !== undefined) body.references = [replaces]
    const button = f.querySelector('#send') as HTMLButtonElement
    button.disabled = true
    try {
      const r = await api('POST', '/v1/messages', body)
      toast(t('sent'))
      location.hash = `#/m/${r.message.id}`
    } catch (err) {
      const e2 = err as ApiError
      toast(`${t('error')} ${e2.code ?? ''}${e2.field === undefined ? '' : ` (${e2.field})`}: ${e2.message}`, true)
      button.disabled = false
    }
  } },
  el('h1', {}, t('compose'), replaces === undefined ? '' : ` · ${msgType === 'Cancel' ? t('cancel') : t('update')}`),
  allowed.length === 0 ? el('p', { class: 'fault-inline' }, t('notAllowed')) : undefined,
  replaces === undefined ? undefined : el('p', {}, `${t('references')}: `, el('a', { href: `#/m/${replaces}` }, bc.headline ?? replaces)),
  el('label', {}, t('kind'), el('select', { name: 'kind' }, ...(['alert', 'bulletin'] as const).map(k => el('option', { value: k, ...(base?.kind === k ? { selected: true } : {}) }, word(k))))),
  // The lowest precedence is preselected: flash is a choice, never an accident.
  el('label', {}, t('precedence'), el('select', { name: 'precedence', required: true }, ...allowed.map((p, i) => el('option', { value: p, ...((base?.precedence ?? allowed[allowed.length - 1]) === p || (base !== undefined && !allowed.includes(base.precedence) && i === allowed.length - 1) ? { selected: true } : {}) }, word(p))))),
  el('label', {}, t('headline'), el('input', { name: 'headline', required: true, maxlength: '300', value: bc.headline ?? '' })),
  el('label', {}, t('event'), el('input', { name: 'event', value: bc.event ?? '' })),
  el('label', {}, t('description'), el('textarea', { name: 'description', rows: '3' }, bc.description ?? '')),
  el('label', {}, t('instruction'), el('textarea', { name: 'instruction', rows: '2' }, bc.instruction ?? '')),
  el('div', { class: 'row' },
    el('label', {}, t('category'), el('select', { name: 'category' }, ...opt(CATEGORIES, bc.category))),
    el('label', {}, t('urgency'), el('select', { name: 'urgency' }, ...opt(URGENCIES, bc.urgency))),
    el('label', {}, t('severity'), el('select', { name: 'severity' }, ...opt(SEVERITIES, bc.severity))),
    el('label', {}, t('certainty'), el('select', { name: 'certainty' }, ...opt(CERTAINTIES, bc.certainty)))),
  el('label', {}, t('area'), el('input', { name: 'area', value: bc.area?.description ?? '' })),
  el('fieldset', {}, el('legend', {}, t('scope')),
    el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'national', ...(baseScope.length === 0 ? { checked: true } : {}) }), t('scopeNational')),
    el('label', {}, t('scopeStates'), el('select', { name: 'scope', multiple: true, size: '8', onchange: (e: Event) => {
      // Choosing states unticks "the whole country": what is sent is what is shown.
      if ((e.target as HTMLSelectElement).selectedOptions.length > 0) ((e.target as HTMLSelectElement).form!.elements.namedItem('national') as HTMLInputElement).checked = false
    } }, ...scopeOptions().map(o => el('option', { value: o, ...(baseScope.includes(o) ? { selected: true } : {}) }, o))))),
  el('fieldset', {}, el('legend', {}, t('parameters')), paramsBox, el('button', { type: 'button', onclick: () => addParam() }, t('addParam'))),
  el('button', { type: 'submit', id: 'send', ...(allowed.length === 0 ? { disabled: true } : {}) }, t('send')))
  main().replaceChildren(form)
  ;(form.querySelector('[name=headline]') as HTMLInputElement).focus()
}
