/** What the console holds: the messages it has seen, unread ones, filters, the node's status. */
export const PRECEDENCES = ['flash', 'immediate', 'priority', 'routine'] as const
export const RANK: Record<string, number> = { flash: 0, immediate: 1, priority: 2, routine: 3 }

export interface Msg {
  id: string
  kind: string
  precedence: string
  org: string
  author: string
  created: number
  expires: number
  scope: string[] | 'national'
  references: string[]
  content?: Record<string, any>
  note?: string
  supersededBy?: string[]
}

export const state = {
  messages: new Map<string, Msg>(),
  unread: new Set<string>(),
  filters: { kind: '', precedence: '', org: '', text: '' },
  status: undefined as any,
  me: undefined as any,
  roster: undefined as any,
  online: true
}

/** Kinds that are evidence about other messages, not something an operator reads in the feed. */
const HIDDEN_KINDS = new Set(['receipt', 'roster', 'revocation'])

/** In the feed: current (not superseded, not a Cancel), not expired, and through the filters. */
export function visible (m: Msg, now = Date.now()): boolean {
  const f = state.filters
  if (HIDDEN_KINDS.has(m.kind)) return false
  if (m.supersededBy !== undefined && m.supersededBy.length > 0) return false
  if (m.content?.msgType === 'Cancel') return false
  if (m.expires <= now) return false
  if (f.kind !== '' && m.kind !== f.kind) return false
  if (f.precedence !== '' && m.precedence !== f.precedence) return false
  if (f.org !== '' && m.org !== f.org && !(Array.isArray(m.scope) && m.scope.includes(f.org))) return false
  if (f.text !== '') {
    const c = m.content ?? {}
    const hay = [c.headline, c.description, c.instruction, c.event, c.area?.description, m.note, m.org, ...(c.parameters ?? []).map((p: any) => `${p.name} ${p.value}`)].join(' ').toLowerCase()
    if (!hay.includes(f.text.toLowerCase())) return false
  }
  return true
}

/** The feed's order: precedence first (flash on top), then newest first. */
export function feedOrder (a: Msg, b: Msg): number {
  return RANK[a.precedence] - RANK[b.precedence] || b.created - a.created
}

export function feedList (): Msg[] { return [...state.messages.values()].filter(m => visible(m)).sort(feedOrder) }

export function unreadBy (precedence: string): number {
  let n = 0
  for (const id of state.unread) if (state.messages.get(id)?.precedence === precedence) n++
  return n
}

/** A message arrives (list or stream): an Update or Cancel from the same org supersedes what it references. */
export function remember (m: Msg): void {
  if (m.content?.msgType === 'Update' || m.content?.msgType === 'Cancel') {
    for (const ref of m.references) {
      const old = state.messages.get(ref)
      if (old !== undefined && old.org === m.org) { old.supersededBy = [...(old.supersededBy ?? []), m.id]; state.unread.delete(ref) }
    }
  }
  state.messages.set(m.id, m)
}
