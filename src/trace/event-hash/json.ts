/**
 * Reads EPCIS 2.0 JSON-LD events into the syntax-neutral {@link HashEvent} model, matching what the
 * XML binding of the same event yields: list items get their XML names (`epc`, `quantityElement`,
 * `sensorElement`, `bizTransaction` with a `type` field, …), CURIE keys become `{namespace}local`,
 * and bare-string vocabulary values become CBV / GS1 Web URIs (CBV 2.0 §8.9 step 16).
 */
import { EventHashError } from './errors.ts';
import { IGNORED_FIELDS } from './prehash.ts';
import type { HashEvent, HashNode } from './tree.ts';
import { formatNumber } from './values.ts';
import { bareVocabularyFor, CONTEXT_PREFIXES } from './vocab.ts';

/** A JSON-LD `@context` value: an IRI, a term map, or an array of those. */
export type JsonLdContext = string | { readonly [term: string]: unknown } | ReadonlyArray<unknown>;

/** Prefix → namespace IRI, as declared by a JSON-LD context (plus the EPCIS 2.0 context's own prefixes). */
export type Namespaces = ReadonlyMap<string, string>;

type JsonObject = { readonly [key: string]: unknown };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (path: string, key: string | number): string => {
  const token = String(key);
  return token.includes('~') || token.includes('/')
    ? `${path}/${token.replaceAll('~', '~0').replaceAll('/', '~1')}`
    : `${path}/${token}`;
};

/** Collects the prefix definitions of a JSON-LD context (term → IRI or `{ "@id": IRI }`), over `base`. */
export function namespacesOf(
  context: unknown,
  base: Namespaces = new Map(Object.entries(CONTEXT_PREFIXES)),
): Namespaces {
  const out = new Map(base);
  const entries = Array.isArray(context) ? context : [context];
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    for (const [term, definition] of Object.entries(entry)) {
      if (term.startsWith('@')) continue;
      const iri = isObject(definition) ? definition['@id'] : definition;
      if (typeof iri === 'string' && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(iri)) out.set(term, iri);
    }
  }
  return out;
}

/**
 * A JSON key as a field name: `prefix:local` → `{namespace}local` when the prefix is declared, an
 * absolute IRI key → `{namespace}local` split after its last `/` or `#`, anything else unchanged.
 */
export function fieldName(key: string, namespaces: Namespaces): string {
  const colon = key.indexOf(':');
  if (colon <= 0) return key;
  const namespace = namespaces.get(key.slice(0, colon));
  if (namespace !== undefined && !key.startsWith('//', colon + 1)) return `{${namespace}}${key.slice(colon + 1)}`;
  const iri = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/.*[/#])([^/#]+)$/.exec(key);
  return iri ? `{${iri[1]}}${iri[2]}` : key;
}

/** Event-level JSON lists and the XML name of their items. */
const LIST_ITEMS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    epcList: 'epc',
    inputEPCList: 'epc',
    outputEPCList: 'epc',
    childEPCs: 'epc',
    quantityList: 'quantityElement',
    childQuantityList: 'quantityElement',
    inputQuantityList: 'quantityElement',
    outputQuantityList: 'quantityElement',
    sensorElementList: 'sensorElement',
    bizTransactionList: 'bizTransaction',
    sourceList: 'source',
    destinationList: 'destination',
  }),
);

/** List items whose value sits in a same-named key next to their `type` (`{ type, bizTransaction }`). */
const TYPED_ITEMS: ReadonlySet<string> = new Set(['bizTransaction', 'source', 'destination']);

/**
 * Keys that carry no hashed data: JSON-LD keywords (`@value` / `@id` are read as the value),
 * comments, and at event level the type (it leads the pre-hash) and the fields the hash ignores.
 */
const isSkipped = (key: string, owner: string): boolean =>
  key.startsWith('@') ||
  key === '#text' ||
  key === 'comment' ||
  key === 'rdfs:comment' ||
  (owner === 'event' && (key === 'type' || IGNORED_FIELDS.has(key)));

type Reader = { readonly namespaces: Namespaces };

