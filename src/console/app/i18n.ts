/**
 * The console's text, all of it: Spanish (Mexico) first and the default, English second.
 * Every word the page shows comes from here (the HTML shell too: main.ts fills it in), so a
 * missing key is a type error, not a blank on screen.
 */
const ES = {
  title: 'c5mesh — consola',
  skip: 'Ir al contenido', loading: 'Cargando…',
  feed: 'Mensajes', compose: 'Redactar', peers: 'Enlaces y nodo', wall: 'Pantalla mural', language: 'English', signOut: 'Salir',
  signIn: 'Iniciar sesión', tokenLabel: 'Clave de operador (token)',
  tokenHint: 'La clave la da el nodo: en su terminal, «c5mesh console» imprime la dirección de esta consola con la clave incluida (o «c5mesh --operator NOMBRE console» para otro operador). Se guarda sólo en esta pestaña.',
  signInButton: 'Entrar', badToken: 'La clave no es válida para este nodo.', signedInAs: 'Operador',
  storeFault: 'FALLA: el nodo no está guardando mensajes', notReady: 'El nodo no está listo', offline: 'Sin conexión con el nodo: los datos en pantalla pueden no estar al día',
  isolated: 'Aislado',
  unread: 'sin leer', noMessages: 'Sin mensajes', filters: 'Filtros', allKinds: 'Todo tipo', allPrecedences: 'Toda precedencia', allOrgs: 'Todo estado o dependencia',
  search: 'Buscar', kind: 'Tipo', precedence: 'Precedencia', org: 'Origen', created: 'Creado', expires: 'Vence', scope: 'Alcance', national: 'Nacional',
  alert: 'Alerta', bulletin: 'Boletín', ack: 'Acuse', receipt: 'Recibo', vehicle: 'Vehículo',
  flash: 'FLASH', immediate: 'Inmediata', priority: 'Prioritaria', routine: 'Rutina',
  headline: 'Titular', description: 'Descripción', instruction: 'Instrucción', event: 'Evento', category: 'Categoría', urgency: 'Urgencia', severity: 'Severidad', certainty: 'Certeza', area: 'Área', parameters: 'Parámetros (placa, NIV…)', msgType: 'Tipo CAP',
  history: 'Versiones', current: 'vigente', cancelled: 'CANCELADA', superseded: 'Hay una versión más reciente: ver la vigente',
  matrix: 'Entrega por estado', pending: 'pendiente', delivered: 'entregado', acknowledged: 'acusado', deliveredAt: 'Entregado', acknowledgedAt: 'Acusado',
  matrixNote: 'Cada paso lo respalda un mensaje firmado (recibo o acuse); «pendiente» significa que aún no llega prueba, no que se haya perdido.',
  acknowledge: 'Acusar recibo', note: 'Nota (opcional)', acked: 'Acuse enviado',
  send: 'Firmar y enviar', sent: 'Enviado', scopeNational: 'Todo el país', scopeStates: 'Estados y dependencias (Ctrl o Mayús para varios)', name: 'Nombre', value: 'Valor', addParam: 'Agregar parámetro',
  update: 'Actualizar', cancel: 'Cancelar alerta', references: 'Reemplaza a',
  notAllowed: 'Su clave no está en el padrón: no puede firmar mensajes.',
  peer: 'Nodo', state: 'Estado', connected: 'conectado', disconnected: 'desconectado', banned: 'bloqueado', addresses: 'Direcciones', frames: 'Tramas enviadas / recibidas', lastSeen: 'Última conexión',
  noPeers: 'Ningún nodo del padrón conocido todavía',
  status: 'Estado del nodo', messages: 'mensajes', roster: 'padrón v', peersConnected: 'nodos conectados', node: 'Nodo', back: 'Volver', error: 'Error',
  flashArrived: 'FLASH', openIt: 'abrir', dismiss: 'Silenciar',
  keysHelp: 'Teclas: n redactar · / buscar · Esc mensajes · e enlaces · w pantalla mural · Tab para recorrer',
  none: '—'
}

