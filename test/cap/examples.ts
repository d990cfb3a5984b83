/**
 * CAP examples in the structure of the OASIS CAP 1.2 specification's appendix, rewritten
 * with Mexican content (Spanish text, INEGI and ISO 3166-2 geocodes). Times are relative
 * to `now` so that expiries lie ahead; capTime gives the schema's form.
 */
import { capTime } from '../../src/cap/index.js'

const NS12 = 'urn:oasis:names:tc:emergency:cap:1.2'

/** SASMEX-style earthquake early warning: expires = sent + 60 s. */
export function sasmexQuake (now: number, ns = NS12): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${ns}">
  <identifier>SASMEX-20261128-101500</identifier>
  <sender>sasmex@cires.org.mx</sender>
  <sent>${capTime(now)}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>es-MX</language>
    <category>Geo</category>
    <event>Sismo</event>
    <responseType>Execute</responseType>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Observed</certainty>
    <eventCode><valueName>SAME</valueName><value>EQW</value></eventCode>
    <expires>${capTime(now + 60_000)}</expires>
    <senderName>Sistema de Alerta Sísmica Mexicano</senderName>
    <headline>ALERTA SÍSMICA: sismo fuerte en la costa de Guerrero</headline>
    <description>Sismo de magnitud estimada 7.1 detectado por sensores de la costa de Guerrero &amp; Oaxaca.</description>
    <instruction>Conserve la calma, no corra, no grite, no empuje; aléjese de ventanas.</instruction>
    <web>http://www.cires.org.mx/</web>
    <area>
      <areaDesc>Ciudad de México, Guerrero y Oaxaca</areaDesc>
      <circle>16.85,-99.88 300</circle>
      <geocode><valueName>INEGI</valueName><value>09</value></geocode>
      <geocode><valueName>ISO3166-2</valueName><value>MX-CMX</value></geocode>
      <geocode><valueName>INEGI</valueName><value>12</value></geocode>
    </area>
  </info>
</alert>
`
}

export function hurricane (now: number, msgType: 'Alert' | 'Update', refersTo?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS12}">
  <identifier>SMN-HURACAN-OTIS-${msgType === 'Alert' ? '001' : '002'}</identifier>
  <sender>avisos@smn.conagua.gob.mx</sender>
  <sent>${capTime(now)}</sent>
  <status>Actual</status>
  <msgType>${msgType}</msgType>
  <scope>Public</scope>
  ${refersTo === undefined ? '' : `<references>avisos@smn.conagua.gob.mx,${refersTo},${capTime(now - 3_600_000)}</references>`}
  <incidents>OTIS-2026</incidents>
  <info>
    <language>es-MX</language>
    <category>Met</category>
    <event>Huracán</event>
    <responseType>Evacuate</responseType>
    <responseType>Prepare</responseType>
    <urgency>${msgType === 'Alert' ? 'Expected' : 'Immediate'}</urgency>
    <severity>Extreme</severity>
    <certainty>Likely</certainty>
    <effective>${capTime(now)}</effective>
    <onset>${capTime(now + 6 * 3_600_000)}</onset>
    <expires>${capTime(now + 24 * 3_600_000)}</expires>
    <senderName>Servicio Meteorológico Nacional</senderName>
    <headline>${msgType === 'Alert' ? 'Huracán Otis categoría 3 se aproxima a Acapulco' : 'Otis se intensifica a categoría 5; impacto en Acapulco esta noche'}</headline>
    <description>Vientos sostenidos de ${msgType === 'Alert' ? '185' : '270'} km/h.</description>
    <instruction>Acuda a los refugios temporales; siga a Protección Civil.</instruction>
    <parameter><valueName>vientos_kmh</valueName><value>${msgType === 'Alert' ? '185' : '270'}</value></parameter>
    <resource><resourceDesc>Mapa de trayectoria</resourceDesc><mimeType>image/png</mimeType><uri>http://smn.conagua.gob.mx/otis.png</uri></resource>
    <area>
      <areaDesc>Costa de Guerrero</areaDesc>
      <polygon>16.5,-100.2 17.3,-100.2 17.3,-99.2 16.5,-99.2 16.5,-100.2</polygon>
      <geocode><valueName>INEGI</valueName><value>12</value></geocode>
    </area>
  </info>
  <info>
    <language>en-US</language>
    <category>Met</category>
    <event>Hurricane</event>
    <urgency>Expected</urgency>
    <severity>Extreme</severity>
    <certainty>Likely</certainty>
    <headline>Hurricane Otis approaching Acapulco</headline>
  </info>
</alert>
`
}

export function cancel (now: number, refersTo: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${NS12}">
  <identifier>SMN-HURACAN-OTIS-003</identifier>
  <sender>avisos@smn.conagua.gob.mx</sender>
  <sent>${capTime(now)}</sent>
  <status>Actual</status>
  <msgType>Cancel</msgType>
  <scope>Public</scope>
  <references>avisos@smn.conagua.gob.mx,${refersTo},${capTime(now - 3_600_000)}</references>
  <info>
    <language>es-MX</language>
    <category>Met</category>
    <event>Huracán</event>
    <urgency>Past</urgency>
    <severity>Minor</severity>
    <certainty>Observed</certainty>
    <headline>Cancelado: Otis se degradó a tormenta tropical</headline>
  </info>
</alert>
`
}

export function stolenVehicle (now: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cap:alert xmlns:cap="${NS12}">
  <cap:identifier>FGE-JAL-2026-004512</cap:identifier>
  <cap:sender>alertas@fiscalia.jalisco.gob.mx</cap:sender>
  <cap:sent>${capTime(now)}</cap:sent>
  <cap:status>Actual</cap:status>
  <cap:msgType>Alert</cap:msgType>
  <cap:scope>Restricted</cap:scope>
  <cap:restriction>Corporaciones de seguridad</cap:restriction>
  <cap:info>
    <cap:language>es-MX</cap:language>
    <cap:category>Security</cap:category>
    <cap:event>Robo de vehículo</cap:event>
    <cap:urgency>Immediate</cap:urgency>
    <cap:severity>Severe</cap:severity>
    <cap:certainty>Observed</cap:certainty>
    <cap:expires>${capTime(now + 30 * 86_400_000)}</cap:expires>
    <cap:headline>Robo con violencia: Nissan Versa gris, placas JAL-123-4</cap:headline>
    <cap:parameter><cap:valueName>placa</cap:valueName><cap:value>JAL1234</cap:value></cap:parameter>
    <cap:parameter><cap:valueName>entidad_placa</cap:valueName><cap:value>MX-JAL</cap:value></cap:parameter>
    <cap:parameter><cap:valueName>niv</cap:valueName><cap:value>3N1CN7AD5KL812345</cap:value></cap:parameter>
    <cap:area>
      <cap:areaDesc>Zona metropolitana de Guadalajara</cap:areaDesc>
      <cap:geocode><cap:valueName>INEGI</cap:valueName><cap:value>14</cap:value></cap:geocode>
    </cap:area>
  </cap:info>
</cap:alert>
`
}