/** A scalar in its textual form; bare vocabulary terms expanded to their Web URI. */
function scalarText(value: unknown, owner: string, key: string, path: string): string {
  if (typeof value === 'string') {
    const vocabulary = bareVocabularyFor(owner, key);
    return vocabulary?.terms.has(value) ? vocabulary.prefix + value : value;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new EventHashError(`a ${typeof value} value cannot be hashed`, path);
}

/** One field from a (non-array) JSON value. `owner` names the object the key belongs to. */
function valueNode(r: Reader, name: string, key: string, value: unknown, owner: string, path: string): HashNode {
  if (Array.isArray(value)) throw new EventHashError('a list directly inside a list cannot be hashed', path);
  if (!isObject(value)) return { name, value: scalarText(value, owner, key, path), children: [], path };
  const scalar = value['@value'] ?? value['@id'];
  const children = objectFields(r, value, key, path);
  return { name, value: scalar === undefined ? '' : scalarText(scalar, owner, key, path), children, path };
}

/** A list item of an event-level list (`epcList` → `epc`, `bizTransactionList` → `bizTransaction`, …). */
function listItem(r: Reader, itemName: string, value: unknown, path: string): HashNode {
  const node = valueNode(r, itemName, itemName, value, 'list', path);
  if (!TYPED_ITEMS.has(itemName)) return node;
  const own = node.children.find((c) => c.name === itemName);
  if (own) return { ...node, value: own.value, children: node.children.filter((c) => c !== own) };
  return node;
}

/** The fields for one key of a JSON object; a JSON array yields one field per item, as repeated XML elements do. */
function memberFields(r: Reader, key: string, value: unknown, owner: string, path: string): HashNode[] {
  const itemName = owner === 'event' ? LIST_ITEMS.get(key) : undefined;
  if (itemName !== undefined) {
    const children: HashNode[] = [];
    if (!Array.isArray(value)) children.push(listItem(r, itemName, value, path));
    else
      for (let i = 0; i < value.length; i++)
        if (value[i] !== null) children.push(listItem(r, itemName, value[i], pointer(path, i)));
    return [{ name: key, value: '', children, path }];
  }
  if (owner === 'event' && (key === 'readPoint' || key === 'bizLocation') && typeof value === 'string') {
    // `@type: @id` in the EPCIS 2.0 context: a plain IRI is the same as `{ "id": IRI }`.
    return [{ name: key, value: '', children: [{ name: 'id', value, children: [], path }], path }];
  }
  const name = fieldName(key, r.namespaces);
  if (!Array.isArray(value)) return [valueNode(r, name, key, value, owner, path)];
  const out: HashNode[] = [];
  for (let i = 0; i < value.length; i++)
    if (value[i] !== null) out.push(valueNode(r, name, key, value[i], owner, pointer(path, i)));
  return out;
}

/** The fields of a JSON object; `owner` is `event` for the event itself, else the key it sits under. */
function objectFields(r: Reader, obj: JsonObject, owner: string, path: string): HashNode[] {
  const out: HashNode[] = [];
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    if (value === null || isSkipped(key, owner)) continue;
    const fields = memberFields(r, key, value, owner, pointer(path, key));
    if (fields.length === 1) out.push(fields[0]!);
    else for (const f of fields) out.push(f);
  }
  return out;
}

/**
 * One JSON-LD event as a {@link HashEvent}.
 * @param namespaces the document's prefixes ({@link namespacesOf}); an `@context` on the event itself is added.
 * JSON `null` values count as absent, as in JSON-LD.
 * @throws EventHashError if the event is not an object with a `type`, or holds a list directly inside a list.
 */
export function jsonEvent(event: unknown, namespaces: Namespaces, path = ''): HashEvent {
  if (!isObject(event)) throw new EventHashError('an event must be a JSON object', path);
  const type = event.type;
  if (typeof type !== 'string' || type === '') throw new EventHashError('event has no type', pointer(path, 'type'));
  const reader: Reader = { namespaces: '@context' in event ? namespacesOf(event['@context'], namespaces) : namespaces };
  return { eventType: type, fields: objectFields(reader, event, 'event', path), path };
}

/** What a JSON-LD EPCIS document contributes to hashing: its events and the fields it declares ignorable. */
export type JsonEvents = { events: HashEvent[]; ignoreFields: Set<string> };

/** Names listed by `…:ignoreFields` keys of the given objects (an extension some repositories use). */
function ignoredFieldsOf(holders: readonly unknown[], namespaces: Namespaces): Set<string> {
  const out = new Set<string>();
  for (const holder of holders) {
    if (!isObject(holder)) continue;
    for (const [key, value] of Object.entries(holder)) {
      const name = fieldName(key, namespaces);
      if ((name !== 'ignoreFields' && !name.endsWith('}ignoreFields')) || !Array.isArray(value)) continue;
      for (const item of value) if (typeof item === 'string') out.add(fieldName(item, namespaces));
    }
  }
  return out;
}

/**
 * Reads the events of an EPCISDocument (`epcisBody.eventList`) or EPCISQueryDocument
 * (`epcisBody.queryResults.resultsBody.eventList`) in document order.
 * @throws EventHashError if the body is not JSON or has no event list.
 */
export function readJsonDocument(body: string): JsonEvents {
  let doc: unknown;
  try {
    doc = JSON.parse(body.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new EventHashError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`, '');
  }
  if (!isObject(doc)) throw new EventHashError('an EPCIS document must be a JSON object', '');
  const namespaces = namespacesOf(doc['@context']);
  const epcisBody = doc.epcisBody;
  if (!isObject(epcisBody)) throw new EventHashError('document has no epcisBody', '/epcisBody');
  const queryResults = epcisBody.queryResults;
  const resultsBody = isObject(queryResults) ? queryResults.resultsBody : undefined;
  let list: unknown;
  let listPath: string;
  if ('eventList' in epcisBody) [list, listPath] = [epcisBody.eventList, '/epcisBody/eventList'];
  else if (isObject(resultsBody))
    [list, listPath] = [resultsBody.eventList, '/epcisBody/queryResults/resultsBody/eventList'];
  else if ('event' in epcisBody) [list, listPath] = [[epcisBody.event], '/epcisBody/event'];
  else throw new EventHashError('document has no event list', '/epcisBody/eventList');
  if (!Array.isArray(list)) throw new EventHashError('the event list must be an array', listPath);
  const single = listPath.endsWith('/event');
  return {
    events: list.map((event, i) => jsonEvent(event, namespaces, single ? listPath : pointer(listPath, i))),
    ignoreFields: ignoredFieldsOf([doc, epcisBody, queryResults], namespaces),
  };
}
