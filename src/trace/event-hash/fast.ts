/**
 * The pre-hash string of an everyday JSON-LD event, rendered straight from the JSON: standard
 * fields with plain values (EPC lists, quantity lists, locations, business transactions, sources
 * and destinations) — what most captured events are. It is the string the general path
 * (json.ts → prehash.ts) builds through its field tree, without the tree; for anything else
 * (extensions, ILMD, sensor data, certification info, persistent dispositions, unusual value
 * shapes) it answers `undefined` and the caller takes the general path. fast.test.ts checks the
 * two against each other on the conformance corpus and on generated events.
 */
import { IGNORED_FIELDS } from './prehash.ts';
import { sortCodePoints } from './tree.ts';
import { canonicalTimestamp, canonicalValue, formatNumber } from './values.ts';
import { type BareVocabulary, BIZ_STEP, BIZ_TRANSACTION_TYPE, DISPOSITION, SOURCE_DESTINATION_TYPE } from './vocab.ts';

type JsonObject = { readonly [key: string]: unknown };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Thrown inside the renderer when the event is not of the everyday shape. */
const NOT_SIMPLE = Symbol('not simple');
const bail = (): never => {
  throw NOT_SIMPLE;
};

/** `name=value` for a plain string (trimmed, canonical); '' when it is empty. */
function scalar(name: string, value: unknown, vocabulary?: BareVocabulary): string {
  if (typeof value !== 'string') return bail();
  const expanded = vocabulary?.terms.has(value) ? vocabulary.prefix + value : value;
  const text = expanded.trim();
  return text === '' ? '' : `${name}=${canonicalValue(text)}`;
}

/** Items of an event-level list: an array (nulls skipped) or one value. */
const itemsOf = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : [value]);

/** `name` and its rendered items, sorted (CBV 2.0 §8.9 steps 10–12); '' when none renders. */
function list(name: string, rendered: string[]): string {
  if (rendered.length === 0) return '';
  if (rendered.length > 1) sortCodePoints(rendered);
  return name + rendered.join('');
}

function epcs(name: string, value: unknown): string {
  const rendered: string[] = [];
  for (const item of itemsOf(value)) {
    if (item === null) continue;
    const text = scalar('epc', item);
    if (text) rendered.push(text);
  }
  return list(name, rendered);
}

const QUANTITY_KEYS = ['epcClass', 'quantity', 'uom'] as const;

function quantities(name: string, value: unknown): string {
  const rendered: string[] = [];
  for (const item of itemsOf(value)) {
    if (item === null) continue;
    if (!isObject(item)) return bail();
    for (const key in item) if (!(QUANTITY_KEYS as readonly string[]).includes(key)) return bail();
    let inner = '';
    for (const key of QUANTITY_KEYS) {
      const v = item[key];
      if (v === undefined || v === null) continue;
      inner += scalar(key, typeof v === 'number' ? formatNumber(v) : v);
    }
    if (inner) rendered.push(`quantityElement${inner}`);
  }
  return list(name, rendered);
}

/** readPoint / bizLocation: an IRI, or `{ "id": IRI }`. */
function location(name: string, value: unknown): string {
  let id: unknown = value;
  if (isObject(value)) {
    for (const key in value) if (key !== 'id') return bail();
    id = value.id;
    if (id === undefined || id === null) return '';
  }
  const inner = scalar('id', id);
  return inner ? name + inner : '';
}

/** bizTransactionList / sourceList / destinationList: `{ type, <item> }` items, `type=…` first (step 13). */
function typedList(name: string, itemName: string, types: BareVocabulary, value: unknown): string {
  const rendered: string[] = [];
  for (const item of itemsOf(value)) {
    if (item === null) continue;
    if (!isObject(item)) return bail();
    for (const key in item) if (key !== 'type' && key !== itemName) return bail();
    const type = item.type === undefined || item.type === null ? '' : scalar('type', item.type, types);
    const own = item[itemName] === undefined || item[itemName] === null ? '' : scalar('', item[itemName]);
    rendered.push(`${type}${itemName}${own}`);
  }
  return rendered.length === 0 ? name : name + sortCodePoints(rendered).join('');
}

