/** A tile map of the 32 states: one square per state at its rough place (column, row). */
export const TILES: Record<string, [number, number]> = {
  'MX-BCN': [0, 0], 'MX-SON': [1, 0], 'MX-CHH': [2, 0], 'MX-COA': [3, 0], 'MX-NLE': [4, 0],
  'MX-BCS': [0, 1], 'MX-SIN': [1, 1], 'MX-DUR': [2, 1], 'MX-ZAC': [3, 1], 'MX-SLP': [4, 1], 'MX-TAM': [5, 1],
  'MX-NAY': [1, 2], 'MX-AGU': [2, 2], 'MX-GUA': [3, 2], 'MX-QUE': [4, 2], 'MX-HID': [5, 2], 'MX-YUC': [8, 2],
  'MX-JAL': [1, 3], 'MX-MIC': [2, 3], 'MX-MEX': [3, 3], 'MX-CMX': [4, 3], 'MX-TLA': [5, 3], 'MX-VER': [6, 3], 'MX-CAM': [8, 3], 'MX-ROO': [9, 3],
  'MX-COL': [1, 4], 'MX-GRO': [3, 4], 'MX-MOR': [4, 4], 'MX-PUE': [5, 4], 'MX-TAB': [7, 4],
  'MX-OAX': [5, 5], 'MX-CHP': [7, 5]
}
