/**
 * What the store keeps of an event besides its JSON-LD text: the columns queries filter on, every
 * identifier it names with its role (the trace engine walks these), and facets for the standard
 * query parameters that have no column (error declarations, sensor data, extension fields).
 */

import { toCanonicalDigitalLink } from '../event-hash/digital-link.ts';
import { fieldName } from '../event-hash/json.ts';
import { canonicalTimestamp, formatNumber } from '../event-hash/values.ts';
import { isObject, type Json } from './document.ts';
import { bizSteps, dispositions, errorReasons, measurementTypes, toBare } from './vocabulary.ts';
import { SENSOR_METADATA, SENSOR_REPORT } from './xml-map.ts';

/** An identifier an event names (see `EpcisEventIdsTable`). */
export type NamedIdentifier = { identifier: string; role: string; quantity: number | null; uom: string | null };

/** A queryable value without a column of its own (see `EpcisEventFacetsTable`). */
export type Facet = { facet: string; text: string | null; num: number | null };

/** The columns of `epcis_events` an event determines. */
export type EventColumns = {
  event_type: string;
  event_time: string;
  event_time_zone_offset: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  read_point: string | null;
  biz_location: string | null;
  transformation_id: string | null;
};

/**
 * Identifiers normalised as the store keeps them: canonical GS1 Digital Link, else as given
 * (recent conversions are remembered, among them those the event hash just made).
 */
export function normaliseIdentifier(uri: string): string {
  return toCanonicalDigitalLink(uri) ?? uri;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const idOf = (v: unknown): string | null => (isObject(v) ? str(v.id) : str(v));

/** The filter columns of an event (times in UTC with milliseconds, so text order is time order). */
export function eventColumns(event: Json): EventColumns {
  const bizStep = str(event.bizStep);
  const disposition = str(event.disposition);
  return {
    event_type: String(event.type),
    event_time: canonicalTimestamp(String(event.eventTime), '/eventTime'),
    event_time_zone_offset: String(event.eventTimeZoneOffset),
    action: str(event.action),
    biz_step: bizStep === null ? null : toBare(bizSteps, bizStep),
    disposition: disposition === null ? null : toBare(dispositions, disposition),
    read_point: idOf(event.readPoint),
    biz_location: idOf(event.bizLocation),
    transformation_id: str(event.transformationID),
  };
}

const EPC_ROLES: ReadonlyArray<readonly [string, string]> = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];
const CLASS_ROLES: ReadonlyArray<readonly [string, string]> = [
  ['quantityList', 'epcClass'],
  ['childQuantityList', 'childEpcClass'],
  ['inputQuantityList', 'inputEpcClass'],
  ['outputQuantityList', 'outputEpcClass'],
];

/** Every identifier the event names: EPCs, parent, children, inputs, outputs, and classes with quantities. */
export function namedIdentifiers(event: Json): NamedIdentifier[] {
  const out: NamedIdentifier[] = [];
  const parent = str(event.parentID);
  if (parent) out.push({ identifier: normaliseIdentifier(parent), role: 'parent', quantity: null, uom: null });
  for (const [field, role] of EPC_ROLES) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const epc of list)
      if (typeof epc === 'string') out.push({ identifier: normaliseIdentifier(epc), role, quantity: null, uom: null });
  }
  for (const [field, role] of CLASS_ROLES) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const q of list) {
      if (!isObject(q) || typeof q.epcClass !== 'string') continue;
      out.push({
        identifier: normaliseIdentifier(q.epcClass),
        role,
        quantity: typeof q.quantity === 'number' ? q.quantity : null,
        uom: str(q.uom),
      });
    }
  }
  return out;
}

const TIME_LIKE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A scalar as facet text and number (numbers, and times as epoch milliseconds). */
function scalar(value: unknown): { text: string | null; num: number | null } {
  if (typeof value === 'number') return { text: formatNumber(value), num: value };
  if (typeof value === 'boolean') return { text: String(value), num: null };
  if (typeof value !== 'string') return { text: null, num: null };
  const n = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
  if (n !== null) return { text: value, num: n };
  if (TIME_LIKE.test(value)) {
    try {
      return { text: value, num: Date.parse(canonicalTimestamp(value, '')) };
    } catch {
      return { text: value, num: null };
    }
  }
  return { text: value, num: null };
}

/** Collects facets for one event; `ns` resolves extension prefixes. */
class FacetCollector {
  readonly facets: Facet[] = [];

  constructor(private readonly ns: ReadonlyMap<string, string>) {}