export type TextKey = keyof typeof ES

const EN: Record<TextKey, string> = {
  title: 'c5mesh — console',
  skip: 'Skip to content', loading: 'Loading…',
  feed: 'Messages', compose: 'Compose', peers: 'Links and node', wall: 'Wall screen', language: 'Español', signOut: 'Sign out',
  signIn: 'Sign in', tokenLabel: 'Operator token',
  tokenHint: 'The node gives the token: on its terminal, "c5mesh console" prints this console\'s address with the token in it (or "c5mesh --operator NAME console" for another operator). It is kept in this tab only.',
  signInButton: 'Sign in', badToken: 'This token is not valid for this node.', signedInAs: 'Operator',
  storeFault: 'FAULT: the node is not storing messages', notReady: 'The node is not ready', offline: 'No connection to the node: what is on screen may be out of date',
  isolated: 'Isolated',
  unread: 'unread', noMessages: 'No messages', filters: 'Filters', allKinds: 'Every kind', allPrecedences: 'Every precedence', allOrgs: 'Every state or agency',
  search: 'Search', kind: 'Kind', precedence: 'Precedence', org: 'From', created: 'Created', expires: 'Expires', scope: 'Scope', national: 'National',
  alert: 'Alert', bulletin: 'Bulletin', ack: 'Ack', receipt: 'Receipt', vehicle: 'Vehicle',
  flash: 'FLASH', immediate: 'Immediate', priority: 'Priority', routine: 'Routine',
  headline: 'Headline', description: 'Description', instruction: 'Instruction', event: 'Event', category: 'Category', urgency: 'Urgency', severity: 'Severity', certainty: 'Certainty', area: 'Area', parameters: 'Parameters (plate, VIN…)', msgType: 'CAP type',
  history: 'Versions', current: 'current', cancelled: 'CANCELLED', superseded: 'A newer version exists: see the current one',
  matrix: 'Delivery by state', pending: 'pending', delivered: 'delivered', acknowledged: 'acknowledged', deliveredAt: 'Delivered', acknowledgedAt: 'Acknowledged',
  matrixNote: 'Every step is backed by a signed message (a receipt or an ack); "pending" means no proof has arrived yet, not that it was lost.',
  acknowledge: 'Acknowledge', note: 'Note (optional)', acked: 'Acknowledgement sent',
  send: 'Sign and send', sent: 'Sent', scopeNational: 'The whole country', scopeStates: 'States and agencies (Ctrl or Shift for several)', name: 'Name', value: 'Value', addParam: 'Add parameter',
  update: 'Update', cancel: 'Cancel alert', references: 'Replaces',
  notAllowed: 'Your key is not on the roster: you may not sign messages.',
  peer: 'Node', state: 'State', connected: 'connected', disconnected: 'disconnected', banned: 'banned', addresses: 'Addresses', frames: 'Frames sent / received', lastSeen: 'Last connected',
  noPeers: 'No roster node known yet',
  status: 'Node status', messages: 'messages', roster: 'roster v', peersConnected: 'nodes connected', node: 'Node', back: 'Back', error: 'Error',
  flashArrived: 'FLASH', openIt: 'open', dismiss: 'Silence',
  keysHelp: 'Keys: n compose · / search · Esc messages · e links · w wall screen · Tab to move',
  none: '—'
}

export const CATALOGUES = { 'es-MX': ES, en: EN } as const
export type Lang = keyof typeof CATALOGUES
export const LANGS = Object.keys(CATALOGUES) as Lang[]

let lang: Lang = 'es-MX'
export function setLang (l: Lang): void { lang = l }
export function getLang (): Lang { return lang }
export function t (k: TextKey): string { return CATALOGUES[lang][k] }
/** A word that may not be a key (a kind, precedence or state from the node): itself when unknown. */
export function word (k: string): string { return (CATALOGUES[lang] as Record<string, string>)[k] ?? k }