/** Top-level keys the general path leaves out of the pre-hash (json.ts `isSkipped`). */
const skipped = (key: string): boolean =>
  key.charCodeAt(0) === 64 || key === '#text' || key === 'comment' || key === 'rdfs:comment' || key === 'type';

/** Renderers of the standard fields this path knows, in canonical property order (prehash.ts). */
const ORDERED: ReadonlyArray<readonly [string, (v: unknown) => string]> = [
  [
    'eventTime',
    (v) =>
      typeof v !== 'string' ? bail() : v.trim() === '' ? '' : `eventTime=${canonicalTimestamp(v.trim(), '/eventTime')}`,
  ],
  ['eventTimeZoneOffset', (v) => scalar('eventTimeZoneOffset', v)],
  ['epcList', (v) => epcs('epcList', v)],
  ['parentID', (v) => scalar('parentID', v)],
  ['inputEPCList', (v) => epcs('inputEPCList', v)],
  ['childEPCs', (v) => epcs('childEPCs', v)],
  ['quantityList', (v) => quantities('quantityList', v)],
  ['childQuantityList', (v) => quantities('childQuantityList', v)],
  ['inputQuantityList', (v) => quantities('inputQuantityList', v)],
  ['outputEPCList', (v) => epcs('outputEPCList', v)],
  ['outputQuantityList', (v) => quantities('outputQuantityList', v)],
  ['action', (v) => scalar('action', v)],
  ['transformationID', (v) => scalar('transformationID', v)],
  ['bizStep', (v) => scalar('bizStep', v, BIZ_STEP)],
  ['disposition', (v) => scalar('disposition', v, DISPOSITION)],
  ['readPoint', (v) => location('readPoint', v)],
  ['bizLocation', (v) => location('bizLocation', v)],
];

/** Standard fields rendered with the remainder, sorted (CBV 2.0 §8.9 rows 20–22 as the reference applies them). */
const REMAINDER: ReadonlyMap<string, (v: unknown) => string> = new Map([
  ['bizTransactionList', (v: unknown) => typedList('bizTransactionList', 'bizTransaction', BIZ_TRANSACTION_TYPE, v)],
  ['sourceList', (v: unknown) => typedList('sourceList', 'source', SOURCE_DESTINATION_TYPE, v)],
  ['destinationList', (v: unknown) => typedList('destinationList', 'destination', SOURCE_DESTINATION_TYPE, v)],
]);

const KNOWN: ReadonlySet<string> = new Set([...ORDERED.map(([key]) => key), ...REMAINDER.keys()]);

/**
 * The pre-hash string of an everyday event, or `undefined` when it has anything this path does
 * not render (the general path then answers, also for every error).
 */
export function simplePreHash(event: JsonObject): string | undefined {
  const type = event.type;
  if (typeof type !== 'string' || type === '') return undefined;
  for (const key in event) {
    if (event[key] === null || skipped(key) || IGNORED_FIELDS.has(key)) continue;
    if (!KNOWN.has(key)) return undefined;
  }
  try {
    let out = `eventType=${type}`;
    for (const [key, render] of ORDERED) {
      const value = event[key];
      if (value !== undefined && value !== null) out += render(value);
    }
    const rest: string[] = [];
    for (const [key, render] of REMAINDER) {
      const value = event[key];
      if (value !== undefined && value !== null) rest.push(render(value));
    }
    if (rest.length > 1) sortCodePoints(rest);
    return out + rest.join('');
  } catch (error) {
    if (error === NOT_SIMPLE) return undefined;
    return undefined; // a value the general path rejects: let it say why
  }
}