  add(facet: string, value: unknown) {
    const { text, num } = scalar(value);
    this.facets.push({ facet, text, num });
  }

  /** User extension fields of `obj` (namespaced keys not in `standard`), their nested fields as INNER_. */
  extensions(obj: Json, area: string, standard: ReadonlySet<string>, inner = false) {
    for (const [key, value] of Object.entries(obj)) {
      if (key.startsWith('@') || standard.has(key)) continue;
      const name = fieldName(key, this.ns);
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (name.startsWith('{'))
          this.add(`${inner ? 'INNER_' : ''}${area}|${name}`, isObject(item) ? (item['@value'] ?? null) : item);
        if (isObject(item)) this.extensions(item, area, new Set(), true);
      }
    }
  }
}

const EVENT_STANDARD = new Set([
  'type',
  ...[...EPC_ROLES, ...CLASS_ROLES].map(([f]) => f),
  'eventTime',
  'recordTime',
  'eventTimeZoneOffset',
  'eventID',
  'certificationInfo',
  'errorDeclaration',
  'parentID',
  'action',
  'transformationID',
  'bizStep',
  'disposition',
  'persistentDisposition',
  'readPoint',
  'bizLocation',
  'bizTransactionList',
  'sourceList',
  'destinationList',
  'sensorElementList',
  'ilmd',
]);

function sensorFacets(c: FacetCollector, list: unknown[]) {
  c.add('sensorElementList', null);
  for (const element of list) {
    if (!isObject(element)) continue;
    c.extensions(element, 'SENSORELEMENT', new Set(['sensorMetadata', 'sensorReport']));
    const meta = isObject(element.sensorMetadata) ? element.sensorMetadata : {};
    c.extensions(meta, 'SENSORMETADATA', new Set(Object.keys(SENSOR_METADATA)));
    for (const f of ['time', 'startTime', 'endTime', 'deviceID', 'dataProcessingMethod', 'bizRules'])
      if (meta[f] !== undefined) c.add(`sensor.${f}`, meta[f]);
    const reports = Array.isArray(element.sensorReport) ? element.sensorReport : [];
    for (const r of reports) {
      if (!isObject(r)) continue;
      c.extensions(r, 'SENSORREPORT', new Set(Object.keys(SENSOR_REPORT)));
      if (typeof r.type === 'string') c.add('sensor.type', toBare(measurementTypes, r.type));
      for (const f of ['time', 'deviceID', 'dataProcessingMethod', 'bizRules', 'microorganism', 'chemicalSubstance'])
        if (r[f] !== undefined) c.add(`sensor.${f}`, r[f]);
      for (const f of ['stringValue', 'hexBinaryValue', 'uriValue', 'booleanValue', 'percRank'])
        if (r[f] !== undefined) c.add(`sensor.${f}`, r[f]);
      const uom = typeof r.uom === 'string' ? r.uom : '';
      for (const f of ['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percValue'])
        if (typeof r[f] === 'number') c.add(`sensor.${f}.${uom}`, r[f]);
    }
  }
}

/** The facets of an event for the query parameters without a column (EPCIS 2.0 §8.2.7.1). */
export function eventFacets(event: Json, namespaces: ReadonlyMap<string, string>): Facet[] {
  const c = new FacetCollector(namespaces);
  c.extensions(event, 'EVENT', EVENT_STANDARD);
  if (isObject(event.ilmd)) c.extensions(event.ilmd, 'ILMD', new Set());
  const declaration = event.errorDeclaration;
  if (isObject(declaration)) {
    c.add('errorDeclaration', null);
    c.add('errorDeclarationTime', declaration.declarationTime);
    if (typeof declaration.reason === 'string') c.add('errorReason', toBare(errorReasons, declaration.reason));
    const corrective = Array.isArray(declaration.correctiveEventIDs) ? declaration.correctiveEventIDs : [];
    for (const id of corrective) c.add('correctiveEventID', id);
    c.extensions(declaration, 'ERROR_DECLARATION', new Set(['declarationTime', 'reason', 'correctiveEventIDs']));
  }
  const persistent = event.persistentDisposition;
  if (isObject(persistent)) {
    for (const key of ['set', 'unset'] as const) {
      const list = persistent[key];
      if (Array.isArray(list))
        for (const d of list) if (typeof d === 'string') c.add(`persistentDisposition.${key}`, toBare(dispositions, d));
    }
  }
  if (Array.isArray(event.sensorElementList)) sensorFacets(c, event.sensorElementList);
  return c.facets;
}
