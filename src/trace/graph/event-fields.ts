/**
 * Reading what the trace needs from an EPCIS 2.0 JSON-LD event (EPCIS 2.0 §7.4, JSON binding §10):
 * the identifiers it names and in which role, where it happened, where the goods came from and
 * went to, and the business documents it cites. Vocabulary values are read in any of their CBV 2.0
 * spellings (bare `shipping`, `cbv:BizStep-shipping`, the Web URI, or the CBV 1.x URN).
 */
import { CBV, CBV_URN_PREFIXES } from '../event-hash/vocab.ts';
import { normaliseIdentifier } from './identifiers.ts';

/** A JSON-LD event as stored (`epcis_events.document`). */
export type EpcisEventDocument = Record<string, unknown>;

/**
 * The role an identifier plays in an event, as `epcis_event_ids.role` records it. Instance roles
 * name EPCs, class roles name quantity elements (`epcClass` + quantity + uom).
 */
export type IdRole =
  | 'epc'
  | 'parent'
  | 'child'
  | 'input'
  | 'output'
  | 'epcClass'
  | 'childEpcClass'
  | 'inputEpcClass'
  | 'outputEpcClass';

/** One identifier an event names: a row of `epcis_event_ids`. */
export type IdentifierRow = { identifier: string; role: IdRole; quantity: number | null; uom: string | null };

/** EPC list fields and quantity list fields of EPCIS 2.0 events, with the role each gives. */
const EPC_LISTS: ReadonlyArray<readonly [string, IdRole]> = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];
const QUANTITY_LISTS: ReadonlyArray<readonly [string, IdRole]> = [
  ['quantityList', 'epcClass'],
  ['childQuantityList', 'childEpcClass'],
  ['inputQuantityList', 'inputEpcClass'],
  ['outputQuantityList', 'outputEpcClass'],
];

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
const objects = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];

/**
 * Every identifier an event names, normalised as capture indexes them: `parentID`, the EPC lists and
 * the quantity lists (EPCIS 2.0 §7.3.2–7.3.6), in document order.
 */
export function identifierRowsOf(event: EpcisEventDocument): IdentifierRow[] {
  const rows: IdentifierRow[] = [];
  if (typeof event.parentID === 'string')
    rows.push({ identifier: normaliseIdentifier(event.parentID), role: 'parent', quantity: null, uom: null });
  for (const [field, role] of EPC_LISTS)
    for (const epc of strings(event[field]))
      rows.push({ identifier: normaliseIdentifier(epc), role, quantity: null, uom: null });
  for (const [field, role] of QUANTITY_LISTS)
    for (const q of objects(event[field])) {
      if (typeof q.epcClass !== 'string') continue;
      const quantity =
        typeof q.quantity === 'number' ? q.quantity : q.quantity === undefined ? null : Number(q.quantity);
      rows.push({
        identifier: normaliseIdentifier(q.epcClass),
        role,
        quantity: quantity === null || Number.isNaN(quantity) ? null : quantity,
        uom: typeof q.uom === 'string' ? q.uom : null,
      });
    }
  return rows;
}

/**
 * A CBV vocabulary value in its short form: `shipping` for `shipping`, `cbv:BizStep-shipping`,
 * `https://ref.gs1.org/cbv/BizStep-shipping` or `urn:epcglobal:cbv:bizstep:shipping`; any other
 * URI as given. `family` is the CBV 2.0 Web URI infix (`BizStep-`, `Disp-`, `BTT-`, `SDT-`).
 */
export function cbvShortName(value: string, family: string): string {
  for (const [urn, web] of CBV_URN_PREFIXES)
    if (web.endsWith(family) && value.startsWith(urn)) return value.slice(urn.length);
  if (value.startsWith(CBV + family)) return value.slice(CBV.length + family.length);
  if (value.startsWith(`cbv:${family}`)) return value.slice(4 + family.length);
  return value;
}

/** The event's type (`ObjectEvent`, `AggregationEvent`, …). */
export const eventTypeOf = (event: EpcisEventDocument): string => (typeof event.type === 'string' ? event.type : '');

/** The business step, short form (`shipping`), or null. */
export function bizStepOf(event: EpcisEventDocument): string | null {
  return typeof event.bizStep === 'string' ? cbvShortName(event.bizStep, 'BizStep-') : null;
}

/** The disposition, short form, or null. */
export function dispositionOf(event: EpcisEventDocument): string | null {
  return typeof event.disposition === 'string' ? cbvShortName(event.disposition, 'Disp-') : null;
}

const idOf = (value: unknown): string | null =>
  typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
    ? (value as { id: string }).id
    : null;

/** `readPoint.id` as given, or null. */
export const readPointOf = (event: EpcisEventDocument): string | null => idOf(event.readPoint);
/** `bizLocation.id` as given, or null. */
export const bizLocationOf = (event: EpcisEventDocument): string | null => idOf(event.bizLocation);

/** Where an event happened: its business location, else its read point (normalised), or null. */
export function placeOf(event: EpcisEventDocument): string | null {
  const where = bizLocationOf(event) ?? readPointOf(event);
  return where === null ? null : normaliseIdentifier(where);
}

/** Sources or destinations by CBV 2.0 §7.4 type (`location`, `owning_party`, `possessing_party`; others as URIs). */
export type Endpoints = Record<string, string>;

function endpoints(list: unknown, key: 'source' | 'destination'): Endpoints {
  const out: Endpoints = {};
  for (const item of objects(list)) {
    const value = item[key];
    if (typeof item.type !== 'string' || typeof value !== 'string') continue;
    const type = cbvShortName(item.type, 'SDT-');
    out[type] ??= normaliseIdentifier(value);
  }
  return out;
}

/** `sourceList` by type (values normalised: `urn:epc:id:sgln:…` → `https://id.gs1.org/414/…`). */
export const sourcesOf = (event: EpcisEventDocument): Endpoints => endpoints(event.sourceList, 'source');
/** `destinationList` by type, values normalised. */
export const destinationsOf = (event: EpcisEventDocument): Endpoints => endpoints(event.destinationList, 'destination');

/** A business document an event cites (CBV 2.0 §7.3): its short type (`po`, `desadv`, …) and identifier. */
export type BizTransaction = { type: string | null; id: string };

/** `bizTransactionList`, types in short form. */
export function bizTransactionsOf(event: EpcisEventDocument): BizTransaction[] {
  return objects(event.bizTransactionList)
    .filter((t) => typeof t.bizTransaction === 'string')
    .map((t) => ({
      type: typeof t.type === 'string' ? cbvShortName(t.type, 'BTT-') : null,
      id: t.bizTransaction as string,
    }));
}

/** `eventTime` as UTC ISO-8601 with milliseconds (the store's `event_time` form), or null if unreadable. */
export function utcEventTime(event: EpcisEventDocument): string | null {
  if (typeof event.eventTime !== 'string') return null;
  const ms = Date.parse(event.eventTime);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
