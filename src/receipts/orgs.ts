/**
 * The 32 federal entities of Mexico (ISO 3166-2:MX), in the order the console's tile map
 * and tables show them. The delivery matrix of a national message has a row for each, and
 * one for each agency (CNI, FGR, …) that has a node on the roster.
 */
export const MX_STATES: ReadonlyArray<readonly [code: string, name: string]> = [
  ['MX-AGU', 'Aguascalientes'], ['MX-BCN', 'Baja California'], ['MX-BCS', 'Baja California Sur'],
  ['MX-CAM', 'Campeche'], ['MX-CHH', 'Chihuahua'], ['MX-CHP', 'Chiapas'], ['MX-CMX', 'Ciudad de México'],
  ['MX-COA', 'Coahuila'], ['MX-COL', 'Colima'], ['MX-DUR', 'Durango'], ['MX-GRO', 'Guerrero'],
  ['MX-GUA', 'Guanajuato'], ['MX-HID', 'Hidalgo'], ['MX-JAL', 'Jalisco'], ['MX-MEX', 'Estado de México'],
  ['MX-MIC', 'Michoacán'], ['MX-MOR', 'Morelos'], ['MX-NAY', 'Nayarit'], ['MX-NLE', 'Nuevo León'],
  ['MX-OAX', 'Oaxaca'], ['MX-PUE', 'Puebla'], ['MX-QUE', 'Querétaro'], ['MX-ROO', 'Quintana Roo'],
  ['MX-SIN', 'Sinaloa'], ['MX-SLP', 'San Luis Potosí'], ['MX-SON', 'Sonora'], ['MX-TAB', 'Tabasco'],
  ['MX-TAM', 'Tamaulipas'], ['MX-TLA', 'Tlaxcala'], ['MX-VER', 'Veracruz'], ['MX-YUC', 'Yucatán'],
  ['MX-ZAC', 'Zacatecas']
]

export const MX_STATE_CODES: readonly string[] = MX_STATES.map(([c]) => c)
const STATE_SET = new Set(MX_STATE_CODES)

export function isStateCode (org: string): boolean { return STATE_SET.has(org) }
